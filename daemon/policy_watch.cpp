// Policy change detection: generation polling and grant expiry.
#include "daemon/policy_watch.h"

#include <ctime>

namespace obia::daemon {

PolicyWatch::PolicyWatch(const index::PolicyStore& store, const index::Catalog& catalog,
                         fs::Context& context)
    : store_(store),
      catalog_(catalog),
      context_(context),
      generation_([&] {
        auto g = store.generation();
        return g.ok() ? *g : 0;
      }()),
      periodic_(std::chrono::milliseconds(500), [this] { check(); }) {
  check_now();
}

bool PolicyWatch::check() {
  auto g = store_.generation();
  int64_t now = std::time(nullptr);
  bool changed = g.ok() && *g != generation_;
  bool expired = next_expiry_ != 0 && now >= next_expiry_;
  if (g.ok()) generation_ = *g;
  // The earliest future expiry over all collections decides when to look again.
  next_expiry_ = 0;
  if (auto colls = catalog_.collections(); colls.ok()) {
    if (colls->size() != collections_) changed = true;
    collections_ = colls->size();
    for (auto& c : *colls) {
      auto p = store_.policy(c.id, now);
      if (p.ok() && p->next_expiry && (next_expiry_ == 0 || p->next_expiry < next_expiry_))
        next_expiry_ = p->next_expiry;
    }
  }
  if (changed || expired) context_.policies_changed();
  return changed || expired;
}

std::string path_of(const index::Catalog& catalog, index::NodeId id) {
  std::string path;
  for (int i = 0; i < 6 && id != index::kRootId; ++i) {
    auto n = catalog.get(id);
    if (!n) return "?" + path;
    path = "/" + n->name + path;
    id = n->parent;
  }
  return path.empty() ? path : path.substr(1);
}

}  // namespace obia::daemon
