// Constant-frame detection on the native samples (masked to BitsStored: unused high bits may
// carry overlay data or noise that no viewer shows).
#include "ingest/qc_blank.h"

#include "ingest/qc_state.h"

namespace obia::ingest {
namespace {

// Constant means every sample equals the corresponding sample of the first pixel: `period`
// samples per pixel when interleaved, one plane after another when planar.
template <typename T>
bool constant(const T* p, size_t n, size_t period, size_t plane, T mask) {
  for (size_t i = 1; i < n; ++i) {
    const size_t ref = plane ? (i / plane) * plane : i % period;
    if ((p[i] & mask) != (p[ref] & mask)) return false;
  }
  return true;
}

bool constant_bits(const uint8_t* data, uint64_t first_bit, uint64_t n) {
  auto bit = [&](uint64_t b) { return (data[b >> 3] >> (b & 7)) & 1; };
  const int v = bit(first_bit);
  for (uint64_t i = 1; i < n; ++i)
    if (bit(first_bit + i) != v) return false;
  return true;
}

}  // namespace

uint32_t constant_frames(const DecodedPixels& px) {
  const PixelFormat& f = px.format();
  const size_t per_pixel = f.chroma_422 ? 2 : f.samples;
  const size_t n = f.pixels() * per_pixel;
  const size_t period = f.chroma_422 ? 4 : f.samples;  // Y Y Cb Cr repeats every two pixels
  const size_t plane = f.planar ? f.pixels() : 0;
  uint32_t count = 0;
  for (uint32_t k = 0; k < f.frames; ++k) {
    bool c = false;
    switch (f.bits_allocated) {
      case 1: c = constant_bits(px.data(), uint64_t(k) * n, n); break;
      case 8: c = constant(px.frame(k), n, period, plane, uint8_t((1u << f.bits_stored) - 1)); break;
      case 16:
        c = constant(reinterpret_cast<const uint16_t*>(px.frame(k)), n, period, plane,
                     uint16_t((1u << f.bits_stored) - 1));
        break;
      default:
        c = constant(reinterpret_cast<const uint32_t*>(px.frame(k)), n, period, plane,
                     f.bits_stored >= 32 ? ~uint32_t{0} : uint32_t((uint64_t{1} << f.bits_stored) - 1));
        break;
    }
    count += c;
  }
  return count;
}

QcResult check_blank(DcmFileFormat& file, CheckContext& context) {
  QcResult r;
  const DecodedPixels* px = decoded_pixels(file, context);
  if (px == nullptr) return r;
  const uint32_t blank = constant_frames(*px);
  const uint32_t frames = px->format().frames;
  if (blank == 0) return r;
  context.warnings.push_back(
      blank == frames ? "blank-image: every pixel has the same value" +
                            std::string(frames > 1 ? " in all " + std::to_string(frames) + " frames" : "")
                      : "blank-image: " + std::to_string(blank) + " of " + std::to_string(frames) +
                            " frames have a single pixel value");
  return r;
}

}  // namespace obia::ingest
