// OCR of burned-in text with Tesseract (libtesseract, tesseract-ocr-eng). Recognised text is
// PHI: it never leaves this module; callers get word boxes and counts only.
#pragma once

#include <vector>

#include "common/result.h"
#include "ingest/pixel_render.h"
#include "ingest/pixel_text_detector.h"

namespace obia::ingest {

// Text = one "strong" word (3+ letters or digits) or two accepted words. Whole-frame reads
// need sure words; regions the detector already found (glyph rows on a clean background) need
// less, because Tesseract's confidence is low on blocky annotation fonts.
struct OcrSettings {
  int min_confidence = 60;            // whole frame, per word, 0..100 (2+ letters or digits)
  int strong_confidence = 80;
  int region_min_confidence = 30;     // detector regions, per word (3+ letters or digits)
  int region_strong_confidence = 60;
  int target_text_height = 32;        // regions are upscaled towards this glyph height (pixels)
};

struct OcrFinding {
  std::vector<Box> words;  // boxes of accepted words, in the coordinates of the image given
  bool text = false;       // the words are convincing enough to call it text
};

// A place to read, e.g. one of the detector's lines, with its ink polarity.
struct OcrRegion {
  Box box;
  bool bright = true;
};

// Reads only the given regions of `grey` (one channel): each is cut out with a margin,
// binarised with the detector's stroke test (so neighbouring anatomy drops out), scaled
// towards target_text_height, and all are stacked into one strip image for a single OCR pass.
// Thread-safe: one Tesseract engine per calling thread, created on first use.
Result<OcrFinding> find_text(const Image8& grey, const std::vector<OcrRegion>& regions,
                             const OcrSettings& settings = {});

// Reads the whole image (modalities that usually carry text, BurnedInAnnotation YES).
Result<OcrFinding> find_text_anywhere(const Image8& grey, const OcrSettings& settings = {});

// Whether the Tesseract English model loads here (tests skip OCR cases without it).
bool ocr_available();

}  // namespace obia::ingest
