// Reader mounts (obiafs --reader) run beside the archive's writer daemon and see its commits
// only through the shared LMDB catalog. This watch polls the catalog version and tells the
// kernel which of its cached listings and generated files the new images made stale.
#pragma once

#include "common/periodic.h"
#include "fs/context.h"

namespace obia::daemon {

class CatalogWatch {
 public:
  explicit CatalogWatch(fs::Context& context);
  CatalogWatch(const CatalogWatch&) = delete;
  CatalogWatch& operator=(const CatalogWatch&) = delete;
  void check_now() { periodic_.run_now(); }

 private:
  void check();  // run by periodic_, one at a time
  fs::Context& context_;
  uint64_t version_ = 0;
  index::NodeId last_image_ = 0;
  bool again_ = false;      // drop generated files once more after a change (see generated_changed)
  PeriodicCheck periodic_;  // last: starts once the state above is set
};

}  // namespace obia::daemon
