// The thread-local QC scratch and the pixel hash.
#include "ingest/qc_state.h"

#include <xxhash.h>

#include <cstring>

namespace obia::ingest {

QcScratch& qc_scratch() {
  thread_local QcScratch scratch;
  return scratch;
}

bool scratch_matches(const DcmFileFormat& file, const CheckContext& context) {
  const QcScratch& s = qc_scratch();
  return s.decoded && s.file == &file && s.job == &context.job && s.relpath == context.job.relpath.string();
}

QcScratch& decode_into_scratch(DcmFileFormat& file, const CheckContext& context) {
  QcScratch& s = qc_scratch();
  s = QcScratch{};
  s.file = &file;
  s.job = &context.job;
  s.relpath = context.job.relpath.string();
  s.decoded = true;
  auto decoded = decode_pixels(*file.getDataset());
  if (!decoded) {
    s.decode_error = decoded.error().message;
    return s;
  }
  s.pixels = std::move(*decoded);
  if (s.pixels) s.pixel_hash = hash_pixels(*s.pixels);
  return s;
}

const DecodedPixels* decoded_pixels(DcmFileFormat& file, const CheckContext& context) {
  QcScratch& s = scratch_matches(file, context) ? qc_scratch() : decode_into_scratch(file, context);
  return s.pixels ? &*s.pixels : nullptr;
}

void clear_qc_scratch() { qc_scratch() = QcScratch{}; }

PixelHash hash_pixels(const DecodedPixels& pixels) {
  const PixelFormat& f = pixels.format();
  // The geometry seeds the hash: the same bytes as another shape are other pixels.
  const uint64_t geometry[] = {f.rows, f.columns, f.frames, f.samples, f.bits_allocated, f.bits_stored};
  const XXH64_hash_t seed = XXH3_64bits(geometry, sizeof geometry);
  XXH128_canonical_t c;
  XXH128_canonicalFromHash(&c, XXH3_128bits_withSeed(pixels.data(), f.total_bytes(), seed));
  PixelHash out{};
  std::memcpy(out.data(), c.digest, out.size());
  return out;
}

}  // namespace obia::ingest
