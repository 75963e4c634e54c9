// The DICOM JSON model (PS3.18 F.2) of a dataset's top-level attributes, bulk data left out:
// the series keeps the attributes common to all its images for series.json.
#pragma once

#include <dcmtk/dcmdata/dcdatset.h>

#include <string>

namespace obia::ingest {

// {"00080060": {"vr": "CS", "Value": ["CT"]}, ...}; pixel data, other bulk VRs (OB, OW, OF,
// OD, OL, OV, UN) and values over 4 KiB are left out, as are group 0002 and private groups.
std::string top_level_json(DcmDataset& dataset);

}  // namespace obia::ingest
