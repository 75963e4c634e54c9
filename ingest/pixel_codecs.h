// Registers the pixel data decoders once per process: DCMTK's JPEG (baseline, extended,
// lossless), JPEG-LS and RLE decoders, and our openjp2-based JPEG 2000 decoder.
#pragma once

namespace obia::ingest {

// Idempotent and thread-safe; call before decoding pixel data anywhere.
void register_pixel_codecs();

}  // namespace obia::ingest
