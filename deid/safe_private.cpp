// Private attribute filtering: block bookkeeping (PS3.5 7.8.1) and the "safe number" test.
#include "deid/safe_private.h"

#include <dcmtk/dcmdata/dcsequen.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <set>

#include "deid/phi_tokens.h"

namespace obia::deid {
namespace {

constexpr unsigned long kMaxBinaryValues = 4096;

bool digits_only(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int two(std::string_view s, std::size_t at) { return (s[at] - '0') * 10 + (s[at + 1] - '0'); }

bool date_like(std::string_view d) {  // YYYYMMDD
  if (d.size() != 8 || !digits_only(d)) return false;
  const int year = two(d, 0) * 100 + two(d, 2);
  const int month = two(d, 4), day = two(d, 6);
  return year >= 1850 && year <= 2199 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

bool time_like(std::string_view t) {  // HHMMSS[.F+]
  const auto dot = t.find('.');
  const std::string_view hms = t.substr(0, dot);
  if (hms.size() != 6 || !digits_only(hms)) return false;
  if (dot != std::string_view::npos && !digits_only(t.substr(dot + 1))) return false;
  return two(hms, 0) < 24 && two(hms, 2) < 60 && two(hms, 4) < 60;
}

bool is_number(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  std::size_t int_digits = 0, frac_digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++int_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t exp_digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.remove_suffix(1);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return s;
}

bool safe_component(std::string_view c, const RemovedValues& removed) {
  c = trim(c);
  if (c.empty()) return true;
  if (!is_number(c)) return false;
  std::string_view unsigned_part = c;
  if (unsigned_part.front() == '+' || unsigned_part.front() == '-') unsigned_part.remove_prefix(1);
  if (date_like(unsigned_part)) return false;
  if (unsigned_part.size() == 14 && digits_only(unsigned_part) &&
      date_like(unsigned_part.substr(0, 8))) {
    return false;
  }
  if (time_like(unsigned_part)) return false;
  if (digits_only(unsigned_part)) {
    if (unsigned_part.size() >= 7) return false;
    if (unsigned_part.size() >= 5 && unsigned_part.front() == '0') return false;
  }
  return removed.count(fold_case(c)) == 0;
}

bool safe_integer(double v, const RemovedValues& removed) {
  if (!std::isfinite(v)) return true;
  if (v != std::floor(v) || std::fabs(v) >= 1e15) return true;  // fractions: not dates or IDs
  const std::string digits = std::to_string(static_cast<long long>(std::fabs(v)));
  return safe_component(digits, removed);
}

bool printable(std::string_view s) {
  for (unsigned char c : s) {
    if (c != 0 && (c < 0x20 || c > 0x7E)) return false;
  }
  return true;
}

bool safe_binary(DcmElement& elem, const RemovedValues& removed) {
  const unsigned long n = elem.getVM();
  if (n > kMaxBinaryValues) return false;
  for (unsigned long i = 0; i < n; ++i) {
    Float64 f = 0;
    Sint32 si = 0;
    Uint32 ui = 0;
    double v = 0;
    if (elem.getFloat64(f, i).good()) {
      v = f;
    } else if (Float32 g = 0; elem.getFloat32(g, i).good()) {
      v = g;
    } else if (elem.getSint32(si, i).good()) {
      v = si;
    } else if (elem.getUint32(ui, i).good()) {
      v = ui;
    } else if (Sint16 ss = 0; elem.getSint16(ss, i).good()) {
      v = ss;
    } else if (Uint16 us = 0; elem.getUint16(us, i).good()) {
      v = us;
    } else if (Sint64 sl = 0; elem.getSint64(sl, i).good()) {
      v = static_cast<double>(sl);
    } else if (Uint64 ul = 0; elem.getUint64(ul, i).good()) {
      v = static_cast<double>(ul);
    } else {
      return false;  // a value we cannot read is not known to be safe
    }
    if (!safe_integer(v, removed)) return false;
  }
  return true;
}

bool is_creator(const DcmTagKey& t) {
  return (t.getGroup() & 1) && t.getElement() >= 0x0010 && t.getElement() <= 0x00FF;
}

}  // namespace

bool is_safe_numeric_text(std::string_view value, const RemovedValues& removed) {
  while (true) {
    const auto sep = value.find('\\');
    if (!safe_component(value.substr(0, sep), removed)) return false;
    if (sep == std::string_view::npos) return true;
    value.remove_prefix(sep + 1);
  }
}

bool is_safe_private_element(DcmElement& elem, const RemovedValues& removed) {
  const DcmEVR vr = elem.getTag().getEVR();
  if (elem.ident() == EVR_SQ) {
    auto& seq = static_cast<DcmSequenceOfItems&>(elem);
    for (DcmItem* item : items_of(seq)) {
      for (DcmElement* inner : elements_of(*item)) {
        if (is_creator(inner->getTag())) continue;
        if (!is_safe_private_element(*inner, removed)) return false;
      }
    }
    return true;
  }
  switch (vr) {
    case EVR_SQ:
      return false;  // a sequence tag on something that is not a sequence
    case EVR_US:
    case EVR_SS:
    case EVR_UL:
    case EVR_SL:
    case EVR_FL:
    case EVR_FD:
    case EVR_SV:
    case EVR_UV:
    case EVR_OF:
    case EVR_OD:
    case EVR_OL:
    case EVR_OV:
      return safe_binary(elem, removed);
    case EVR_DA:
    case EVR_DT:
    case EVR_TM:
    case EVR_PN:
    case EVR_UI:
    case EVR_AE:
    case EVR_AS:
    case EVR_UR:
      return false;
    default:
      break;
  }
  std::string text;
  if (!value_text(elem, text)) return false;  // OW, AT, pixel data...
  if ((vr == EVR_OB || vr == EVR_UN || vr == EVR_ox) && !printable(text)) return false;
  return is_safe_numeric_text(text, removed);
}

void filter_private(DcmItem& item, bool retain_safe, const RemovedValues& removed,
                    const TagPath& path, std::vector<std::string>& kept) {
  // Pass 1: decide data elements; remember which blocks keep something.
  std::set<std::pair<uint16_t, uint16_t>> creators_present, blocks_used;
  const std::vector<DcmElement*> elems = elements_of(item);
  for (DcmElement* elem : elems) {
    const DcmTagKey t = elem->getTag();
    if (is_creator(t)) creators_present.insert({t.getGroup(), t.getElement()});
  }
  for (DcmElement* elem : elems) {  // only the visited element is ever removed
    const DcmTagKey t = elem->getTag();
    if (!(t.getGroup() & 1) || is_creator(t)) continue;
    const std::pair<uint16_t, uint16_t> block{t.getGroup(),
                                              static_cast<uint16_t>(t.getElement() >> 8)};
    const bool keep = retain_safe && t.getElement() >= 0x1000 && creators_present.count(block) &&
                      is_safe_private_element(*elem, removed);
    if (keep) {
      blocks_used.insert(block);
      kept.push_back("retain-safe-private: kept " +
                     (path.depth() ? path.str() + "/" + tag_text(t) : tag_text(t)));
    } else {
      remove_element(item, elem);
    }
  }
  // Pass 2: creators of blocks that kept nothing go too.
  for (DcmElement* elem : elements_of(item)) {
    const DcmTagKey t = elem->getTag();
    if (is_creator(t) && !blocks_used.count({t.getGroup(), t.getElement()})) {
      remove_element(item, elem);
    }
  }
}

}  // namespace obia::deid
