// Reader mounts (obiafs --reader) run beside the archive's writer daemon and see its commits
// only through the shared LMDB catalog. This watch polls the catalog version and tells the
// kernel which of its cached listings and generated files the new images made stale.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "fs/context.h"

namespace obia::daemon {

class CatalogWatch {
 public:
  explicit CatalogWatch(fs::Context& context);
  ~CatalogWatch();
  CatalogWatch(const CatalogWatch&) = delete;
  CatalogWatch& operator=(const CatalogWatch&) = delete;
  void check_now();

 private:
  void run();
  void check_locked();
  fs::Context& context_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  uint64_t version_ = 0;
  index::NodeId last_image_ = 0;
  bool again_ = false;  // drop generated files once more after a change (see generated_changed)
  std::thread thread_;
};

}  // namespace obia::daemon
