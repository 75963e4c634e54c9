// Notices policy changes made by obiactl (a generation number in the catalog) and grants that
// expire, and makes the mount apply them at once (caches invalidated).
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "fs/context.h"
#include "index/policy.h"

namespace obia::daemon {

class PolicyWatch {
 public:
  PolicyWatch(const index::PolicyStore& store, const index::Catalog& catalog, fs::Context& context);
  ~PolicyWatch();
  PolicyWatch(const PolicyWatch&) = delete;
  PolicyWatch& operator=(const PolicyWatch&) = delete;
  void check_now();  // returns once any change found is applied

 private:
  void run();
  bool check_locked();
  const index::PolicyStore& store_;
  const index::Catalog& catalog_;
  fs::Context& context_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  uint64_t generation_ = 0;
  int64_t next_expiry_ = 0;
  size_t collections_ = 0;  // a new collection must appear in the kernel's cached root listing
  std::thread thread_;
};

// "OBIA0001/I000001/S00000001/001_CT/000001.dcm" for an image (audit lines).
std::string path_of(const index::Catalog& catalog, index::NodeId id);

}  // namespace obia::daemon
