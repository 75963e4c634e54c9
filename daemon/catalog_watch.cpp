#include "daemon/catalog_watch.h"

#include <unordered_set>

#include "common/log.h"

namespace obia::daemon {

namespace {
index::NodeId last_image(const index::Catalog& catalog) {
  auto last = catalog.last_image();
  return last ? *last : 0;
}
}  // namespace

CatalogWatch::CatalogWatch(fs::Context& context)
    : context_(context),
      version_(context.catalog->version()),
      last_image_(last_image(*context.catalog)),
      periodic_(std::chrono::milliseconds(300), [this] { check(); }) {}

void CatalogWatch::check() {
  uint64_t version = context_.catalog->version();
  if (version == version_) {
    if (again_) context_.generated_changed();
    again_ = false;
    return;
  }
  version_ = version;
  // New images: their series, study, individual and collection listings are stale. One
  // image per series is enough, as they share those folders.
  std::unordered_set<index::NodeId> series;
  index::NodeId newest = last_image_;
  auto s = context_.catalog->for_each_image_after(last_image_, [&](const index::Node& n) {
    newest = std::max(newest, n.id);
    if (series.insert(n.parent).second) context_.tree_changed(n.id);
  });
  if (!s) log::warn("reader mount: cannot list new images: " + s.error().message);
  last_image_ = newest;
  // Sidecars, stats.json and participants.tsv change with images and with metadata edits.
  context_.generated_changed();
  again_ = true;
}

}  // namespace obia::daemon
