// The training-free code: SimHash of a layout thumbnail and of a Fourier-magnitude texture.
#include "index/similarity/projection_hasher.h"

#include <cmath>
#include <complex>
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
constexpr int kTextureRows = 2 * ProjectionHasher::kTextureKeep - 1;
constexpr int kTextureDims = kTextureRows * ProjectionHasher::kTextureKeep - 1;  // without DC

void gaussian(SplitMix& rng, std::vector<float>& out) {
  for (size_t i = 0; i < out.size(); i += 2) {
    // Box-Muller: two independent standard normals per pair of uniforms.
    double r = std::sqrt(-2.0 * std::log(rng.uniform()));
    double t = 2.0 * std::numbers::pi * rng.uniform();
    out[i] = static_cast<float>(r * std::cos(t));
    if (i + 1 < out.size()) out[i + 1] = static_cast<float>(r * std::sin(t));
  }
}

// Zero mean, unit norm; a constant vector (a flat image) becomes all zeros.
void normalise(std::vector<float>& v) {
  double mean = 0;
  for (float x : v) mean += x;
  mean /= static_cast<double>(v.size());
  double norm = 0;
  for (float& x : v) {
    x = static_cast<float>(x - mean);
    norm += static_cast<double>(x) * x;
  }
  norm = std::sqrt(norm);
  float scale = norm > 1e-6 ? static_cast<float>(1.0 / norm) : 0.0f;
  for (float& x : v) x *= scale;
}

void project(const std::vector<float>& f, const std::vector<float>& dirs, unsigned first_bit,
             unsigned count, Code& code) {
  const size_t dims = f.size();
  for (unsigned b = 0; b < count; ++b) {
    const float* d = &dirs[static_cast<size_t>(b) * dims];
    float dot = 0;
    for (size_t i = 0; i < dims; ++i) dot += d[i] * f[i];
    unsigned bit = first_bit + b;
    if (dot > 0) code[bit / 8] |= static_cast<uint8_t>(1u << (bit % 8));
  }
}

}  // namespace

ProjectionHasher::ProjectionHasher(unsigned bits, unsigned size)
    : bits_(bits), size_(size), spec_(HasherSpec{"projection", bits, size, {}}.str()) {
  SplitMix rng{kSeed};
  layout_dirs_.resize(static_cast<size_t>(bits / 2) * kLayoutGrid * kLayoutGrid);
  texture_dirs_.resize(static_cast<size_t>(bits / 2) * kTextureDims);
  gaussian(rng, layout_dirs_);
  gaussian(rng, texture_dirs_);
}

std::vector<float> ProjectionHasher::layout_features(const GrayImage& image) {
  GrayImage thumb = resize(image, kLayoutGrid, kLayoutGrid);
  normalise(thumb.pixels);
  return std::move(thumb.pixels);
}

std::vector<float> ProjectionHasher::texture_features(const GrayImage& image) {
  constexpr int n = kTextureGrid, keep = kTextureKeep;
  GrayImage g = resize(image, n, n);
  double mean = 0;
  for (float x : g.pixels) mean += x;
  mean /= static_cast<double>(g.pixels.size());
  std::vector<double> hann(n);
  for (int i = 0; i < n; ++i) hann[i] = 0.5 - 0.5 * std::cos(2 * std::numbers::pi * i / (n - 1));
  // Separable DFT of the low frequencies only: along x for kx in [0, keep), then along y for
  // ky in [-(keep-1), keep-1].
  std::vector<std::complex<double>> tw(n);
  for (int i = 0; i < n; ++i) tw[i] = std::polar(1.0, -2 * std::numbers::pi * i / n);
  std::vector<double> w(static_cast<size_t>(n) * n);
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) w[static_cast<size_t>(y) * n + x] = (g.at(x, y) - mean) * hann[y] * hann[x];
  std::vector<std::complex<double>> rows(static_cast<size_t>(n) * keep);
  for (int y = 0; y < n; ++y)
    for (int kx = 0; kx < keep; ++kx) {
      std::complex<double> acc = 0;
      const double* row = &w[static_cast<size_t>(y) * n];
      for (int x = 0; x < n; ++x) acc += row[x] * tw[(kx * x) % n];
      rows[static_cast<size_t>(y) * keep + kx] = acc;
    }
  std::vector<float> mag;
  mag.reserve(kTextureDims + 1);
  for (int r = 0; r < kTextureRows; ++r) {
    int ky = r < keep ? r : r - kTextureRows;  // 0..keep-1, then -(keep-1)..-1
    for (int kx = 0; kx < keep; ++kx) {
      std::complex<double> acc = 0;
      for (int y = 0; y < n; ++y) acc += rows[static_cast<size_t>(y) * keep + kx] * tw[((ky % n + n) * y) % n];
      mag.push_back(static_cast<float>(std::abs(acc)));
    }
  }
  mag.erase(mag.begin());  // DC: zero after removing the mean
  double m = 0;
  for (float v : mag) m += v;
  m /= static_cast<double>(mag.size());
  // The floor is relative, so the features do not change with the image's contrast.
  for (float& v : mag) v = static_cast<float>(std::log(v + 0.01 * m + 1e-12));
  normalise(mag);
  return mag;
}

Result<std::vector<Code>> ProjectionHasher::hash(std::span<const GrayImage> images) const {
  std::vector<Code> out;
  out.reserve(images.size());
  const unsigned half = bits_ / 2;
  for (const GrayImage& img : images) {
    if (img.empty()) return make_error(EINVAL, "empty image");
    Code code(bits_ / 8, 0);
    project(layout_features(img), layout_dirs_, 0, half, code);
    project(texture_features(img), texture_dirs_, half, bits_ - half, code);
    out.push_back(std::move(code));
  }
  return out;
}

const ProjectionHasher& fingerprinter() {
  static const ProjectionHasher h(kFingerprintBits, kDefaultSize);
  return h;
}

Result<Code> fingerprint(const GrayImage& decoded) { return hash_image(fingerprinter(), decoded); }

}  // namespace obia::similarity
