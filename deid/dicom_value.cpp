// DCMTK value access and element replacement for the de-identification stages.
#include "deid/dicom_value.h"

#include <dcmtk/dcmdata/dctag.h>

#include <cstdio>

namespace obia::deid {

DcmEVR effective_vr(const DcmElement& elem) {
  // Parsed as a sequence (e.g. an unknown tag of undefined length): walk it as one.
  if (elem.ident() == EVR_SQ) return EVR_SQ;
  const DcmEVR vr = elem.getTag().getEVR();
  if (vr != EVR_UN || elem.getTag().isPrivate()) return vr;
  const DcmTag dict(elem.getTag().getGroup(), elem.getTag().getElement());
  const DcmEVR known = dict.getEVR();
  return known == EVR_UNKNOWN || known == EVR_UNKNOWN2B ? EVR_UN : known;
}

bool is_string_vr(DcmEVR vr) {
  switch (vr) {
    case EVR_AE:
    case EVR_AS:
    case EVR_CS:
    case EVR_DA:
    case EVR_DS:
    case EVR_DT:
    case EVR_IS:
    case EVR_LO:
    case EVR_LT:
    case EVR_PN:
    case EVR_SH:
    case EVR_ST:
    case EVR_TM:
    case EVR_UC:
    case EVR_UI:
    case EVR_UR:
    case EVR_UT:
      return true;
    default:
      return false;
  }
}

bool is_free_text_vr(DcmEVR vr) {
  switch (vr) {
    case EVR_LO:
    case EVR_SH:
    case EVR_ST:
    case EVR_LT:
    case EVR_UT:
    case EVR_UC:
      return true;
    default:
      return false;
  }
}

bool is_binary_number_vr(DcmEVR vr) {
  switch (vr) {
    case EVR_US:
    case EVR_SS:
    case EVR_UL:
    case EVR_SL:
    case EVR_FL:
    case EVR_FD:
    case EVR_SV:
    case EVR_UV:
    case EVR_AT:
    case EVR_OW:
    case EVR_OF:
    case EVR_OD:
    case EVR_OL:
    case EVR_OV:
    case EVR_xs:
    case EVR_lt:
      return true;
    default:
      return false;
  }
}

bool is_bulk_data(const DcmTagKey& tag) {
  const uint16_t g = tag.getGroup(), e = tag.getElement();
  if (g == 0x7FE0) return true;                                  // (Float/Double) Pixel Data
  if (g == 0x5400 && (e == 0x1010 || e == 0x0110)) return true;  // Waveform Data / Padding
  const bool repeating = (g & 0xFF01) == 0x6000 || (g & 0xFF01) == 0x5000;
  return repeating && (e == 0x3000 || e == 0x200C);  // Overlay Data, (retired) Curve Data
}

bool value_text(DcmElement& elem, std::string& out) {
  out.clear();
  if (is_bulk_data(elem.getTag())) return false;
  const DcmEVR vr = elem.getTag().getEVR();
  if (is_string_vr(vr)) {
    char* s = nullptr;
    Uint32 len = 0;
    // getString() gives the stored bytes without trimming or normalising.
    if (elem.getString(s, len).good() && s != nullptr) out.assign(s, len);
    return true;
  }
  if (vr == EVR_OB || vr == EVR_UN || vr == EVR_ox) {
    Uint8* bytes = nullptr;
    if (elem.getUint8Array(bytes).good() && bytes != nullptr) {
      out.assign(reinterpret_cast<const char*>(bytes), elem.getLength());
    }
    return true;
  }
  return false;
}

bool put_text(DcmElement& elem, const std::string& value) {
  return elem.putString(value.c_str(), static_cast<Uint32>(value.size())).good();
}

namespace {
// A container's children in order, following its list once (nextInContainer from the last).
template <class Child, class Container>
std::vector<Child*> children_of(Container& c) {
  std::vector<Child*> out;
  out.reserve(c.card());
  for (DcmObject* o = c.nextInContainer(nullptr); o != nullptr; o = c.nextInContainer(o))
    out.push_back(static_cast<Child*>(o));
  return out;
}

void append_tag(std::string& out, const DcmTagKey& tag) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  char buf[11] = {'(', 0, 0, 0, 0, ',', 0, 0, 0, 0, ')'};
  for (int i = 0; i < 4; ++i) {
    buf[4 - i] = kHex[(tag.getGroup() >> (4 * i)) & 0xF];
    buf[9 - i] = kHex[(tag.getElement() >> (4 * i)) & 0xF];
  }
  out.append(buf, sizeof buf);
}
}  // namespace

std::vector<DcmElement*> elements_of(DcmItem& item) { return children_of<DcmElement>(item); }
std::vector<DcmItem*> items_of(DcmSequenceOfItems& seq) { return children_of<DcmItem>(seq); }

// Formatted by hand: paths are built for every identifying token, and snprintf was a visible
// share of de-identification.
std::string tag_text(const DcmTagKey& tag) {
  std::string out;
  append_tag(out, tag);
  return out;
}

std::string TagPath::str() const {
  std::string out;
  out.reserve(steps_.size() * 16);
  for (const Step& s : steps_) {
    if (!out.empty()) out.push_back('/');
    append_tag(out, s.tag);
    if (s.item >= 0) {
      out.push_back('[');
      out.append(std::to_string(s.item));
      out.push_back(']');
    }
  }
  return out;
}

bool replace_with_vr(DcmItem& item, DcmElement* elem, DcmEVR vr, const std::string& value) {
  DcmElement* raw = nullptr;
  const DcmTag tag(elem->getTag().getGroup(), elem->getTag().getElement(), DcmVR(vr));
  if (DcmItem::newDicomElementWithVR(raw, tag).bad() || raw == nullptr) return false;
  std::unique_ptr<DcmElement> fresh(raw);
  if (!value.empty() && !put_text(*fresh, value)) return false;
  remove_element(item, elem);
  if (item.insert(fresh.get(), OFTrue).bad()) return false;
  fresh.release();  // owned by item now
  return true;
}

void remove_element(DcmItem& item, DcmElement* elem) {
  std::unique_ptr<DcmElement> gone(item.remove(elem));
}

}  // namespace obia::deid
