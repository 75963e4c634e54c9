// A cheap burned-in text likelihood detector for every image: finds rows of glyph-like,
// high-contrast stroke components (similar heights, shared baseline, letter-sized gaps), the
// way annotation text looks, and reports their boxes. It only decides whether OCR should look;
// OCR decides whether there is text. Costs a few passes over the frame, no allocation per pixel
// beyond two reusable buffers.
#pragma once

#include <vector>

#include "ingest/pixel_render.h"

namespace obia::ingest {

struct Box {
  int x = 0, y = 0, w = 0, h = 0;
};

struct TextLine {
  Box box;
  int glyphs = 0;        // estimated characters
  bool near_border = false;
  bool bright = true;    // light text on a darker background
  // Median over the line's glyphs of stroke-to-background contrast over the background's
  // spread (each glyph against its own surroundings): high for text on a flat background,
  // low for chance alignments in speckle or noise.
  double clarity = 0;
};

struct TextDetection {
  std::vector<TextLine> lines;
  bool candidate = false;  // worth sending to OCR
};

struct DetectorSettings {
  int contrast = 60;           // stroke minus local mean (or the reverse), grey levels
  int min_glyph_height = 5;    // pixels, at working resolution
  int max_glyph_height = 48;
  int min_line_glyphs = 3;     // near a border or corner
  int min_centre_glyphs = 5;   // elsewhere (anatomy makes more chance alignments there)
  double border_band = 0.22;   // fraction of width/height that counts as "near the border"
  double min_clarity = 9.0;    // see TextLine::clarity: noise and speckle stay below 9, text
                               // on air or a plain background scores 14 to 64
  uint64_t max_pixels = 1400000;  // larger frames are downscaled first
};

// `grey` must be one channel.
TextDetection detect_text(const Image8& grey, const DetectorSettings& settings = {});

// Binarised ink of one polarity for OCR: black (0) where the detector's stroke test passes
// (grown by three pixels and limited to pixels on the ink side of the local threshold), white (255)
// elsewhere. Neighbouring anatomy that is merely bright or dark drops out.
Image8 ink_image(const Image8& grey, bool bright, int contrast = DetectorSettings{}.contrast);

}  // namespace obia::ingest
