// Random-projection (SimHash) codes of a normalised 16×16 thumbnail.
#include "index/similarity/projection_hasher.h"

#include <cmath>
#include <numbers>

namespace obia::similarity {
namespace {

// splitmix64: tiny, well-mixed, and fully specified (unlike std::normal_distribution, whose
// output differs between standard libraries).
struct SplitMix {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }  // (0,1)
};

constexpr uint64_t kSeed = 0x4F42494153494D31ull;  // "OBIASIM1": part of the code's definition

}  // namespace

ProjectionHasher::ProjectionHasher(unsigned bits, unsigned size)
    : bits_(bits), size_(size), spec_(HasherSpec{"projection", bits, size, {}}.str()) {
  constexpr int dims = kGrid * kGrid;
  directions_.resize(static_cast<size_t>(bits) * dims);
  SplitMix rng{kSeed};
  for (size_t i = 0; i < directions_.size(); i += 2) {
    // Box-Muller: two independent standard normals per pair of uniforms.
    double r = std::sqrt(-2.0 * std::log(rng.uniform()));
    double t = 2.0 * std::numbers::pi * rng.uniform();
    directions_[i] = static_cast<float>(r * std::cos(t));
    if (i + 1 < directions_.size()) directions_[i + 1] = static_cast<float>(r * std::sin(t));
  }
}

std::vector<float> ProjectionHasher::features(const GrayImage& image) {
  GrayImage thumb = resize(image, kGrid, kGrid);
  std::vector<float>& v = thumb.pixels;
  double mean = 0;
  for (float x : v) mean += x;
  mean /= static_cast<double>(v.size());
  double norm = 0;
  for (float& x : v) {
    x = static_cast<float>(x - mean);
    norm += static_cast<double>(x) * x;
  }
  norm = std::sqrt(norm);
  // A flat image has no direction: all-zero features give the all-zero code.
  float scale = norm > 1e-6 ? static_cast<float>(1.0 / norm) : 0.0f;
  for (float& x : v) x *= scale;
  return std::move(v);
}

Result<std::vector<Code>> ProjectionHasher::hash(std::span<const GrayImage> images) const {
  constexpr int dims = kGrid * kGrid;
  std::vector<Code> out;
  out.reserve(images.size());
  for (const GrayImage& img : images) {
    if (img.empty()) return make_error(EINVAL, "empty image");
    std::vector<float> f = features(img);
    Code code(bits_ / 8, 0);
    for (unsigned b = 0; b < bits_; ++b) {
      const float* d = &directions_[static_cast<size_t>(b) * dims];
      float dot = 0;
      for (int i = 0; i < dims; ++i) dot += d[i] * f[static_cast<size_t>(i)];
      if (dot > 0) code[b / 8] |= static_cast<uint8_t>(1u << (b % 8));
    }
    out.push_back(std::move(code));
  }
  return out;
}

}  // namespace obia::similarity
