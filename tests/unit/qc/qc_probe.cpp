// qc_probe: developer tool for tuning the burned-in text detector and OCR on real files.
//   qc_probe [--verdict] [--ocr] [--png DIR] [--repeat N] [--stamp TEXT SCALE] FILE...
// Prints per file: decode/render/detect/OCR times, detector lines and OCR word boxes (never the
// recognised text). With --png, writes the rendered first frame with boxes drawn.
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "common/result.h"
#include "ingest/dicom_io.h"
#include "ingest/ocr_tesseract.h"
#include "ingest/pixel_decode.h"
#include "ingest/pixel_font.h"
#include "ingest/pixel_png.h"
#include "ingest/pixel_render.h"
#include "ingest/pixel_text_detector.h"
#include "ingest/qc_burned_in.h"

using namespace obia::ingest;
using obia::Result;
using Clock = std::chrono::steady_clock;

static double ms(Clock::time_point a) {
  return std::chrono::duration<double, std::milli>(Clock::now() - a).count();
}

static void outline(Image8& img, const Box& b, uint8_t v) {
  for (int x = b.x; x < b.x + b.w; ++x)
    for (int y : {b.y, b.y + b.h - 1})
      if (x >= 0 && y >= 0 && x < int(img.width) && y < int(img.height)) img.row(y)[x] = v;
  for (int y = b.y; y < b.y + b.h; ++y)
    for (int x : {b.x, b.x + b.w - 1})
      if (x >= 0 && y >= 0 && x < int(img.width) && y < int(img.height)) img.row(y)[x] = v;
}

int main(int argc, char** argv) {
  bool ocr = false;
  bool verdict_mode = false;  // --verdict: the stage's own decision (find_burned_in_text)
  int repeat = 1;
  std::string stamp;  // --stamp TEXT SCALE: draw TEXT (white) into the top-left corner first
  int stamp_scale = 1;
  std::string png_dir;
  int rc = 0;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--ocr")) { ocr = true; continue; }
    if (!std::strcmp(argv[i], "--verdict")) { verdict_mode = true; continue; }
    if (!std::strcmp(argv[i], "--png") && i + 1 < argc) { png_dir = argv[++i]; continue; }
    if (!std::strcmp(argv[i], "--stamp") && i + 2 < argc) {
      stamp = argv[++i];
      stamp_scale = std::atoi(argv[++i]);
      continue;
    }
    if (!std::strcmp(argv[i], "--repeat") && i + 1 < argc) { repeat = std::atoi(argv[++i]); continue; }
    std::string path = argv[i];
    auto file = load_dicom(path);
    if (!file) { std::cout << path << "\tparse-error\n"; continue; }
    auto t0 = Clock::now();
    auto px = decode_pixels(*(*file)->getDataset());
    double t_decode = ms(t0);
    if (!px) { std::cout << path << "\tundecodable\t" << px.error().message << "\n"; rc = 1; continue; }
    if (!*px) { std::cout << path << "\tno-pixels\n"; continue; }
    double t_render = 1e9;
    Result<Image8> img = Image8();
    for (int k = 0; k < repeat; ++k) {
      t0 = Clock::now();
      img = render_frame(**px, 0, WindowMode::FileOrPercentile, true);
      t_render = std::min(t_render, ms(t0));
    }
    if (!img) { std::cout << path << "\trender-error\t" << img.error().message << "\n"; continue; }
    if (img && !stamp.empty()) {
      const uint8_t white = 255;
      draw_text(*img, 10, 10, stamp, stamp_scale, &white);
      draw_text(*img, 10, int(img->height) - 10 - 7 * stamp_scale, "2019-04-17 KOWALSKI", stamp_scale, &white);
    }
    DetectorSettings settings;
    if (const char* c = std::getenv("OBIA_MIN_CLARITY")) settings.min_clarity = std::atof(c);
    TextDetection det;
    double t_detect = 1e9;
    for (int k = 0; k < repeat; ++k) {
      t0 = Clock::now();
      det = detect_text(*img, settings);
      t_detect = std::min(t_detect, ms(t0));
    }
    std::cout << path << "\t" << (*px)->format().columns << "x" << (*px)->format().rows << "\t"
              << (*px)->format().photometric << "\tdecode " << t_decode << " ms\trender " << t_render
              << " ms\tdetect " << t_detect << " ms\tlines " << det.lines.size()
              << (det.candidate ? " CANDIDATE" : "");
    std::vector<Box> boxes;
    std::vector<OcrRegion> regions;
    for (auto& l : det.lines) {
      boxes.push_back(l.box);
      regions.push_back({l.box, l.bright});
    }
    OcrFinding found;
    if (verdict_mode) {
      BurnedInSettings bs;
      bs.detector = settings;
      const std::string why = whole_image_reason(*(*file)->getDataset(), (*px)->format(), bs);
      t0 = Clock::now();
      auto v = find_burned_in_text(**px, !why.empty(), bs);
      std::cout << "\tverdict " << (!v ? "ERROR " + v.error().message : v->text ? "TEXT" : "clean")
                << " (" << ms(t0) << " ms" << (why.empty() ? "" : ", whole: " + why) << ")";
      if (v && v->text) found.words = v->boxes;
    }
    if (ocr) {
      t0 = Clock::now();
      auto f = find_text_anywhere(*img);
      double t_ocr = ms(t0);
      t0 = Clock::now();
      auto g = find_text(*img, regions);
      double t_ocr_regions = ms(t0);
      if (g) found = *g;
      std::cout << "\tocr-full " << t_ocr << " ms words " << (f ? f->words.size() : 0)
                << (f && f->text ? " TEXT" : "") << "\tocr-lines " << t_ocr_regions << " ms words "
                << (g ? g->words.size() : 0) << (g && g->text ? " TEXT" : "");
    }
    std::cout << "\n";
    for (auto& l : det.lines)
      std::cout << "   line " << l.box.x << "," << l.box.y << " " << l.box.w << "x" << l.box.h
                << " glyphs " << l.glyphs << " clarity " << l.clarity << (l.near_border ? " border" : "") << "\n";
    if (!png_dir.empty()) {
      auto raw = encode_png(*img);
      std::ofstream(std::filesystem::path(png_dir) / (std::filesystem::path(path).filename().string() + ".raw.png"),
                    std::ios::binary) << *raw;
      Image8 out = *img;
      for (auto& b : boxes) outline(out, b, 255);
      for (auto& b : found.words) outline(out, {b.x - 2, b.y - 2, b.w + 4, b.h + 4}, 128);
      auto png = encode_png(out);
      std::string name = std::filesystem::path(path).filename().string();
      std::ofstream(std::filesystem::path(png_dir) / (name + ".png"), std::ios::binary) << *png;
    }
  }
  return rc;
}
