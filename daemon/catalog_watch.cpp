#include "daemon/catalog_watch.h"

#include <chrono>
#include <unordered_set>

#include "common/log.h"

namespace obia::daemon {

CatalogWatch::CatalogWatch(fs::Context& context) : context_(context) {
  version_ = context_.catalog->version();
  auto last = context_.catalog->last_image();
  if (last) last_image_ = *last;
  thread_ = std::thread([this] { run(); });
}

CatalogWatch::~CatalogWatch() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CatalogWatch::check_now() {
  std::lock_guard lock(mu_);
  check_locked();
}

void CatalogWatch::check_locked() {
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

void CatalogWatch::run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, std::chrono::milliseconds(300));
    if (!stopping_) check_locked();
  }
}

}  // namespace obia::daemon
