// PNG encoding of 8-bit grey or RGB images with zlib and hand-written chunks (PNG spec §5, §11):
// no libpng, so no setjmp/longjmp error handling across C++ frames.
#pragma once

#include <string>

#include "common/result.h"
#include "ingest/pixel_render.h"

namespace obia::ingest {

// Encodes `image` (1 or 3 channels) as a PNG file held in a string.
Result<std::string> encode_png(const Image8& image);

}  // namespace obia::ingest
