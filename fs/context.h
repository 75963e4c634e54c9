// Everything the FUSE handlers share: the archive's parts and the per-mount tables.
// Handlers live in fs/op_*.cpp, one operation area per file; each replies exactly once and
// converts every error to an errno there, never letting an exception reach libfuse.
#pragma once

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>
#include <sys/stat.h>

#include "fs/access.h"
#include "fs/handles.h"
#include "fs/inodes.h"
#include "fs/uploads.h"
#include "index/audit_log.h"
#include "index/catalog.h"
#include "index/policy.h"
#include "store/archive.h"
#include "store/object_store.h"

namespace obia::similarity {
class SimilarityService;
}

namespace obia::fs {

// Called with (collection accession, path relative to staging/<C>) when an inbox file's last
// writer releases it; and around write opens, so the queue knows when the inbox is drained.
struct InboxHooks {
  std::function<void(const std::string&, const std::string&)> submit;
  std::function<void()> writer_opened, writer_closed;
};

struct Context {
  store::ArchivePaths paths;
  index::Catalog* catalog = nullptr;
  const store::ObjectStore* objects = nullptr;
  index::PolicyStore* policies = nullptr;
  index::AuditLog* audit = nullptr;  // opens of images in controlled collections
  InboxHooks inbox;
  PathTable path_table;
  PolicyCache policy_cache;
  std::mutex ancestors_mu;
  std::unordered_map<index::NodeId, index::NodeId> ancestors;  // node -> collection
  fuse_session* session = nullptr;  // for cache invalidation notices
  similarity::SimilarityService* similarity = nullptr;  // similar/ folders (when available)
  Uploads uploads;  // query files in similar/
  FileHandles files;  // open files (fuse_file_info::fh)
  // stats.json is a pass over every image: computed once per catalog version.
  std::mutex stats_mu;
  uint64_t stats_version = UINT64_MAX;
  std::string stats_json;
  // Paths of archived nodes never change: node_path() remembers them (bounded).
  std::mutex node_paths_mu;
  std::unordered_map<index::NodeId, std::string> node_paths;
  // Bumped by every archived image: similar/ listings remembered below are valid for one
  // (tree_version, similarity generation, index size).
  std::atomic<uint64_t> tree_version{0};
  struct SimilarListing {
    uint64_t tree_version = 0, generation = 0, indexed = 0;
    std::vector<index::NodeId> hits;  // unfiltered top k, nearest first
    std::vector<std::pair<std::string, std::string>> links;  // (name, target) per hit
  };
  std::mutex similar_mu;
  std::unordered_map<index::NodeId, SimilarListing> similar_listings;

  // Reader mount (obiafs --reader): read-only, open collections only, no inbox, similar/,
  // query/ or .qc/. OPEN and OPENDIR answer ENOSYS, so the kernel stops sending them and
  // serves opens and (cached) listings itself; READ and READDIR then arrive without a handle.
  bool reader = false;
  struct ReaderListing {
    uint64_t version = 0;  // catalog version it was listed at
    std::shared_ptr<const DirHandle> dir;
  };
  std::mutex reader_mu;
  std::unordered_map<uint64_t, ReaderListing> reader_listings;  // continues a long listing
  std::unordered_set<uint64_t> reader_generated;  // generated files the kernel may cache
  std::unordered_set<uint64_t> reader_generated_before;  // served before the last change

  // Drops cached policies and tells the kernel to forget the attributes (and ACLs) of every
  // collection and directory below them, so new permissions apply to the next access.
  void policies_changed();
  // An image was archived: the kernel's cached listings of its series, study, individual and
  // collection folders (and of the series' similar/ folder) are now stale.
  void tree_changed(index::NodeId image);
  // Reader mounts: the catalog changed under a writer daemon; the generated files whose size or
  // content was served since the last call (sidecars, stats.json, participants.tsv) may be stale
  // in the kernel's attribute and page caches.
  void generated_changed();
  // Reader mounts: the size or content of generated file `ino` went to the kernel.
  void reader_served(uint64_t ino) {
    std::lock_guard lock(reader_mu);
    reader_generated.insert(ino);
  }
};

Context& ctx(fuse_req_t req);

// Timeouts: archived content is immutable, so the kernel may cache it for a day.
constexpr double kArchivedTimeout = 86400.0;
constexpr double kLiveTimeout = 1.0;  // inbox, quarantine, generated files

// Attributes of any inode, owner and mode derived from its policy; ENOENT when it does not
// exist (or no longer).
Result<struct stat> stat_ino(Context& c, uint64_t ino);
// Attributes of a catalog node (before policy: apply() the Perms of its collection).
struct stat node_attr(const index::Node& n);
// Owner, group and mode bits for `ino` under its collection's policy; the policy is returned
// too when the inode belongs to a collection.
struct Access {
  Perms perms;
  std::optional<index::CollectionPolicy> policy;
};
Result<Access> access_of(Context& c, uint64_t ino);
double attr_timeout(uint64_t ino);
// Content of generated files (README, TERMS, stats.json, sidecars, participants.tsv).
Result<std::string> generated_content(Context& c, uint64_t ino);
// Maps an inbox/quarantine path to the real path in the archive directory.
std::filesystem::path real_path(const Context& c, const AreaPath& p);
// Reader mounts: is `ino` part of the reader tree (README.txt, stats.json and the folders,
// sidecars, participants.tsv and images of open collections)?
Result<bool> reader_visible(Context& c, uint64_t ino);
// One reply per request: converts an errno to fuse_reply_err.
inline void reply_error(fuse_req_t req, int err) { fuse_reply_err(req, err > 0 ? err : EIO); }

}  // namespace obia::fs
