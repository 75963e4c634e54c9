// DICOM JSON of top-level attributes through DCMTK's writer, element by element.
#include "ingest/dicom_json.h"

#include <dcmtk/dcmdata/dcelem.h>
#include <dcmtk/dcmdata/dcjson.h>
#include <dcmtk/dcmdata/dcvr.h>

#include <sstream>

#include "deid/dicom_value.h"

namespace obia::ingest {

std::string top_level_json(DcmDataset& ds) {
  std::ostringstream out;
  DcmJsonFormatCompact format(OFFalse);
  out << "{";
  bool first = true;
  for (DcmElement* e : deid::elements_of(ds)) {
    const DcmTag& tag = e->getTag();
    if (tag.isPrivate() || tag.getGroup() == 0x0002 || tag.getGroup() == 0x7FE0) continue;
    switch (e->ident()) {
      case EVR_OB:
      case EVR_OW:
      case EVR_OF:
      case EVR_OD:
      case EVR_OL:
      case EVR_OV:
      case EVR_UN:
      case EVR_pixelSQ:
      case EVR_pixelItem:
        continue;
      default:
        break;
    }
    if (e->getLength() > 4096) continue;
    std::ostringstream one;
    if (e->writeJson(one, format).bad()) continue;
    if (!first) out << ",";
    out << one.str();
    first = false;
  }
  out << "}";
  return out.str();
}

}  // namespace obia::ingest
