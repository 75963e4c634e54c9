// Dataset side of the verification pass: a plain walk over every element, values as stored.
#include "deid/verify.h"

#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include "deid/dicom_value.h"

namespace obia::deid {
namespace {

std::optional<std::string> search_item(DcmItem& item, const TokenMatcher& m, TagPath& path) {
  std::string text;
  for (DcmElement* elem : elements_of(item)) {
    path.push(elem->getTag());
    if (elem->ident() == EVR_SQ) {
      auto& seq = static_cast<DcmSequenceOfItems&>(*elem);
      long j = 0;
      for (DcmItem* it : items_of(seq)) {
        path.set_item(j++);
        if (auto hit = search_item(*it, m, path)) return hit;
      }
    } else if (value_text(*elem, text) && m.find_in(text)) {
      return path.str();
    }
    path.pop();
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> find_residual_in_file(DcmFileFormat& file, const TokenMatcher& m) {
  if (m.empty()) return std::nullopt;
  TagPath path;
  if (DcmMetaInfo* meta = file.getMetaInfo()) {
    if (auto hit = search_item(*meta, m, path)) return hit;
  }
  if (DcmDataset* ds = file.getDataset()) return search_item(*ds, m, path);
  return std::nullopt;
}

}  // namespace obia::deid
