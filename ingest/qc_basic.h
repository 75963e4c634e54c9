// First quality-control stage: the identity a file must carry before it can be archived
// (PatientID, Study/Series/SOP Instance UIDs) and pixel data no shorter than its geometry.
#pragma once

#include <dcmtk/dcmdata/dcfilefo.h>

#include <string>

#include "ingest/outcome.h"

namespace obia::ingest {

// The original identifiers of a file, in memory only during its ingest.
struct Identity {
  std::string patient_id;
  std::string study_uid, series_uid, sop_uid;
};

struct QcResult {
  Reason reason = Reason::None;  // None: passed
  std::string detail;
  Identity identity;
};

QcResult check_basic(DcmFileFormat& file);
bool valid_uid(const std::string& uid);

}  // namespace obia::ingest
