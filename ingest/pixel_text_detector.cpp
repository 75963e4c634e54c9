// Text likelihood: local-contrast stroke mask -> run-length connected components -> glyph-sized
// components -> chains along a baseline -> lines. Bright-on-dark and dark-on-bright both count.
#include "ingest/pixel_text_detector.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

namespace obia::ingest {
namespace {

// Stroke test: morphological top-hats with a 7 x 7 square. Opening (erode, then dilate)
// removes bright structures thinner than 7 pixels, so image - opening keeps bright strokes
// (glyphs, however tightly spaced) and drops wide regions and their step edges; closing - image
// does the same for dark strokes.
constexpr int kRadius = 3;
constexpr uint8_t kBright = 1, kDark = 2;

struct Component {
  int x0 = 1 << 30, y0 = 1 << 30, x1 = -1, y1 = -1;  // inclusive bounds
  int count = 0;
  double clarity = 0;  // of this glyph against its own surroundings
  int w() const { return x1 - x0 + 1; }
  int h() const { return y1 - y0 + 1; }
};

struct Run {
  int y, x0, x1, label;
};

int find(std::vector<int>& parent, int i) {
  while (parent[i] != i) i = parent[i] = parent[parent[i]];
  return i;
}

void unite(std::vector<int>& parent, int a, int b) {
  a = find(parent, a);
  b = find(parent, b);
  if (a != b) parent[std::max(a, b)] = std::min(a, b);
}

// Running minimum (or maximum) over 2 * kRadius + 1 pixels along rows, then along columns.
// Borders replicate the edge pixel. Plain loops over bytes: the compiler vectorises them.
template <bool kMin>
void filter_rows(const uint8_t* in, uint8_t* out, int W, int H) {
  std::vector<uint8_t> pad(size_t(W) + 2 * kRadius);
  for (int y = 0; y < H; ++y) {
    const uint8_t* r = in + size_t(y) * W;
    std::copy_n(r, W, pad.begin() + kRadius);
    std::fill_n(pad.begin(), kRadius, r[0]);
    std::fill_n(pad.begin() + kRadius + W, kRadius, r[W - 1]);
    uint8_t* o = out + size_t(y) * W;
    const uint8_t* p = pad.data();
    std::copy_n(p, W, o);
    for (int k = 1; k <= 2 * kRadius; ++k) {
      const uint8_t* __restrict q = p + k;
      uint8_t* __restrict oo = o;
      for (int x = 0; x < W; ++x) oo[x] = kMin ? std::min(oo[x], q[x]) : std::max(oo[x], q[x]);
    }
  }
}

template <bool kMin>
void filter_columns(const uint8_t* in, uint8_t* out, int W, int H) {
  for (int y = 0; y < H; ++y) {
    uint8_t* o = out + size_t(y) * W;
    std::copy_n(in + size_t(std::max(0, y - kRadius)) * W, W, o);
    for (int k = -kRadius + 1; k <= kRadius; ++k) {
      const uint8_t* __restrict r = in + size_t(std::clamp(y + k, 0, H - 1)) * W;
      uint8_t* __restrict oo = o;
      for (int x = 0; x < W; ++x) oo[x] = kMin ? std::min(oo[x], r[x]) : std::max(oo[x], r[x]);
    }
  }
}

template <bool kMin>
void filter_square(const uint8_t* in, uint8_t* out, uint8_t* tmp, int W, int H) {
  filter_rows<kMin>(in, tmp, W, H);
  filter_columns<kMin>(tmp, out, W, H);
}

// Marks stroke pixels of both polarities (kBright, kDark). The work buffers are kept per
// thread: fresh ones would cost page faults on every frame.
const std::vector<uint8_t>& stroke_mask(const Image8& g, int contrast) {
  const int W = g.width, H = g.height;
  const size_t n = size_t(W) * H;
  thread_local std::vector<uint8_t> a, b, tmp, mask;
  for (auto* v : {&a, &b, &tmp, &mask}) v->resize(n);
  const uint8_t* img = g.pixels.data();
  const uint8_t t = static_cast<uint8_t>(std::clamp(contrast, 1, 255));
  filter_square<true>(img, a.data(), tmp.data(), W, H);        // erosion
  filter_square<false>(a.data(), b.data(), tmp.data(), W, H);  // opening
  // __restrict: byte stores may alias anything, which would keep these loops scalar.
  uint8_t* __restrict m = mask.data();
  const uint8_t* __restrict im = img;
  const uint8_t* __restrict bb = b.data();
  for (size_t i = 0; i < n; ++i) {
    const uint8_t d = im[i] > bb[i] ? uint8_t(im[i] - bb[i]) : uint8_t(0);
    m[i] = d >= t ? kBright : 0;
  }
  filter_square<false>(img, a.data(), tmp.data(), W, H);       // dilation
  filter_square<true>(a.data(), b.data(), tmp.data(), W, H);   // closing
  for (size_t i = 0; i < n; ++i) {
    const uint8_t d = bb[i] > im[i] ? uint8_t(bb[i] - im[i]) : uint8_t(0);
    m[i] = uint8_t(m[i] | (d >= t ? kDark : 0));
  }
  return mask;
}

// Integer-factor box downscale (large radiographs and film scans).
Image8 shrink(const Image8& in, int f) {
  const uint32_t w = in.width / f, h = in.height / f;
  Image8 out(w, h, 1);
  std::vector<uint32_t> acc(w);
  for (uint32_t y = 0; y < h; ++y) {
    std::fill(acc.begin(), acc.end(), 0);
    for (int k = 0; k < f; ++k) {
      const uint8_t* r = in.pixels.data() + size_t(y * f + k) * in.width;
      for (uint32_t x = 0; x < w; ++x)
        for (int j = 0; j < f; ++j) acc[x] += r[x * f + j];
    }
    uint8_t* o = out.pixels.data() + size_t(y) * w;
    for (uint32_t x = 0; x < w; ++x) o[x] = static_cast<uint8_t>(acc[x] / uint32_t(f * f));
  }
  return out;
}

// Connected components (8-connected) of one polarity of the stroke mask, from pixel runs.
std::vector<Component> stroke_components(const std::vector<uint8_t>& mask, int W, int H, uint8_t bit) {
  std::vector<Run> runs;
  std::vector<int> parent;
  size_t prev_begin = 0, prev_end = 0;
  for (int y = 0; y < H; ++y) {
    const uint8_t* row = &mask[size_t(y) * W];
    const size_t row_begin = runs.size();
    int run_start = -1;
    for (int x = 0; x <= W; ++x) {
      // Most of the mask is empty: skip eight clear bytes at a time between runs.
      if (run_start < 0) {
        while (x + 8 <= W) {
          uint64_t word;
          std::memcpy(&word, row + x, 8);
          if (word & (0x0101010101010101ull * bit)) break;
          x += 8;
        }
      }
      const bool on = x < W && (row[x] & bit);
      if (on && run_start < 0) run_start = x;
      if (!on && run_start >= 0) {
        const int label = static_cast<int>(parent.size());
        parent.push_back(label);
        runs.push_back({y, run_start, x - 1, label});
        // 8-connectivity: touch a run of the row above that overlaps [start - 1, end + 1].
        for (size_t k = prev_begin; k < prev_end; ++k) {
          const Run& p = runs[k];
          if (p.x1 < run_start - 1) continue;
          if (p.x0 > x) break;
          unite(parent, label, p.label);
        }
        run_start = -1;
      }
    }
    prev_begin = row_begin;
    prev_end = runs.size();
  }
  std::vector<int> index(parent.size(), -1);
  std::vector<Component> comps;
  for (const Run& r : runs) {
    int root = find(parent, r.label);
    if (index[root] < 0) {
      index[root] = static_cast<int>(comps.size());
      comps.emplace_back();
    }
    Component& c = comps[index[root]];
    c.x0 = std::min(c.x0, r.x0);
    c.x1 = std::max(c.x1, r.x1);
    c.y0 = std::min(c.y0, r.y);
    c.y1 = std::max(c.y1, r.y);
    c.count += r.x1 - r.x0 + 1;
  }
  return comps;
}

// Glyph-sized and glyph-shaped: strokes fill part of the box, never all of it (except thin
// bars such as 1, l, I), and several letters may have merged into one wider component.
bool glyph_like(const Component& c, const DetectorSettings& s) {
  const int w = c.w(), h = c.h();
  if (h < s.min_glyph_height || h > s.max_glyph_height) return false;
  if (c.count < 6 || w > 8 * h) return false;
  const double fill = double(c.count) / (double(w) * h);
  if (w <= std::max(2, h / 4)) return fill >= 0.5;  // a bar
  return fill >= 0.12 && fill <= 0.85;
}

int glyph_estimate(const Component& c) {
  return std::max(1, static_cast<int>(std::lround(c.w() / (0.65 * c.h()))));
}

bool bar(const Component& c) { return c.w() <= std::max(2, c.h() / 4); }

// Clarity of one glyph's box: stroke pixels against the pixels more than a pixel away
// from any stroke pixel, in the box grown by 4. A box that is mostly "stroke" (dense noise)
// has too little background to count as text.
double clarity(const Image8& g, const std::vector<uint8_t>& mask, uint8_t bit, const Box& b) {
  const int W = g.width, H = g.height;
  const int x0 = std::max(0, b.x - 4), y0 = std::max(0, b.y - 4);
  const int x1 = std::min(W, b.x + b.w + 4), y1 = std::min(H, b.y + b.h + 4);
  double s_sum = 0, b_sum = 0, b_sq = 0;
  int s_n = 0, b_n = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) {
      const double v = g.pixels[size_t(y) * W + x];
      if (mask[size_t(y) * W + x] & bit) {
        s_sum += v;
        ++s_n;
        continue;
      }
      bool near = false;
      for (int dy = -1; dy <= 1 && !near; ++dy)
        for (int dx = -1; dx <= 1 && !near; ++dx) {
          const int yy = y + dy, xx = x + dx;
          near = yy >= 0 && xx >= 0 && yy < H && xx < W && (mask[size_t(yy) * W + xx] & bit);
        }
      if (near) continue;
      b_sum += v;
      b_sq += v * v;
      ++b_n;
    }
  const int area = (x1 - x0) * (y1 - y0);
  if (s_n == 0 || b_n * 5 < area) return 0;
  const double sm = s_sum / s_n, bm = b_sum / b_n;
  const double sd = std::sqrt(std::max(0.0, b_sq / b_n - bm * bm));
  return std::abs(sm - bm) / (sd + 4.0);
}

// Chains glyphs left to right along a shared band; returns accepted lines.
std::vector<TextLine> lines_of(std::vector<Component> glyphs, int W, int H, const DetectorSettings& s) {
  std::sort(glyphs.begin(), glyphs.end(), [](const Component& a, const Component& b) { return a.x0 < b.x0; });
  const int n = static_cast<int>(glyphs.size());
  std::vector<int> parent(n);
  std::iota(parent.begin(), parent.end(), 0);
  for (int i = 0; i < n; ++i) {
    const Component& a = glyphs[i];
    int best = -1, best_gap = 1 << 30;
    for (int j = i + 1; j < n; ++j) {
      const Component& b = glyphs[j];
      const int hmax = std::max(a.h(), b.h()), hmin = std::min(a.h(), b.h());
      if (b.x0 > a.x1 + hmax + 1) break;
      const int gap = b.x0 - a.x1 - 1;
      if (gap < -std::min(a.w(), b.w()) / 4) continue;
      if (hmax > 2 * hmin) continue;
      const int overlap = std::min(a.y1, b.y1) - std::max(a.y0, b.y0) + 1;
      if (overlap * 2 < hmin) continue;
      if (gap < best_gap) {
        best_gap = gap;
        best = j;
      }
    }
    if (best >= 0) unite(parent, i, best);
  }
  std::vector<std::vector<int>> chains(n);
  for (int i = 0; i < n; ++i) chains[find(parent, i)].push_back(i);

  std::vector<TextLine> lines;
  for (const auto& chain : chains) {
    if (chain.size() < 2) continue;
    std::vector<int> heights, bottoms, tops;
    std::vector<double> clarities;
    int non_bars = 0, glyph_count = 0;
    Box box{1 << 30, 1 << 30, 0, 0};
    int x1 = -1, y1 = -1;
    for (int i : chain) {
      const Component& c = glyphs[i];
      heights.push_back(c.h());
      clarities.push_back(c.clarity);
      bottoms.push_back(c.y1);
      tops.push_back(c.y0);
      non_bars += bar(c) ? 0 : 1;
      glyph_count += glyph_estimate(c);
      box.x = std::min(box.x, c.x0);
      box.y = std::min(box.y, c.y0);
      x1 = std::max(x1, c.x1);
      y1 = std::max(y1, c.y1);
    }
    if (non_bars < 2) continue;
    auto median = [](std::vector<int> v) {
      std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
      return v[v.size() / 2];
    };
    const int mh = median(heights), mb = median(bottoms), mt = median(tops);
    int consistent = 0, aligned = 0;
    for (size_t k = 0; k < heights.size(); ++k) {
      consistent += heights[k] * 3 >= mh * 2 && heights[k] * 2 <= mh * 3;
      aligned += std::abs(bottoms[k] - mb) * 10 <= mh * 3 || std::abs(tops[k] - mt) * 10 <= mh * 3;
    }
    const int m = static_cast<int>(chain.size());
    if (consistent * 10 < m * 7 || aligned * 10 < m * 7) continue;
    box.w = x1 - box.x + 1;
    box.h = y1 - box.y + 1;
    TextLine line;
    line.box = box;
    line.glyphs = glyph_count;
    // The median glyph: text crossing from air onto anatomy keeps its clarity letter by letter.
    std::nth_element(clarities.begin(), clarities.begin() + clarities.size() / 2, clarities.end());
    line.clarity = clarities[clarities.size() / 2];

    if (line.clarity < s.min_clarity) continue;
    const double bw = s.border_band * W, bh = s.border_band * H;
    line.near_border = y1 < bh || box.y > H - bh || x1 < bw || box.x > W - bw;
    if (line.glyphs >= (line.near_border ? s.min_line_glyphs : s.min_centre_glyphs))
      lines.push_back(line);
  }
  return lines;
}

}  // namespace

TextDetection detect_text(const Image8& input, const DetectorSettings& s) {
  TextDetection out;
  if (input.empty() || input.channels != 1) return out;
  const uint64_t px = uint64_t(input.width) * input.height;
  int factor = 1;
  if (px > s.max_pixels) factor = static_cast<int>(std::ceil(std::sqrt(double(px) / s.max_pixels)));
  Image8 scaled;
  if (factor > 1) scaled = shrink(input, factor);
  const Image8& g = factor > 1 ? scaled : input;
  const int W = g.width, H = g.height;
  if (W < 8 || H < 8) return out;

  const std::vector<uint8_t>& mask = stroke_mask(g, s.contrast);  // valid until the next call
  for (uint8_t bit : {kBright, kDark}) {
    std::vector<Component> glyphs;
    for (Component& c : stroke_components(mask, W, H, bit))
      if (glyph_like(c, s)) {
        c.clarity = clarity(g, mask, bit, {c.x0, c.y0, c.w(), c.h()});
        glyphs.push_back(c);
      }
    for (TextLine& l : lines_of(std::move(glyphs), W, H, s)) {
      l.box = {l.box.x * factor, l.box.y * factor, l.box.w * factor, l.box.h * factor};
      l.bright = bit == kBright;
      out.lines.push_back(l);
    }
  }
  // Both polarities see the same text (the counters inside bright letters are dark strokes):
  // keep, of overlapping lines of opposite polarity, the one with more glyphs.
  std::vector<TextLine> kept;
  for (const TextLine& l : out.lines) {
    bool dominated = false;
    for (const TextLine& o : out.lines) {
      if (&o == &l || o.bright == l.bright) continue;
      const int ix = std::min(l.box.x + l.box.w, o.box.x + o.box.w) - std::max(l.box.x, o.box.x);
      const int iy = std::min(l.box.y + l.box.h, o.box.y + o.box.h) - std::max(l.box.y, o.box.y);
      if (ix <= 0 || iy <= 0) continue;
      const bool overlaps = int64_t(ix) * iy * 2 >= int64_t(l.box.w) * l.box.h;
      if (overlaps && (o.glyphs > l.glyphs || (o.glyphs == l.glyphs && o.bright))) dominated = true;
    }
    if (!dominated) kept.push_back(l);
  }
  out.lines = std::move(kept);
  out.candidate = !out.lines.empty();
  return out;
}

Image8 ink_image(const Image8& grey, bool bright, int contrast) {
  Image8 out(grey.width, grey.height, 1, 255);
  if (grey.empty() || grey.channels != 1) return out;
  const int W = grey.width, H = grey.height;
  const uint8_t bit = bright ? kBright : kDark;
  const std::vector<uint8_t>& mask = stroke_mask(grey, contrast);
  // Threshold halfway between the stroke pixels' and the other pixels' median grey.
  std::vector<uint8_t> ink, rest;
  for (size_t i = 0; i < mask.size(); ++i) ((mask[i] & bit) ? ink : rest).push_back(grey.pixels[i]);
  if (ink.empty() || rest.empty()) return out;
  auto median = [](std::vector<uint8_t>& v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return int(v[v.size() / 2]);
  };
  const int threshold = (median(ink) + median(rest)) / 2;
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      const int v = grey.pixels[size_t(y) * W + x];
      if (bright ? v < threshold : v > threshold) continue;
      // Grown by 3 pixels: thick or anti-aliased strokes only pass the stroke test in their
      // middle; the threshold keeps the growth on ink.
      bool near = false;
      for (int dy = -3; dy <= 3 && !near; ++dy)
        for (int dx = -3; dx <= 3 && !near; ++dx) {
          const int yy = y + dy, xx = x + dx;
          near = yy >= 0 && xx >= 0 && yy < H && xx < W && (mask[size_t(yy) * W + xx] & bit);
        }
      if (near) out.pixels[size_t(y) * W + x] = 0;
    }
  return out;
}

}  // namespace obia::ingest
