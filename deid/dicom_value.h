// Small DCMTK helpers shared by the de-identification stages: value access by VR family,
// tag paths for reports, and element replacement with ownership kept explicit.
#pragma once

#include <dcmtk/dcmdata/dcelem.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dctagkey.h>
#include <dcmtk/dcmdata/dcvr.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace obia::deid {

// The element's VR, or the dictionary's VR when the element was read as UN but the tag is known;
// SQ for anything DCMTK parsed as a sequence.
DcmEVR effective_vr(const DcmElement& elem);

bool is_string_vr(DcmEVR vr);         // AE AS CS DA DS DT IS LO LT PN SH ST TM UC UI UR UT
bool is_free_text_vr(DcmEVR vr);      // LO SH ST LT UT UC: where names and notes hide
bool is_binary_number_vr(DcmEVR vr);  // US SS UL SL FL FD SV UV AT and OW OF OD OL OV

// Pixel, waveform, overlay and curve data: bulk samples, never searched as text.
bool is_bulk_data(const DcmTagKey& tag);

// The value as stored (all values, backslash-separated, padding included) for string VRs, and
// the raw bytes for OB and UN. false for other VRs (binary numbers, sequences) and bulk data.
bool value_text(DcmElement& elem, std::string& out);

// Sets a string value (for an element of string VR). Returns false if DCMTK refuses it.
bool put_text(DcmElement& elem, const std::string& value);

// The item's elements in order. DCMTK's getElement(i) walks its list from the start each time,
// so an index loop costs O(n^2); this walks it once.
std::vector<DcmElement*> elements_of(DcmItem& item);
std::vector<DcmItem*> items_of(DcmSequenceOfItems& seq);  // the same for a sequence's items

// "(0010,0010)".
std::string tag_text(const DcmTagKey& tag);

// Path of nested items for reports: "(0040,A730)[1]/(0040,A160)". Holds no values.
class TagPath {
 public:
  void push(const DcmTagKey& tag, long item = -1) { steps_.push_back({tag, item}); }
  void pop() { steps_.pop_back(); }
  void set_item(long item) { steps_.back().item = item; }
  std::string str() const;
  std::size_t depth() const { return steps_.size(); }

 private:
  struct Step {
    DcmTagKey tag;
    long item;
  };
  std::vector<Step> steps_;
};

// Replaces the element at `elem` in `item` by a new element of `vr` holding `value` (used when
// the original was read as UN). Returns false, original untouched, if the new element cannot be
// made; if only the final insert fails the original is already gone (the safe side).
bool replace_with_vr(DcmItem& item, DcmElement* elem, DcmEVR vr, const std::string& value);

// Removes and deletes `elem` from `item`.
void remove_element(DcmItem& item, DcmElement* elem);

}  // namespace obia::deid
