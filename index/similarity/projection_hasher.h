// The training-free code, usable from the first ingest: the image is area-averaged to 16×16,
// normalised to zero mean and unit norm (so brightness and contrast changes cancel out), and
// projected on K fixed Gaussian random directions; bit k is the sign of projection k
// (SimHash: the Hamming distance estimates the angle between the normalised thumbnails).
// The directions come from a fixed-seed generator of our own (splitmix64 + Box-Muller), so
// codes are identical on every machine and every run.
#pragma once

#include "index/similarity/hasher.h"

namespace obia::similarity {

class ProjectionHasher final : public Hasher {
 public:
  static constexpr int kGrid = 16;
  ProjectionHasher(unsigned bits, unsigned size);
  const std::string& spec() const override { return spec_; }
  unsigned bits() const override { return bits_; }
  unsigned input_size() const override { return size_; }
  Result<std::vector<Code>> hash(std::span<const GrayImage> images) const override;
  // The normalised 16×16 thumbnail (exposed for tests).
  static std::vector<float> features(const GrayImage& image);

 private:
  unsigned bits_, size_;
  std::string spec_;
  std::vector<float> directions_;  // bits × kGrid²
};

}  // namespace obia::similarity
