// Resampling of single-channel float images: area averaging down, bilinear up.
#include "index/similarity/image.h"

#include <algorithm>
#include <cmath>

namespace obia::similarity {
namespace {

// Weights of source samples for one output sample along one axis.
struct Tap {
  int first = 0;               // first source index
  std::vector<float> weights;  // consecutive source samples from `first`, summing to 1
};

// Area averaging: output sample i covers source interval [i*s, (i+1)*s) with s = n/m.
std::vector<Tap> area_taps(int n, int m) {
  std::vector<Tap> taps(static_cast<size_t>(m));
  const double s = static_cast<double>(n) / m;
  for (int i = 0; i < m; ++i) {
    double a = i * s, b = (i + 1) * s;
    int first = static_cast<int>(std::floor(a));
    int last = std::min(n - 1, static_cast<int>(std::ceil(b)) - 1);
    Tap& t = taps[static_cast<size_t>(i)];
    t.first = first;
    for (int j = first; j <= last; ++j) {
      double lo = std::max(a, static_cast<double>(j)), hi = std::min(b, static_cast<double>(j + 1));
      t.weights.push_back(static_cast<float>(std::max(0.0, hi - lo) / s));
    }
  }
  return taps;
}

// Bilinear with pixel centres aligned (half-pixel convention).
std::vector<Tap> linear_taps(int n, int m) {
  std::vector<Tap> taps(static_cast<size_t>(m));
  const double s = static_cast<double>(n) / m;
  for (int i = 0; i < m; ++i) {
    double x = (i + 0.5) * s - 0.5;
    x = std::clamp(x, 0.0, static_cast<double>(n - 1));
    int x0 = static_cast<int>(std::floor(x));
    int x1 = std::min(n - 1, x0 + 1);
    float f = static_cast<float>(x - x0);
    Tap& t = taps[static_cast<size_t>(i)];
    t.first = x0;
    if (x1 == x0) t.weights = {1.0f};
    else t.weights = {1.0f - f, f};
  }
  return taps;
}

std::vector<Tap> taps_for(int n, int m) { return m < n ? area_taps(n, m) : linear_taps(n, m); }

}  // namespace

GrayImage from_u8(int width, int height, std::span<const uint8_t> values) {
  GrayImage img;
  img.width = width;
  img.height = height;
  img.pixels.resize(values.size());
  for (size_t i = 0; i < values.size(); ++i) img.pixels[i] = values[i] * (1.0f / 255.0f);
  return img;
}

GrayImage resize(const GrayImage& in, int w, int h) {
  if (in.width == w && in.height == h) return in;
  GrayImage out;
  out.width = w;
  out.height = h;
  out.pixels.assign(static_cast<size_t>(w) * h, 0.0f);
  if (in.empty() || w <= 0 || h <= 0) return out;
  // Separable: rows first (to w columns), then columns (to h rows).
  auto tx = taps_for(in.width, w);
  auto ty = taps_for(in.height, h);
  std::vector<float> mid(static_cast<size_t>(w) * in.height);
  for (int y = 0; y < in.height; ++y) {
    const float* row = &in.pixels[static_cast<size_t>(y) * in.width];
    for (int x = 0; x < w; ++x) {
      const Tap& t = tx[static_cast<size_t>(x)];
      float acc = 0;
      for (size_t j = 0; j < t.weights.size(); ++j) acc += t.weights[j] * row[t.first + j];
      mid[static_cast<size_t>(y) * w + x] = acc;
    }
  }
  for (int y = 0; y < h; ++y) {
    const Tap& t = ty[static_cast<size_t>(y)];
    float* dst = &out.pixels[static_cast<size_t>(y) * w];
    for (size_t j = 0; j < t.weights.size(); ++j) {
      const float* src = &mid[static_cast<size_t>(t.first + static_cast<int>(j)) * w];
      float wt = t.weights[j];
      for (int x = 0; x < w; ++x) dst[x] += wt * src[x];
    }
    for (int x = 0; x < w; ++x) dst[x] = std::clamp(dst[x], 0.0f, 1.0f);
  }
  return out;
}

std::vector<uint8_t> to_u8(const GrayImage& img) {
  std::vector<uint8_t> out(img.pixels.size());
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<uint8_t>(std::lround(std::clamp(img.pixels[i], 0.0f, 1.0f) * 255.0f));
  return out;
}

}  // namespace obia::similarity
