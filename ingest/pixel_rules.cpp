// Pixel rule files: parsing, matching, caching, and blanking regions in native pixel data.
#include "ingest/pixel_rules.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include "ingest/pixel_codecs.h"
#include "ingest/pixel_decode.h"

namespace obia::ingest {
namespace fs = std::filesystem;
namespace {

const std::set<std::string> kKeys = {"modality", "manufacturer", "model", "rows", "columns", "sopclass"};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\0'))
    s.pop_back();
  size_t i = s.find_first_not_of(" \t");
  return i == std::string::npos ? std::string() : s.substr(i);
}

// Splits match terms: key=value or key="value with spaces".
Result<std::map<std::string, std::string>> parse_terms(const std::string& text, int line) {
  std::map<std::string, std::string> out;
  size_t i = 0;
  auto err = [&](const std::string& what) {
    return make_error(EINVAL, "line " + std::to_string(line) + ": " + what);
  };
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i >= text.size()) break;
    size_t eq = text.find('=', i);
    if (eq == std::string::npos) return err("expected key=value");
    std::string key = lower(trim(text.substr(i, eq - i)));
    if (!kKeys.count(key)) return err("unknown key '" + key + "'");
    i = eq + 1;
    std::string value;
    if (i < text.size() && text[i] == '"') {
      size_t close = text.find('"', i + 1);
      if (close == std::string::npos) return err("unclosed quote");
      value = text.substr(i + 1, close - i - 1);
      i = close + 1;
    } else {
      size_t end = i;
      while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) ++end;
      value = text.substr(i, end - i);
      i = end;
    }
    if (value.empty()) return err("empty value for '" + key + "'");
    out[key] = lower(value);
  }
  return out;
}

Result<std::vector<Box>> parse_boxes(const std::string& text, int line) {
  std::vector<Box> out;
  std::istringstream in(text);
  std::string token;
  while (in >> token) {
    int v[4];
    const char* p = token.data();
    const char* end = token.data() + token.size();
    for (int k = 0; k < 4; ++k) {
      auto r = std::from_chars(p, end, v[k]);
      if (r.ec != std::errc() || (k < 3 && (r.ptr == end || *r.ptr != ',')) || (k == 3 && r.ptr != end))
        return make_error(EINVAL, "line " + std::to_string(line) + ": box '" + token +
                                      "' is not x,y,width,height");
      p = r.ptr + (k < 3 ? 1 : 0);
    }
    if (v[0] < 0 || v[1] < 0 || v[2] <= 0 || v[3] <= 0)
      return make_error(EINVAL, "line " + std::to_string(line) + ": box '" + token + "' is empty or negative");
    out.push_back({v[0], v[1], v[2], v[3]});
  }
  if (out.empty()) return make_error(EINVAL, "line " + std::to_string(line) + ": no boxes after ':'");
  return out;
}

bool matches(const std::string& pattern, const std::string& value) {
  if (!pattern.empty() && pattern.back() == '*')
    return value.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0;
  return pattern == value;
}

std::string attribute(DcmItem& ds, const std::string& key) {
  static const std::map<std::string, DcmTagKey> tags = {
      {"modality", DCM_Modality}, {"manufacturer", DCM_Manufacturer},
      {"model", DCM_ManufacturerModelName}, {"rows", DCM_Rows}, {"columns", DCM_Columns},
      {"sopclass", DCM_SOPClassUID}};
  OFString v;
  if (ds.findAndGetOFString(tags.at(key), v).bad()) return {};
  return lower(trim(v.c_str()));
}

// Blank value per sample channel (see header).
template <typename T>
void fill_boxes(T* frame, const PixelFormat& f, const std::vector<Box>& boxes, const T* value) {
  const size_t spp = f.samples;
  for (const Box& b : boxes) {
    const uint32_t x0 = std::min<uint32_t>(b.x, f.columns), x1 = std::min<uint32_t>(b.x + b.w, f.columns);
    const uint32_t y0 = std::min<uint32_t>(b.y, f.rows), y1 = std::min<uint32_t>(b.y + b.h, f.rows);
    for (uint32_t y = y0; y < y1; ++y)
      for (uint32_t x = x0; x < x1; ++x)
        for (size_t c = 0; c < spp; ++c) {
          const size_t i = f.planar ? c * f.pixels() + size_t(y) * f.columns + x
                                    : (size_t(y) * f.columns + x) * spp + c;
          frame[i] = value[c];
        }
  }
}

template <typename T>
void blank_frames(T* data, const PixelFormat& f, const std::vector<Box>& boxes) {
  const size_t per_frame = f.pixels() * f.samples;
  const T mask = static_cast<T>(f.bits_stored >= sizeof(T) * 8 ? ~T{0} : (T{1} << f.bits_stored) - 1);
  for (uint32_t k = 0; k < f.frames; ++k) {
    T* frame = data + k * per_frame;
    T value[4] = {0, 0, 0, 0};
    if (f.samples == 1) {
      // The frame's darkest value as displayed (signed values compare as stored bits would
      // not: sign-extend before comparing).
      auto as_signed = [&](T v) -> int64_t {
        int64_t s = v & mask;
        if (f.is_signed && f.bits_stored < 64 && (s >> (f.bits_stored - 1)) & 1) s -= int64_t{1} << f.bits_stored;
        return s;
      };
      T best = frame[0];
      for (size_t i = 1; i < per_frame; ++i) {
        const bool darker = f.photometric == "MONOCHROME1" ? as_signed(frame[i]) > as_signed(best)
                                                           : as_signed(frame[i]) < as_signed(best);
        if (darker) best = frame[i];
      }
      value[0] = best;
    } else if (f.photometric.rfind("YBR", 0) == 0) {
      value[1] = value[2] = static_cast<T>(T{1} << (f.bits_stored - 1));  // neutral chroma
    }
    fill_boxes(frame, f, boxes, value);
  }
}

}  // namespace

Result<PixelRules> PixelRules::parse(std::string_view text) {
  PixelRules out;
  std::istringstream in{std::string(text)};
  std::string raw;
  int line = 0;
  while (std::getline(in, raw)) {
    ++line;
    if (size_t hash = raw.find('#'); hash != std::string::npos) raw.erase(hash);
    raw = trim(raw);
    if (raw.empty()) continue;
    size_t colon = raw.find(':');
    if (colon == std::string::npos) return make_error(EINVAL, "line " + std::to_string(line) + ": missing ':' before the boxes");
    auto terms = parse_terms(raw.substr(0, colon), line);
    if (!terms) return terms.error();
    auto boxes = parse_boxes(raw.substr(colon + 1), line);
    if (!boxes) return boxes.error();
    out.rules_.push_back({std::move(*terms), std::move(*boxes), line});
  }
  return out;
}

std::vector<Box> PixelRules::regions_for(DcmItem& dataset) const {
  std::vector<Box> out;
  for (const PixelRule& r : rules_) {
    bool ok = true;
    for (const auto& [key, pattern] : r.match) ok = ok && matches(pattern, attribute(dataset, key));
    if (ok) out.insert(out.end(), r.boxes.begin(), r.boxes.end());
  }
  return out;
}

fs::path PixelRuleFiles::path_for(const fs::path& rules_dir, const std::string& collection) {
  return rules_dir / (collection + ".pixel");
}

Result<PixelRules> PixelRuleFiles::for_collection(const std::string& collection) {
  const fs::path path = path_for(dir_, collection);
  std::error_code ec;
  const auto mtime = fs::last_write_time(path, ec);
  if (ec) return PixelRules();  // no rule file: nothing to blank
  const auto size = fs::file_size(path, ec);
  std::lock_guard lock(mu_);
  auto it = cache_.find(collection);
  if (it != cache_.end() && it->second.mtime == mtime && it->second.size == size) return it->second.rules;
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  Cached c{mtime, size, PixelRules::parse(text.str())};
  if (!c.rules) c.rules = make_error(EINVAL, path.filename().string() + " " + c.rules.error().message);
  cache_[collection] = c;
  return c.rules;
}

Status blank_regions(DcmDataset& dataset, const std::vector<Box>& boxes) {
  DcmElement* element = nullptr;
  if (dataset.findAndGetElement(DCM_PixelData, element).bad() || element == nullptr)
    return make_error(EINVAL, "no pixel data to blank");
  auto* pixels = static_cast<DcmPixelData*>(element);
  E_TransferSyntax current = EXS_Unknown;
  const DcmRepresentationParameter* param = nullptr;
  pixels->getCurrentRepresentationKey(current, param);
  if (DcmXfer(current).isEncapsulated()) {
    register_pixel_codecs();
    OFCondition c = dataset.chooseRepresentation(EXS_LittleEndianExplicit, nullptr);
    if (c.bad() || !dataset.canWriteXfer(EXS_LittleEndianExplicit))
      return make_error(EINVAL, std::string("cannot decode the pixel data to blank it: ") + c.text());
    // The blanked pixels are the only truth now: drop the compressed original and write the
    // file uncompressed.
    pixels->removeAllButCurrentRepresentations();
    dataset.updateOriginalXfer();
    if (DcmXfer(dataset.getOriginalXfer()).isEncapsulated())
      return make_error(EINVAL, "the dataset kept its compressed transfer syntax");
  }
  auto format = read_pixel_format(dataset);
  if (!format) return format.error();
  Uint8* bytes = nullptr;
  if (pixels->getUint8Array(bytes).bad() || bytes == nullptr) return make_error(EINVAL, "pixel data has no value");
  if (pixels->getLength() < format->total_bytes())
    return make_error(EINVAL, "pixel data is shorter than its geometry");
  PixelFormat f = *format;
  if (f.photometric == "YBR_FULL_422" && pixels->getLength() < uint64_t(f.pixels()) * 3 * f.frames)
    return make_error(EINVAL, "blanking native YBR_FULL_422 pixel data is not supported");
  switch (f.bits_allocated) {
    case 8: blank_frames(bytes, f, boxes); break;
    case 16: blank_frames(reinterpret_cast<uint16_t*>(bytes), f, boxes); break;
    case 32: blank_frames(reinterpret_cast<uint32_t*>(bytes), f, boxes); break;
    default: return make_error(EINVAL, "blanking 1-bit pixel data is not supported");
  }
  return {};
}

}  // namespace obia::ingest
