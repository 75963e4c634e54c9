// JPEG 2000 decoding with Debian's libopenjp2, plugged into DCMTK as a decode-only codec:
// DCMTK 3.6.7 ships no JPEG 2000 codec, and every pixel consumer (QC, contact sheets, rule
// blanking) goes through DcmDataset::chooseRepresentation, so one registration serves them all.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/result.h"

namespace obia::ingest {

// One decoded JPEG 2000 code stream, components interleaved (RGB order when there are three).
struct J2kImage {
  uint32_t width = 0, height = 0, components = 0;
  uint32_t precision = 0;  // bits per sample of the code stream
  bool is_signed = false;
  std::vector<int32_t> samples;  // width * height * components
};

// Decodes a raw J2K code stream or a JP2 file held in memory. Never throws.
Result<J2kImage> decode_j2k(const uint8_t* data, size_t size);

// Registers the decoder for the JPEG 2000 transfer syntaxes with DCMTK (idempotent).
void register_j2k_codec();

}  // namespace obia::ingest
