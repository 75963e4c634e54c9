// QC stage "burned-in-text" (Clean Pixel Data, PS3.15 E.3.1), on every image, safe by default:
//   1. the collection's pixel rules blank known text regions (ARCHIVE/rules/<C>.pixel);
//   2. the cheap detector runs on up to three frames; its lines are read by OCR;
//   3. modalities prone to text (US, SC, OT, XC, ES, secondary capture classes, colour screen
//      captures) and images declaring BurnedInAnnotation YES are also read whole by OCR;
//   4. text found -> burned-in-text with the word boxes (never the text: it is PHI);
//      YES without a rule that cleaned the image -> burned-in-text as well;
//      rules applied and nothing left -> BurnedInAnnotation set to NO.
// Runs only when the collection's profile selects Clean Pixel Data (the default).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ingest/ocr_tesseract.h"
#include "ingest/pipeline.h"
#include "ingest/pixel_decode.h"
#include "ingest/pixel_rules.h"
#include "ingest/pixel_text_detector.h"

namespace obia::ingest {

struct BurnedInSettings {
  bool ocr = true;  // false: trust the detector alone (tests, machines without Tesseract)
  DetectorSettings detector;
  OcrSettings ocr_settings;
  std::vector<std::string> prone_modalities = {"US", "SC", "OT", "XC", "ES"};
  uint32_t frames_to_check = 3;  // first, middle, last
};

struct TextVerdict {
  bool text = false;
  uint32_t frame = 0;      // where it was found (0-based)
  std::vector<Box> boxes;  // words (or detector lines without OCR)
  bool detector_hit = false;
  bool read_whole = false;  // OCR read a whole frame
};

// The decision on decoded pixels alone (unit tests and qc_probe use it directly).
Result<TextVerdict> find_burned_in_text(const DecodedPixels& pixels, bool read_whole_image,
                                        const BurnedInSettings& settings);

// Why an image is read whole: a prone modality, SOP class or colour, or the YES flag.
// Returns an empty string when only the detector decides.
std::string whole_image_reason(DcmItem& dataset, const PixelFormat& format,
                               const BurnedInSettings& settings);

// The stage itself; holds the rule files of all collections.
class BurnedInTextCheck {
 public:
  BurnedInTextCheck(std::shared_ptr<PixelRuleFiles> rules, BurnedInSettings settings)
      : rules_(std::move(rules)), settings_(std::move(settings)) {}
  QcResult operator()(DcmFileFormat& file, CheckContext& context) const;

 private:
  std::shared_ptr<PixelRuleFiles> rules_;
  BurnedInSettings settings_;
};

// "at x,y wxh; ..." for at most `limit` boxes.
std::string describe_boxes(const std::vector<Box>& boxes, size_t limit = 8);

}  // namespace obia::ingest
