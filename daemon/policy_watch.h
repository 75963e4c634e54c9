// Notices policy changes made by obiactl (a generation number in the catalog) and grants that
// expire, and makes the mount apply them at once (caches invalidated).
#pragma once

#include <string>

#include "common/periodic.h"
#include "fs/context.h"
#include "index/policy.h"

namespace obia::daemon {

class PolicyWatch {
 public:
  PolicyWatch(const index::PolicyStore& store, const index::Catalog& catalog, fs::Context& context);
  PolicyWatch(const PolicyWatch&) = delete;
  PolicyWatch& operator=(const PolicyWatch&) = delete;
  void check_now() { periodic_.run_now(); }  // returns once any change found is applied

 private:
  bool check();  // run by periodic_, one at a time
  const index::PolicyStore& store_;
  const index::Catalog& catalog_;
  fs::Context& context_;
  uint64_t generation_ = 0;
  int64_t next_expiry_ = 0;
  size_t collections_ = 0;  // a new collection must appear in the kernel's cached root listing
  PeriodicCheck periodic_;  // last: starts once the state above is set
};

// "OBIA0001/I000001/S00000001/001_CT/000001.dcm" for an image (audit lines).
std::string path_of(const index::Catalog& catalog, index::NodeId id);

}  // namespace obia::daemon
