// Identical pixels under another SOP Instance UID: look up the collection's pixel hashes.
#include "ingest/qc_pixel_duplicate.h"

#include <dcmtk/dcmdata/dcdeftag.h>

namespace obia::ingest {
namespace {

bool yes(const std::string& v) { return v == "yes" || v == "true" || v == "1" || v == "on"; }

}  // namespace

std::string archived_path(const index::Catalog& catalog, index::NodeId image) {
  std::string path;
  for (index::NodeId id = image; id != 0 && id != index::kRootId;) {
    auto n = catalog.get(id);
    if (!n) return path;
    path = path.empty() ? n->name : n->name + "/" + path;
    id = n->parent;
  }
  return path;
}

QcResult PixelDuplicateCheck::operator()(DcmFileFormat& file, CheckContext& context) const {
  QcResult ok;
  if (!log_ || !scratch_matches(file, context)) return ok;
  QcScratch& s = qc_scratch();
  if (!s.pixel_hash) return ok;
  OFString uid;
  if (file.getDataset()->findAndGetOFString(DCM_SOPInstanceUID, uid).bad()) return ok;
  s.archived_sop_uid = uid.c_str();  // registered by the finished hook once archived
  auto owner = log_->pixel_owner(context.collection, *s.pixel_hash);
  if (!owner || !*owner || **owner == s.archived_sop_uid) return ok;

  std::string where = "an archived image";
  if (auto id = context.catalog.find_uid(index::Kind::Image, **owner); id && *id)
    where = archived_path(context.catalog, **id);
  auto coll = context.catalog.get(context.collection);
  if (coll && yes(coll->attr("reject_pixel_duplicates"))) {
    QcResult r;
    r.reason = Reason::DuplicatePixels;
    r.detail = "identical pixel data to " + where;
    return r;
  }
  context.warnings.push_back("duplicate-pixels: identical pixel data to " + where +
                             " (another SOP Instance UID)");
  return ok;
}

}  // namespace obia::ingest
