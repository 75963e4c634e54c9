// Rendering decoded frames to 8-bit images as a viewer would show them (modality rescale, VOI
// window or a percentile window, MONOCHROME1 inverted, YBR and palette colour to RGB), for the
// burned-in text detector, OCR and contact sheets.
#pragma once

#include <cstdint>
#include <vector>

#include "common/result.h"
#include "ingest/pixel_decode.h"

namespace obia::ingest {

// 8-bit image, rows top to bottom, channels interleaved (1 = grey, 3 = RGB).
struct Image8 {
  uint32_t width = 0, height = 0, channels = 1;
  std::vector<uint8_t> pixels;
  Image8() = default;
  Image8(uint32_t w, uint32_t h, uint32_t c, uint8_t fill = 0)
      : width(w), height(h), channels(c), pixels(size_t(w) * h * c, fill) {}
  uint8_t* row(uint32_t y) { return pixels.data() + size_t(y) * width * channels; }
  const uint8_t* row(uint32_t y) const { return pixels.data() + size_t(y) * width * channels; }
  bool empty() const { return pixels.empty(); }
};

enum class WindowMode {
  FileOrPercentile,  // the file's first VOI window, else the 1st..99.5th percentile
  Percentile,        // always the percentile window (ignores the file's window)
};

// Renders one frame. Colour images stay RGB unless `grey` (then ITU-R BT.601 luma).
Result<Image8> render_frame(const DecodedPixels& pixels, uint32_t frame, WindowMode mode, bool grey);

Image8 to_grey(const Image8& image);
// Area-averaging downscale (or nearest-neighbour upscale) to exactly w x h.
Image8 resize(const Image8& image, uint32_t w, uint32_t h);
// Bilinear upscale by `factor` (>= 1); smoother glyph edges than nearest neighbour, which
// OCR reads better.
Image8 upscale_bilinear(const Image8& image, double factor);
// Sub-image; the rectangle is clipped to the image.
Image8 crop(const Image8& image, int x, int y, int w, int h);

}  // namespace obia::ingest
