// The training-free code, usable from the first ingest. Two halves of K/2 bits each:
//   layout  the image area-averaged to 8×8, normalised to zero mean and unit norm
//           (brightness and contrast cancel out): where things are
//   texture the log-magnitude of the 2-D Fourier transform of the 64×64 image (mean removed,
//           Hann window), the 275 lowest non-DC frequencies, normalised the same way: what the
//           image is made of, nearly unchanged by a shift of a few pixels
// Each half is projected on K/2 fixed Gaussian random directions and bit k is the sign of
// projection k (SimHash: Hamming distance estimates the angle between feature vectors). The
// layout half carries most of the "same kind of image" similarity, the texture half keeps a
// shifted, noisy or re-windowed copy of an image closer than any other image.
// The directions come from a fixed-seed generator of our own (splitmix64 + Box-Muller), so
// codes are identical on every machine and every run.
#pragma once

#include "index/similarity/hasher.h"

namespace obia::similarity {

class ProjectionHasher final : public Hasher {
 public:
  static constexpr int kLayoutGrid = 8;
  static constexpr int kTextureGrid = 64;
  static constexpr int kTextureKeep = 12;  // frequencies -11..11 × 0..11
  ProjectionHasher(unsigned bits, unsigned size);
  const std::string& spec() const override { return spec_; }
  unsigned bits() const override { return bits_; }
  unsigned input_size() const override { return size_; }
  Result<std::vector<Code>> hash(std::span<const GrayImage> images) const override;

  static std::vector<float> layout_features(const GrayImage& image);
  static std::vector<float> texture_features(const GrayImage& image);

 private:
  unsigned bits_, size_;
  std::string spec_;
  std::vector<float> layout_dirs_;   // bits/2 × kLayoutGrid²
  std::vector<float> texture_dirs_;  // bits/2 × texture dimensions
};

// The 256-bit projection code every image also gets, whatever the active hasher: a finer
// measure that orders search hits at equal code distance (an altered copy wins its ties).
constexpr unsigned kFingerprintBits = 256;
const ProjectionHasher& fingerprinter();
Result<Code> fingerprint(const GrayImage& decoded);

}  // namespace obia::similarity
