// What happened to one submitted file, with the reason codes a curator sees in NAME.reason.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace obia::ingest {

enum class Reason {
  None,
  Corrupt,        // not DICOM, unparseable, truncated, zero-length
  TooLarge,       // over the archive's size limit
  NoPatientId,    // blank header or missing PatientID
  BadUid,         // missing or malformed Study/Series/SOP Instance UID
  MixedPatient,   // study or series already archived under another individual
  Conflict,       // same SOP Instance UID, different content
  Undecodable,    // pixel data that no available codec decodes
  BurnedInText,   // text found in the pixels (Clean Pixel Data)
  DuplicatePixels,  // pixel data identical to an archived image under another SOP Instance UID
                    // (only when the collection sets reject_pixel_duplicates; else a warning)
  ResidualPhi,    // de-identification output failed verification
  DeidFailed,     // the de-identifier could not process the file
  Internal,       // an error of ours (disk, catalog); the file is kept for retry
};

enum class Disposition { Archived, Duplicate, Quarantined, Retry };

struct Outcome {
  Disposition disposition = Disposition::Quarantined;
  Reason reason = Reason::None;
  std::string detail;  // tag path, accession, offsets: never a PHI value
  std::string path;    // archived path (Collection/I/S/series/image) when archived
  std::vector<std::string> warnings;  // QC warnings of an archived file (blank image, ...)
};

std::string_view reason_code(Reason r);         // "corrupt", "no-patient-id", ...
std::string_view reason_explanation(Reason r);  // one sentence
std::string_view reason_fix(Reason r);          // how to fix

}  // namespace obia::ingest
