// Single-channel float images in [0,1] (what every hasher consumes) and the resampling used
// to bring decoded pixels to the hasher's N×N input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace obia::similarity {

struct GrayImage {
  int width = 0;
  int height = 0;
  std::vector<float> pixels;  // row-major, width*height values in [0,1]

  float at(int x, int y) const { return pixels[static_cast<size_t>(y) * width + x]; }
  bool empty() const { return pixels.empty(); }
};

// 8-bit display values (0..255) to [0,1].
GrayImage from_u8(int width, int height, std::span<const uint8_t> values);

// Resamples to w×h: exact area averaging (box filter) where an axis shrinks, bilinear where it
// grows. The aspect ratio is not kept (every image fills the square input; documented in
// docs/similarity.md). Deterministic: the same input always gives the same bytes.
GrayImage resize(const GrayImage& in, int w, int h);

// Quantises to 8 bits and back (used to keep training images compact in memory).
std::vector<uint8_t> to_u8(const GrayImage& img);

}  // namespace obia::similarity
