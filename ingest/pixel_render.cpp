// Frame rendering to 8 bits: grey through a lookup table per stored value, colour converted.
#include "ingest/pixel_render.h"

#include <dcmtk/dcmdata/dcdeftag.h>

#include <algorithm>
#include <cmath>

namespace obia::ingest {
namespace {

// Stored value of sample `i` of a frame (one channel), sign-extended from BitsStored.
struct SampleReader {
  const PixelFormat& f;
  const uint8_t* base;   // frame start (bits_allocated >= 8)
  uint64_t bit_offset;   // frame start in bits (bits_allocated == 1)
  const uint8_t* all;    // whole pixel data (1-bit frames)

  int64_t operator()(size_t i) const {
    uint64_t raw = 0;
    switch (f.bits_allocated) {
      case 1: {
        uint64_t b = bit_offset + i;
        return (all[b >> 3] >> (b & 7)) & 1;
      }
      case 8: raw = base[i]; break;
      case 16: raw = reinterpret_cast<const uint16_t*>(base)[i]; break;
      default: raw = reinterpret_cast<const uint32_t*>(base)[i]; break;
    }
    const unsigned bits = f.bits_stored;
    if (bits < 64) raw &= (uint64_t{1} << bits) - 1;
    if (f.is_signed && bits > 0 && bits < 64 && (raw >> (bits - 1)) & 1)
      return static_cast<int64_t>(raw) - (int64_t{1} << bits);
    return static_cast<int64_t>(raw);
  }
};

SampleReader reader_for(const DecodedPixels& p, uint32_t frame) {
  const PixelFormat& f = p.format();
  return SampleReader{f, p.data() + size_t(frame) * f.frame_bytes(),
                      uint64_t(frame) * f.pixels() * f.samples, p.data()};
}

// Index of channel `c` of pixel `i` in the frame's sample order.
size_t sample_index(const PixelFormat& f, size_t i, unsigned c) {
  return f.planar ? c * f.pixels() + i : i * f.samples + c;
}

uint8_t clamp8(double v) { return static_cast<uint8_t>(std::clamp(v, 0.0, 255.0) + 0.5); }

// Linear VOI (PS3.3 C.11.2.1.2.1) from the modality value range [lo, hi].
struct Window {
  double lo = 0, hi = 1;
  uint8_t map(double v) const {
    if (v <= lo) return 0;
    if (v >= hi) return 255;
    return static_cast<uint8_t>((v - lo) / (hi - lo) * 255.0 + 0.5);
  }
};

// Percentile window over the frame's stored values: text and padding are small fractions, so
// they clip to black or white rather than squeezing the anatomy's grey range.
Window percentile_window(const SampleReader& read, size_t n, double slope, double intercept) {
  std::vector<int64_t> sample;
  const size_t step = std::max<size_t>(1, n / 16384);
  sample.reserve(n / step + 1);
  for (size_t i = 0; i < n; i += step) sample.push_back(read(i));
  auto at = [&](double q) {
    size_t k = std::min(sample.size() - 1, static_cast<size_t>(q * (sample.size() - 1)));
    std::nth_element(sample.begin(), sample.begin() + k, sample.end());
    return sample[k];
  };
  double a = at(0.01) * slope + intercept, b = at(0.995) * slope + intercept;
  if (a > b) std::swap(a, b);
  if (b - a < 1e-9) {  // (almost) constant frame: fall back to the full range, then a unit range
    std::vector<int64_t>::iterator lo, hi;
    std::tie(lo, hi) = std::minmax_element(sample.begin(), sample.end());
    a = std::min(*lo * slope + intercept, *hi * slope + intercept);
    b = std::max(*lo * slope + intercept, *hi * slope + intercept);
    if (b - a < 1e-9) b = a + 1;
  }
  return {a, b};
}

Image8 render_grey(const DecodedPixels& p, uint32_t frame, WindowMode mode) {
  const PixelFormat& f = p.format();
  const PixelPresentation& pr = p.presentation();
  const SampleReader read = reader_for(p, frame);
  const size_t n = f.pixels();
  Window w;
  if (mode == WindowMode::FileOrPercentile && pr.window_width) {
    // PS3.3 C.11.2.1.2.1: center - 0.5 - (width - 1) / 2 .. center - 0.5 + (width - 1) / 2
    w.lo = *pr.window_center - 0.5 - (*pr.window_width - 1) / 2;
    w.hi = *pr.window_center - 0.5 + (*pr.window_width - 1) / 2;
    if (w.hi <= w.lo) w.hi = w.lo + 1;
  } else {
    w = percentile_window(read, n, pr.slope, pr.intercept);
  }
  const bool invert = f.photometric == "MONOCHROME1";
  Image8 out(f.columns, f.rows, 1);
  uint8_t* o = out.pixels.data();
  if (f.bits_stored <= 16 && f.bits_allocated <= 16) {
    // One table entry per possible stored value: cheaper than the arithmetic per pixel.
    const int64_t min_v = f.is_signed ? -(int64_t{1} << (f.bits_stored - 1)) : 0;
    const size_t count = size_t{1} << f.bits_stored;
    std::vector<uint8_t> lut(count);
    for (size_t k = 0; k < count; ++k) {
      uint8_t v = w.map((min_v + int64_t(k)) * pr.slope + pr.intercept);
      lut[k] = invert ? 255 - v : v;
    }
    // Fast paths for the common single-sample layouts; the generic reader handles the rest.
    const uint16_t mask = static_cast<uint16_t>((uint32_t{1} << f.bits_stored) - 1);
    const bool sign_bit_only = f.is_signed;
    if (f.bits_allocated == 16) {
      const uint16_t* src = reinterpret_cast<const uint16_t*>(read.base);
      const uint16_t sign = static_cast<uint16_t>(1u << (f.bits_stored - 1));
      for (size_t i = 0; i < n; ++i) {
        const uint16_t v = src[i] & mask;
        // Index of value v in the table: signed values are offset by half the range.
        o[i] = lut[sign_bit_only ? size_t(uint16_t(v ^ sign)) & mask : v];
      }
    } else if (f.bits_allocated == 8) {
      const uint8_t* src = read.base;
      const uint8_t sign = static_cast<uint8_t>(1u << (f.bits_stored - 1));
      for (size_t i = 0; i < n; ++i) {
        const uint8_t v = src[i] & mask;
        o[i] = lut[sign_bit_only ? size_t(uint8_t(v ^ sign)) & mask : v];
      }
    } else {
      for (size_t i = 0; i < n; ++i) o[i] = lut[size_t(read(sample_index(f, i, 0)) - min_v)];
    }
  } else {
    for (size_t i = 0; i < n; ++i) {
      uint8_t v = w.map(read(sample_index(f, i, 0)) * pr.slope + pr.intercept);
      o[i] = invert ? 255 - v : v;
    }
  }
  return out;
}

// Palette colour: stored values index three lookup tables (PS3.3 C.7.6.3.1.5).
Result<Image8> render_palette(const DecodedPixels& p, uint32_t frame) {
  const PixelFormat& f = p.format();
  DcmItem& d = p.dataset();
  const DcmTagKey desc[3] = {DCM_RedPaletteColorLookupTableDescriptor,
                             DCM_GreenPaletteColorLookupTableDescriptor,
                             DCM_BluePaletteColorLookupTableDescriptor};
  const DcmTagKey data[3] = {DCM_RedPaletteColorLookupTableData,
                             DCM_GreenPaletteColorLookupTableData,
                             DCM_BluePaletteColorLookupTableData};
  std::vector<uint8_t> lut[3];
  Uint16 first = 0;
  for (int c = 0; c < 3; ++c) {
    Uint16 entries = 0, bits = 0;
    if (d.findAndGetUint16(desc[c], entries, 0).bad() || d.findAndGetUint16(desc[c], first, 1).bad() ||
        d.findAndGetUint16(desc[c], bits, 2).bad())
      return make_error(EINVAL, "palette colour lookup table descriptor missing");
    size_t count = entries == 0 ? 65536 : entries;
    const Uint16* words = nullptr;
    unsigned long nwords = 0;
    if (d.findAndGetUint16Array(data[c], words, &nwords).bad() || words == nullptr)
      return make_error(EINVAL, "palette colour lookup table data missing (segmented tables unsupported)");
    lut[c].resize(count);
    for (size_t k = 0; k < count; ++k) {
      uint16_t v;
      if (bits <= 8) {  // 8-bit entries are packed two per word
        if (k / 2 >= nwords) return make_error(EINVAL, "palette lookup table too short");
        v = (words[k / 2] >> ((k & 1) * 8)) & 0xFF;
        lut[c][k] = static_cast<uint8_t>(v);
      } else {
        if (k >= nwords) return make_error(EINVAL, "palette lookup table too short");
        lut[c][k] = static_cast<uint8_t>(words[k] >> 8);
      }
    }
  }
  const SampleReader read = reader_for(p, frame);
  Image8 out(f.columns, f.rows, 3);
  for (size_t i = 0; i < f.pixels(); ++i) {
    int64_t idx = read(i) - first;
    for (int c = 0; c < 3; ++c) {
      size_t k = static_cast<size_t>(std::clamp<int64_t>(idx, 0, int64_t(lut[c].size()) - 1));
      out.pixels[i * 3 + c] = lut[c][k];
    }
  }
  return out;
}

Image8 render_colour(const DecodedPixels& p, uint32_t frame) {
  const PixelFormat& f = p.format();
  const SampleReader read = reader_for(p, frame);
  const unsigned shift = f.bits_stored > 8 ? f.bits_stored - 8 : 0;
  const size_t n = f.pixels();
  Image8 out(f.columns, f.rows, 3);
  uint8_t* o = out.pixels.data();
  const std::string& pi = f.photometric;
  if (f.chroma_422) {
    // Two pixels share Cb and Cr: Y1 Y2 Cb Cr (PS3.3 C.7.6.3.1.2).
    for (size_t i = 0; i < n; i += 2) {
      size_t base = i / 2 * 4;
      double cb = double(read(base + 2) >> shift) - 128, cr = double(read(base + 3) >> shift) - 128;
      for (size_t k = 0; k < 2 && i + k < n; ++k) {
        double y = double(read(base + k) >> shift);
        o[(i + k) * 3 + 0] = clamp8(y + 1.402 * cr);
        o[(i + k) * 3 + 1] = clamp8(y - 0.344136 * cb - 0.714136 * cr);
        o[(i + k) * 3 + 2] = clamp8(y + 1.772 * cb);
      }
    }
    return out;
  }
  const bool ybr = pi.rfind("YBR", 0) == 0;
  for (size_t i = 0; i < n; ++i) {
    double a = double(read(sample_index(f, i, 0)) >> shift);
    double b = double(read(sample_index(f, i, 1)) >> shift);
    double c = double(read(sample_index(f, i, 2)) >> shift);
    if (ybr) {
      o[i * 3 + 0] = clamp8(a + 1.402 * (c - 128));
      o[i * 3 + 1] = clamp8(a - 0.344136 * (b - 128) - 0.714136 * (c - 128));
      o[i * 3 + 2] = clamp8(a + 1.772 * (b - 128));
    } else {
      o[i * 3 + 0] = clamp8(a);
      o[i * 3 + 1] = clamp8(b);
      o[i * 3 + 2] = clamp8(c);
    }
  }
  return out;
}

}  // namespace

Result<Image8> render_frame(const DecodedPixels& pixels, uint32_t frame, WindowMode mode, bool grey) {
  const PixelFormat& f = pixels.format();
  if (frame >= f.frames) return make_error(EINVAL, "frame out of range");
  Image8 img;
  if (f.samples == 1 && f.photometric == "PALETTE COLOR") {
    auto pal = render_palette(pixels, frame);
    if (!pal) return pal.error();
    img = std::move(*pal);
  } else if (f.samples == 1) {
    img = render_grey(pixels, frame, mode);
  } else {
    img = render_colour(pixels, frame);
  }
  return grey && img.channels != 1 ? to_grey(img) : img;
}

Image8 to_grey(const Image8& image) {
  if (image.channels == 1) return image;
  Image8 out(image.width, image.height, 1);
  const size_t n = size_t(image.width) * image.height;
  const uint8_t* s = image.pixels.data();
  for (size_t i = 0; i < n; ++i, s += image.channels)
    out.pixels[i] = static_cast<uint8_t>((299 * s[0] + 587 * s[1] + 114 * s[2] + 500) / 1000);
  return out;
}

Image8 resize(const Image8& image, uint32_t w, uint32_t h) {
  if (w == 0 || h == 0 || image.empty()) return Image8();
  Image8 out(w, h, image.channels);
  const uint32_t c = image.channels;
  for (uint32_t y = 0; y < h; ++y) {
    uint32_t y0 = uint32_t(uint64_t(y) * image.height / h);
    uint32_t y1 = std::max(y0 + 1, uint32_t(uint64_t(y + 1) * image.height / h));
    for (uint32_t x = 0; x < w; ++x) {
      uint32_t x0 = uint32_t(uint64_t(x) * image.width / w);
      uint32_t x1 = std::max(x0 + 1, uint32_t(uint64_t(x + 1) * image.width / w));
      for (uint32_t k = 0; k < c; ++k) {
        uint64_t sum = 0;
        for (uint32_t yy = y0; yy < y1; ++yy) {
          const uint8_t* r = image.row(yy);
          for (uint32_t xx = x0; xx < x1; ++xx) sum += r[xx * c + k];
        }
        out.row(y)[x * c + k] = static_cast<uint8_t>(sum / (uint64_t(y1 - y0) * (x1 - x0)));
      }
    }
  }
  return out;
}

Image8 upscale_bilinear(const Image8& image, double factor) {
  if (factor <= 1.0 || image.empty()) return image;
  const uint32_t w = uint32_t(std::lround(image.width * factor)), h = uint32_t(std::lround(image.height * factor));
  Image8 out(w, h, image.channels);
  const uint32_t c = image.channels;
  for (uint32_t y = 0; y < h; ++y) {
    const double sy = std::clamp((y + 0.5) / factor - 0.5, 0.0, double(image.height - 1));
    const uint32_t y0 = uint32_t(sy), y1 = std::min(y0 + 1, image.height - 1);
    const double fy = sy - y0;
    for (uint32_t x = 0; x < w; ++x) {
      const double sx = std::clamp((x + 0.5) / factor - 0.5, 0.0, double(image.width - 1));
      const uint32_t x0 = uint32_t(sx), x1 = std::min(x0 + 1, image.width - 1);
      const double fx = sx - x0;
      for (uint32_t k = 0; k < c; ++k) {
        const double top = image.row(y0)[x0 * c + k] * (1 - fx) + image.row(y0)[x1 * c + k] * fx;
        const double bot = image.row(y1)[x0 * c + k] * (1 - fx) + image.row(y1)[x1 * c + k] * fx;
        out.row(y)[x * c + k] = static_cast<uint8_t>(top * (1 - fy) + bot * fy + 0.5);
      }
    }
  }
  return out;
}

Image8 crop(const Image8& image, int x, int y, int w, int h) {
  int x0 = std::max(0, x), y0 = std::max(0, y);
  int x1 = std::min<int>(image.width, x + w), y1 = std::min<int>(image.height, y + h);
  if (x1 <= x0 || y1 <= y0) return Image8();
  Image8 out(x1 - x0, y1 - y0, image.channels);
  for (int yy = y0; yy < y1; ++yy)
    std::copy_n(image.row(yy) + size_t(x0) * image.channels, size_t(x1 - x0) * image.channels,
                out.row(yy - y0));
  return out;
}

}  // namespace obia::ingest
