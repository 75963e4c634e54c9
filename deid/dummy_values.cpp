// The dummy table of action D.
#include "deid/dummy_values.h"

namespace obia::deid {

std::optional<std::string> dummy_text(DcmEVR vr, const DcmTagKey& tag) {
  if (tag == DcmTagKey(0x0400, 0x0565)) return "COERCE";  // ReasonForTheAttributeModification
  switch (vr) {
    case EVR_AE:
    case EVR_CS:
    case EVR_LO:
    case EVR_LT:
    case EVR_PN:
    case EVR_SH:
    case EVR_ST:
    case EVR_UC:
    case EVR_UT:
      return "ANONYMOUS";
    case EVR_DA:
      return "19000101";
    case EVR_DT:
      return "19000101000000";
    case EVR_TM:
      return "000000";
    case EVR_AS:
      return "000Y";
    case EVR_DS:
    case EVR_IS:
      return "0";
    case EVR_UR:
      return "about:blank";
    default:
      return std::nullopt;
  }
}

std::vector<std::string> dummy_texts() {
  return {"ANONYMOUS", "COERCE", "19000101", "19000101000000",
          "000000",    "000Y",   "0",        "about:blank"};
}

}  // namespace obia::deid
