// Tesseract engine per thread, region preparation (crop, upscale, dark text on light) and the
// acceptance rules that keep texture (speckle, trabecular bone) from counting as words.
#include "ingest/ocr_tesseract.h"

#include <tesseract/baseapi.h>
#include <tesseract/resultiterator.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <memory>
#include <string>

#include "common/fd.h"
#include "ingest/pixel_png.h"

namespace obia::ingest {
namespace {

// RAII for the engine: End() releases the models before the object goes.
struct Engine {
  tesseract::TessBaseAPI api;
  bool ready = false;
  Engine() {
    // Debian installs the models where libtesseract looks by default (datapath nullptr).
    ready = api.Init(nullptr, "eng", tesseract::OEM_LSTM_ONLY) == 0;
    if (!ready) return;
    api.SetVariable("debug_file", "/dev/null");      // no chatter on the daemon's stderr
    api.SetVariable("tessedit_do_invert", "0");      // we hand it dark text on light already
    api.SetPageSegMode(tesseract::PSM_SPARSE_TEXT);  // annotations are scattered, not a page
  }
  ~Engine() { api.End(); }
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;
};

tesseract::TessBaseAPI* engine() {
  thread_local std::unique_ptr<Engine> e = std::make_unique<Engine>();
  return e->ready ? &e->api : nullptr;
}

struct Word {
  Box box;
  float confidence = 0;
  int alnum = 0;
};

// Reads one prepared region; boxes are mapped back by (ox, oy, scale).
void read_region(tesseract::TessBaseAPI& api, const Image8& img, int ox, int oy, double scale,
                 std::vector<Word>& out) {
  api.SetImage(img.pixels.data(), int(img.width), int(img.height), 1, int(img.width));
  api.SetSourceResolution(300);
  if (api.Recognize(nullptr) != 0) return;
  std::unique_ptr<tesseract::ResultIterator> it(api.GetIterator());
  if (!it) return;
  do {
    std::unique_ptr<char[]> text(it->GetUTF8Text(tesseract::RIL_WORD));
    if (!text) continue;
    Word w;
    int length = 0;
    for (const char* p = text.get(); *p; ++p) {
      if (std::isspace(static_cast<unsigned char>(*p))) continue;
      ++length;
      if (std::isalnum(static_cast<unsigned char>(*p))) ++w.alnum;
    }
    // Mostly symbols (|, ~, _, quotes) is what texture reads as.
    if (length == 0 || w.alnum * 10 < length * 6) continue;
    w.confidence = it->Confidence(tesseract::RIL_WORD);
    int l = 0, t = 0, r = 0, b = 0;
    if (!it->BoundingBox(tesseract::RIL_WORD, &l, &t, &r, &b)) continue;
    w.box = {ox + int(std::floor(l / scale)), oy + int(std::floor(t / scale)),
             std::max(1, int(std::ceil((r - l) / scale))), std::max(1, int(std::ceil((b - t) / scale)))};
    out.push_back(w);
  } while (it->Next(tesseract::RIL_WORD));
  api.Clear();
}

// Dark background -> invert, so text is dark on light as Tesseract's models expect.
void normalise_polarity(Image8& img) {
  uint64_t sum = 0;
  for (uint8_t v : img.pixels) sum += v;
  if (!img.pixels.empty() && sum / img.pixels.size() < 128)
    for (uint8_t& v : img.pixels) v = 255 - v;
}

// Three 3x3 box blurs (close to a Gaussian of sigma 1.4) on white-background ink.
Image8 soften(const Image8& in) {
  Image8 a = in, b = in;
  const int W = in.width, H = in.height;
  for (int pass = 0; pass < 3; ++pass) {
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x) {
        int sum = 0, n = 0;
        for (int dy = -1; dy <= 1; ++dy)
          for (int dx = -1; dx <= 1; ++dx) {
            const int yy = y + dy, xx = x + dx;
            if (yy < 0 || xx < 0 || yy >= H || xx >= W) continue;
            sum += a.pixels[size_t(yy) * W + xx];
            ++n;
          }
        b.pixels[size_t(y) * W + x] = static_cast<uint8_t>(sum / n);
      }
    std::swap(a, b);
  }
  return a;
}

// Where one region sits in the strip image, to map word boxes back.
struct Strip {
  int top = 0, bottom = 0;  // rows in the strip image
  int ox = 0, oy = 0;       // top-left of the cut-out in the source image
  double scale = 1;
};

constexpr int kPad = 12;                  // white space around each strip: word separation
constexpr uint32_t kMaxStripRows = 3000;  // one OCR pass per this many rows
constexpr size_t kMaxRegions = 96;        // film scans hold hundreds of lines; enough is enough

void read_strips(tesseract::TessBaseAPI& api, std::vector<Image8>& parts, std::vector<Strip>& strips,
                 std::vector<Word>& out) {
  if (parts.empty()) return;
  uint32_t width = 0, height = kPad;
  for (const Image8& p : parts) {
    width = std::max(width, p.width + 2 * kPad);
    height += p.height + kPad;
  }
  Image8 sheet(width, height, 1, 255);
  int y = kPad;
  for (size_t i = 0; i < parts.size(); ++i) {
    for (uint32_t r = 0; r < parts[i].height; ++r)
      std::copy_n(parts[i].row(r), parts[i].width, sheet.row(y + r) + kPad);
    strips[i].top = y;
    strips[i].bottom = y + int(parts[i].height);
    y += int(parts[i].height) + kPad;
  }
  if (const char* dump = std::getenv("OBIA_OCR_DUMP")) {  // tuning: see what Tesseract sees
    static int n = 0;
    if (auto png = encode_png(sheet))
      (void)write_file_atomic(std::string(dump) + "/strip" + std::to_string(n++) + ".png", *png);
  }
  std::vector<Word> words;
  read_region(api, sheet, 0, 0, 1.0, words);
  for (Word w : words) {
    const int cy = w.box.y + w.box.h / 2;
    for (const Strip& s : strips) {
      if (cy < s.top - kPad / 2 || cy >= s.bottom + kPad / 2) continue;
      const double sc = s.scale;
      w.box = {s.ox + int(std::floor((w.box.x - kPad) / sc)), s.oy + int(std::floor((w.box.y - s.top) / sc)),
               std::max(1, int(std::ceil(w.box.w / sc))), std::max(1, int(std::ceil(w.box.h / sc)))};
      out.push_back(w);
      break;
    }
  }
  parts.clear();
  strips.clear();
}

// Pieces of one text line (split where letters touch anatomy) become one region: same
// polarity, mostly the same rows, gaps of up to three glyph heights.
std::vector<OcrRegion> merge_regions(std::vector<OcrRegion> regions) {
  std::sort(regions.begin(), regions.end(), [](const OcrRegion& a, const OcrRegion& b) {
    return a.box.y != b.box.y ? a.box.y < b.box.y : a.box.x < b.box.x;
  });
  std::vector<OcrRegion> out;
  std::vector<bool> used(regions.size(), false);
  for (size_t i = 0; i < regions.size(); ++i) {
    if (used[i]) continue;
    OcrRegion cur = regions[i];
    for (bool grew = true; grew;) {
      grew = false;
      for (size_t j = i + 1; j < regions.size(); ++j) {
        if (used[j] || regions[j].bright != cur.bright) continue;
        const Box& a = cur.box;
        const Box& b = regions[j].box;
        const int overlap = std::min(a.y + a.h, b.y + b.h) - std::max(a.y, b.y);
        const int h = std::min(a.h, b.h);
        const int gap = std::max(b.x - (a.x + a.w), a.x - (b.x + b.w));
        if (overlap * 10 < h * 6 || gap > 3 * std::max(a.h, b.h)) continue;
        const int x0 = std::min(a.x, b.x), y0 = std::min(a.y, b.y);
        const int x1 = std::max(a.x + a.w, b.x + b.w), y1 = std::max(a.y + a.h, b.y + b.h);
        cur.box = {x0, y0, x1 - x0, y1 - y0};
        used[j] = grew = true;
      }
    }
    out.push_back(cur);
  }
  return out;
}

// The acceptance rules. `t` holds the thresholds for how the words were found.
struct Thresholds {
  int min_confidence, strong_confidence, min_alnum;
};

OcrFinding judge(const std::vector<Word>& words, const Image8& grey, const Thresholds& t) {
  OcrFinding f;
  int strong = 0, accepted = 0;
  static const bool debug = std::getenv("OBIA_OCR_DEBUG") != nullptr;  // tuning: no text shown
  for (const Word& w : words) {
    if (debug)
      std::fprintf(stderr, "ocr word %d,%d %dx%d conf %.0f alnum %d\n", w.box.x, w.box.y, w.box.w,
                   w.box.h, w.confidence, w.alnum);
    // Plausible annotation size: not a speck, not a quarter of the frame.
    if (w.box.h < 5 || w.box.h > int(grey.height) / 4) continue;
    if (w.confidence < t.min_confidence || w.alnum < t.min_alnum) continue;
    ++accepted;
    if (w.alnum >= 3 && w.confidence >= t.strong_confidence) ++strong;
    f.words.push_back(w.box);
  }
  f.text = strong >= 1 || accepted >= 2;
  return f;
}

}  // namespace

bool ocr_available() { return engine() != nullptr; }

Result<OcrFinding> find_text(const Image8& grey, const std::vector<OcrRegion>& regions,
                             const OcrSettings& s) {
  if (grey.channels != 1 || grey.empty()) return make_error(EINVAL, "OCR needs a grey image");
  tesseract::TessBaseAPI* api = engine();
  if (api == nullptr) return make_error(ENOENT, "Tesseract English model not available (tesseract-ocr-eng)");
  // Prepared once; read sharp, then (only if that finds nothing) softened: Tesseract's models
  // know smooth fonts and misread blocky pixel fonts that a slight blur turns into strokes.
  std::vector<std::pair<Image8, Strip>> prepared;
  const std::vector<OcrRegion> merged = merge_regions(regions);
  for (size_t i = 0; i < merged.size() && i < kMaxRegions; ++i) {
    const Box& r = merged[i].box;
    // A glyph's width of margin left and right: the detector may have missed end letters
    // that touch anatomy.
    const int mx = std::max(4, r.h), my = std::max(3, r.h / 3);
    const int ox = std::max(0, r.x - mx), oy = std::max(0, r.y - my);
    Image8 cut = crop(grey, r.x - mx, r.y - my, r.w + 2 * mx, r.h + 2 * my);
    if (cut.empty()) continue;
    const double scale = std::clamp(double(s.target_text_height) / std::max(1, r.h), 1.0, 4.0);
    prepared.emplace_back(upscale_bilinear(ink_image(cut, merged[i].bright), scale),
                          Strip{0, 0, ox, oy, scale});
  }
  OcrFinding found;
  for (bool soft : {false, true}) {
    std::vector<Word> words;
    std::vector<Image8> parts;
    std::vector<Strip> strips;
    uint32_t rows = 0;
    for (const auto& [image, strip] : prepared) {
      if (rows + image.height > kMaxStripRows) {
        read_strips(*api, parts, strips, words);
        rows = 0;
      }
      rows += image.height + kPad;
      strips.push_back(strip);
      parts.push_back(soft ? soften(image) : image);
    }
    read_strips(*api, parts, strips, words);
    found = judge(words, grey, {s.region_min_confidence, s.region_strong_confidence, 3});
    if (found.text) break;
  }
  return found;
}

Result<OcrFinding> find_text_anywhere(const Image8& grey, const OcrSettings& s) {
  if (grey.channels != 1 || grey.empty()) return make_error(EINVAL, "OCR needs a grey image");
  tesseract::TessBaseAPI* api = engine();
  if (api == nullptr) return make_error(ENOENT, "Tesseract English model not available (tesseract-ocr-eng)");
  // Annotation fonts are small (8-16 px): double them unless the frame is large already.
  const double scale = std::max(grey.width, grey.height) <= 1400 ? 2.0 : 1.0;
  Image8 img = upscale_bilinear(grey, scale);
  normalise_polarity(img);
  std::vector<Word> words;
  read_region(*api, img, 0, 0, scale, words);
  // Whole-frame OCR also "reads" texture (speckle, bone, noise). Keep only words whose box
  // holds a row of glyph-like strokes by the detector's own test, with relaxed glyph counts.
  DetectorSettings relaxed;
  relaxed.min_line_glyphs = relaxed.min_centre_glyphs = 2;
  std::vector<Word> confirmed;
  for (const Word& w : words) {
    const int m = std::max(4, w.box.h / 2);
    Image8 cut = crop(grey, w.box.x - m, w.box.y - m, w.box.w + 2 * m, w.box.h + 2 * m);
    if (!cut.empty() && detect_text(cut, relaxed).candidate) confirmed.push_back(w);
  }
  return judge(confirmed, grey, {s.min_confidence, s.strong_confidence, 2});
}

}  // namespace obia::ingest
