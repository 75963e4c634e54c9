// Access control in the tree (ARCHITECTURE §7). The kernel enforces: every inode's owner,
// group and mode are derived from its collection's policy (`default_permissions`), and grants
// are POSIX ACL entries (system.posix_acl_access). Because those attributes describe the policy,
// not the caller, the kernel's shared caches can never carry one user's rights to another.
// The daemon re-checks at open and opendir (authoritative even when a cache is stale), hides
// the content of controlled collections from listings, and invalidates the kernel's caches
// when a policy changes.
#pragma once

#include <sys/stat.h>

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "index/policy.h"

struct fuse_req;
typedef struct fuse_req* fuse_req_t;

namespace obia::fs {

struct Context;

// The caller of a request; supplementary groups are read only when asked (they cost a
// /proc read).
index::Caller caller_of(fuse_req_t req, bool with_groups);

// Collection policies, cached until invalidated, until a grant expires, or for 5 s at most.
class PolicyCache {
 public:
  explicit PolicyCache(const index::PolicyStore* store = nullptr) : store_(store) {}
  void set_store(const index::PolicyStore* store) { store_ = store; }
  Result<index::CollectionPolicy> get(index::NodeId collection);
  void invalidate_all();

 private:
  struct Entry {
    index::CollectionPolicy policy;
    std::chrono::steady_clock::time_point fetched;
  };
  const index::PolicyStore* store_;
  std::mutex mu_;
  std::unordered_map<index::NodeId, Entry> cache_;
};

// The collection a catalog node belongs to (0 for the root); ancestors are cached.
Result<index::NodeId> collection_of(Context& c, index::NodeId node);

// Owner, group and permission bits of an inode under a policy.
struct Perms {
  uid_t uid = 0;
  gid_t gid = 0;
  mode_t dir_mode = 0555, file_mode = 0444;
  bool acl = false;  // grants are in system.posix_acl_access
};
Perms archive_perms(const index::CollectionPolicy& p, bool below_collection);
Perms curator_perms(const index::CollectionPolicy& p);  // inbox/<C>, quarantine/<C>
void apply(struct stat& st, const Perms& perms);
// The binary POSIX ACL (xattr form) of controlled content.
std::string acl_xattr(const index::CollectionPolicy& p, bool directory);

}  // namespace obia::fs
