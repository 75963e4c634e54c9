// Burned-in text: rules, detector, OCR, and the curator-facing detail.
#include "ingest/qc_burned_in.h"

#include <dcmtk/dcmdata/dcdeftag.h>

#include <algorithm>

#include "common/log.h"
#include "deid/profile.h"
#include "ingest/pixel_render.h"
#include "ingest/qc_state.h"

namespace obia::ingest {
namespace {

std::string get(DcmItem& ds, const DcmTagKey& tag) {
  OFString v;
  if (ds.findAndGetOFString(tag, v).bad()) return {};
  std::string s(v.c_str());
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  return s;
}

std::vector<uint32_t> frames_to_check(uint32_t frames, uint32_t limit) {
  std::vector<uint32_t> out;
  if (frames <= limit) {
    for (uint32_t f = 0; f < frames; ++f) out.push_back(f);
    return out;
  }
  for (uint32_t k = 0; k < limit; ++k) out.push_back(uint32_t(uint64_t(k) * (frames - 1) / (limit - 1)));
  return out;
}

// Secondary Capture Image Storage and its multi-frame variants (PS3.4 B.5).
bool secondary_capture(const std::string& sop_class) {
  return sop_class.rfind("1.2.840.10008.5.1.4.1.1.7", 0) == 0;
}

bool clean_pixel_data_selected(const CheckContext& context) {
  auto coll = context.catalog.get(context.collection);
  if (!coll) return true;  // cannot tell: stay safe
  const std::string text = coll->attr("profile");
  auto profile = deid::Profile::parse(text.empty() ? "default" : text);
  return !profile || profile->has(deid::Option::CleanPixelData);
}

QcResult reject(std::string detail) {
  QcResult r;
  r.reason = Reason::BurnedInText;
  r.detail = std::move(detail);
  return r;
}

}  // namespace

std::string describe_boxes(const std::vector<Box>& boxes, size_t limit) {
  std::string s;
  for (size_t i = 0; i < boxes.size() && i < limit; ++i) {
    if (i) s += "; ";
    s += std::to_string(boxes[i].x) + "," + std::to_string(boxes[i].y) + " " +
         std::to_string(boxes[i].w) + "x" + std::to_string(boxes[i].h);
  }
  if (boxes.size() > limit) s += "; ... (" + std::to_string(boxes.size()) + " in all)";
  return s;
}

std::string whole_image_reason(DcmItem& ds, const PixelFormat& format, const BurnedInSettings& s) {
  if (get(ds, DCM_BurnedInAnnotation) == "YES") return "BurnedInAnnotation is YES";
  const std::string modality = get(ds, DCM_Modality);
  if (std::find(s.prone_modalities.begin(), s.prone_modalities.end(), modality) != s.prone_modalities.end())
    return "modality " + modality;
  if (secondary_capture(get(ds, DCM_SOPClassUID))) return "secondary capture";
  if (format.samples > 1) return "colour image (screen capture)";
  return {};
}

Result<TextVerdict> find_burned_in_text(const DecodedPixels& px, bool read_whole_image,
                                        const BurnedInSettings& s) {
  TextVerdict v;
  for (uint32_t frame : frames_to_check(px.format().frames, std::max(1u, s.frames_to_check))) {
    auto grey = render_frame(px, frame, WindowMode::FileOrPercentile, true);
    if (!grey) return grey.error();
    TextDetection det = detect_text(*grey, s.detector);
    if (!det.candidate) continue;
    v.detector_hit = true;
    if (!s.ocr) {  // no OCR: a detector hit has to count
      v.text = true;
      v.frame = frame;
      for (const TextLine& l : det.lines) v.boxes.push_back(l.box);
      return v;
    }
    std::vector<OcrRegion> regions;
    for (const TextLine& l : det.lines) regions.push_back({l.box, l.bright});
    auto found = find_text(*grey, regions, s.ocr_settings);
    if (!found) return found.error();
    if (found->text) {
      v.text = true;
      v.frame = frame;
      v.boxes = found->words;
      return v;
    }
  }
  if (read_whole_image && s.ocr) {
    v.read_whole = true;
    auto grey = render_frame(px, 0, WindowMode::FileOrPercentile, true);
    if (!grey) return grey.error();
    auto found = find_text_anywhere(*grey, s.ocr_settings);
    if (!found) return found.error();
    if (found->text) {
      v.text = true;
      v.frame = 0;
      v.boxes = found->words;
    }
  }
  return v;
}

QcResult BurnedInTextCheck::operator()(DcmFileFormat& file, CheckContext& context) const {
  QcResult ok;
  if (!clean_pixel_data_selected(context)) return ok;
  const DecodedPixels* px = decoded_pixels(file, context);
  if (px == nullptr) return ok;  // no pixel data (undecodable files never get here)
  DcmDataset& ds = *file.getDataset();
  const bool flagged = get(ds, DCM_BurnedInAnnotation) == "YES";

  // 1. Known regions of this collection's devices.
  std::vector<Box> regions;
  if (rules_) {
    auto rules = rules_->for_collection(context.job.collection);
    if (!rules) {
      // A broken rule file blanks nothing; images with text then stay quarantined (safe).
      log::warn("qc: pixel rules of " + context.job.collection + " not used: " + rules.error().message);
    } else {
      regions = rules->regions_for(ds);
    }
  }
  if (!regions.empty()) {
    if (auto st = blank_regions(ds, regions); !st)
      return reject("the collection's pixel rules match this image but could not be applied: " +
                    st.error().message);
    // Re-read the blanked pixels; the duplicate check keeps the submitted pixels' hash.
    auto hash = qc_scratch().pixel_hash;
    QcScratch& again = decode_into_scratch(file, context);
    again.pixel_hash = hash;
    if (!again.pixels) return reject("the blanked image could not be decoded again");
    px = &*again.pixels;
  }

  // 2./3. Detector and OCR.
  const std::string whole = whole_image_reason(ds, px->format(), settings_);
  auto verdict = find_burned_in_text(*px, !whole.empty(), settings_);
  if (!verdict)
    return reject("the image could not be checked for burned-in text (" + verdict.error().message + ")");
  const std::string after_rules =
      regions.empty() ? "" : " after blanking " + std::to_string(regions.size()) + " rule region(s)";
  if (verdict->text) {
    std::string why = verdict->detector_hit ? "text-like strokes" : whole;
    return reject("text found" + after_rules + " in frame " + std::to_string(verdict->frame + 1) + " at " +
                  describe_boxes(verdict->boxes) + " (checked because of " + why + ")");
  }
  if (flagged && regions.empty())
    return reject("BurnedInAnnotation (0028,0301) is YES and no pixel rule of the collection covers "
                  "this image; OCR found no text, so if the flag is wrong set it to NO, otherwise "
                  "add a rule for the text regions");

  // 4. Clean: say so in the file.
  if (!regions.empty() || flagged) {
    if (ds.putAndInsertString(DCM_BurnedInAnnotation, "NO").bad())
      return reject("could not set BurnedInAnnotation to NO after blanking");
    context.warnings.push_back("pixel-rules: " + std::to_string(regions.size()) +
                               " region(s) blanked by the collection's rules");
  }
  return ok;
}

}  // namespace obia::ingest
