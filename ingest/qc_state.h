// Per-file scratch shared by the QC stages of one ingest worker thread: the pixel data is
// decoded once (by the decode stage, which runs first) and reused by the blank, burned-in text
// and pixel-duplicate stages; the finished hook records what the stages left for it and clears.
// Thread-local because every worker runs one file at a time through all stages.
#pragma once

#include <dcmtk/dcmdata/dcfilefo.h>

#include <array>
#include <optional>
#include <string>

#include "ingest/pipeline.h"
#include "ingest/pixel_decode.h"

namespace obia::ingest {

using PixelHash = std::array<uint8_t, 16>;

struct QcScratch {
  // Which file the scratch belongs to (a file object and its job; addresses alone can repeat).
  const DcmFileFormat* file = nullptr;
  const Job* job = nullptr;
  std::string relpath;

  bool decoded = false;                 // decode attempted
  std::optional<DecodedPixels> pixels;  // nullopt: no pixel data (or decode failed)
  std::string decode_error;             // empty when the decode succeeded
  std::optional<PixelHash> pixel_hash;  // of the submitted (not blanked) pixels

  // For the finished hook: the remapped SOP Instance UID to register under pixel_hash once the
  // image is archived.
  std::string archived_sop_uid;
};

// This thread's scratch.
QcScratch& qc_scratch();
// Whether this thread's scratch describes `file` of `context`'s job.
bool scratch_matches(const DcmFileFormat& file, const CheckContext& context);
// Resets the scratch to `file`, decodes its pixel data and hashes it.
QcScratch& decode_into_scratch(DcmFileFormat& file, const CheckContext& context);
// The decoded pixels of `file` (decoding now if no stage did yet); nullptr when the file has
// none or they could not be decoded.
const DecodedPixels* decoded_pixels(DcmFileFormat& file, const CheckContext& context);
void clear_qc_scratch();

// xxHash3-128 of the pixel geometry and native samples.
PixelHash hash_pixels(const DecodedPixels& pixels);

}  // namespace obia::ingest
