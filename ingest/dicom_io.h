// Parsing submitted files with DCMTK and serialising de-identified ones to bytes.
#pragma once

#include <dcmtk/dcmdata/dcfilefo.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"

namespace obia::ingest {

// Loads a whole file (all values in memory). Errors carry EINVAL and a one-line reason.
Result<std::unique_ptr<DcmFileFormat>> load_dicom(const std::filesystem::path& path);
// Serialises `file` (meta header included) in its original transfer syntax.
Result<std::vector<uint8_t>> serialize_dicom(DcmFileFormat& file);

}  // namespace obia::ingest
