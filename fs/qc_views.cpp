// The .qc/ views: tags.tsv per collection, contact.png per series, for curators only.
#include "fs/qc_views.h"

#include <cstring>
#include <ctime>
#include <list>
#include <mutex>
#include <unordered_map>

#include "index/policy.h"
#include "ingest/contact_sheet.h"
#include "ingest/tag_report.h"

namespace obia::fs {
namespace {

constexpr const char* kTagsName = "tags.tsv";
constexpr const char* kContactName = "contact.png";

uint8_t kind(uint64_t ino) { return ino_kind(ino); }
uint64_t seq(uint64_t ino) { return ino & index::kSeqMask; }

// The collection or series a view belongs to.
index::NodeId owner_node(uint64_t ino) {
  const uint8_t k = kind(ino);
  if (k == kCollectionQcKind || k == kTagsTsvKind)
    return index::make_id(index::Kind::Collection, seq(ino));
  return index::make_id(index::Kind::Series, seq(ino));
}

bool is_dir(uint64_t ino) { return kind(ino) == kCollectionQcKind || kind(ino) == kSeriesQcKind; }

int64_t mount_time() {
  static const int64_t t = std::time(nullptr);
  return t;
}

// Generated content by inode, valid while its key (what the content depends on) is unchanged.
// Bounded in bytes; the oldest entries go first. Generation happens outside the lock: two
// callers may both generate, and the content is deterministic, so either result is right.
class ViewCache {
 public:
  std::optional<std::string> get(uint64_t ino, const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(ino);
    if (it == entries_.end() || it->second.key != key) return std::nullopt;
    return it->second.content;
  }
  void put(uint64_t ino, std::string key, const std::string& content) {
    if (content.size() > kMaxBytes / 4) return;  // too big to keep: regenerated per stat
    std::lock_guard lock(mu_);
    if (auto it = entries_.find(ino); it != entries_.end()) {
      bytes_ -= it->second.content.size();
      order_.remove(ino);
      entries_.erase(it);
    }
    while (bytes_ + content.size() > kMaxBytes && !order_.empty()) {
      auto old = entries_.find(order_.front());
      bytes_ -= old->second.content.size();
      entries_.erase(old);
      order_.pop_front();
    }
    entries_[ino] = Entry{std::move(key), content};
    order_.push_back(ino);
    bytes_ += content.size();
  }

 private:
  static constexpr size_t kMaxBytes = size_t{64} << 20;
  struct Entry {
    std::string key, content;
  };
  std::mutex mu_;
  std::unordered_map<uint64_t, Entry> entries_;
  std::list<uint64_t> order_;
  size_t bytes_ = 0;
};

ViewCache& cache() {
  static ViewCache c;
  return c;
}

// What a view's content depends on: the collection's archived count (tags.tsv), the series'
// images (contact.png). Archived images are immutable, so these identify the content.
Result<std::string> content_key(Context& c, uint64_t ino) {
  if (kind(ino) == kTagsTsvKind) {
    auto n = c.catalog->counters(owner_node(ino));
    if (!n) return n.error();
    return std::to_string(n->archived);
  }
  auto kids = c.catalog->children(owner_node(ino));
  if (!kids) return kids.error();
  std::string key;
  for (const auto& k : *kids) key += std::to_string(k.id) + ",";
  return key;
}

// The collection node exists and `node` (a collection or series) is in the catalog.
Result<index::NodeId> collection_checked(Context& c, index::NodeId node) {
  auto n = c.catalog->get(node);
  if (!n) return n.error();
  auto coll = collection_of(c, node);
  if (!coll) return coll.error();
  if (*coll == 0) return make_error(ENOENT, "not in a collection");
  return *coll;
}

Result<bool> caller_may_curate(fuse_req_t req, Context& c, index::NodeId collection) {
  auto p = c.policy_cache.get(collection);
  if (!p) return p.error();
  if (index::may_curate(*p, caller_of(req, false))) return true;
  return index::may_curate(*p, caller_of(req, true));
}

}  // namespace

bool is_qc_ino(uint64_t ino) {
  const uint8_t k = kind(ino);
  return k >= kCollectionQcKind && k <= kContactPngKind;
}

Result<uint64_t> qc_lookup(fuse_req_t req, Context& c, uint64_t parent, const char* name) {
  uint64_t ino = 0;
  if (is_qc_ino(parent)) {
    if (kind(parent) == kCollectionQcKind && !std::strcmp(name, kTagsName))
      ino = with_kind(kTagsTsvKind, owner_node(parent));
    else if (kind(parent) == kSeriesQcKind && !std::strcmp(name, kContactName))
      ino = with_kind(kContactPngKind, owner_node(parent));
    else
      return make_error(is_dir(parent) ? ENOENT : ENOTDIR, "no such QC view");
  } else if (!std::strcmp(name, kQcDirName) && is_catalog_ino(parent) && parent != kRootIno) {
    const index::Kind k = index::kind_of(parent);
    if (k == index::Kind::Collection)
      ino = with_kind(kCollectionQcKind, parent);
    else if (k == index::Kind::Series)
      ino = with_kind(kSeriesQcKind, parent);
    else
      return make_error(ENOENT, "no QC view here");
  } else {
    return make_error(ENOENT, "no QC view here");
  }
  auto coll = collection_checked(c, owner_node(ino));
  if (!coll) return coll.error();
  auto may = caller_may_curate(req, c, *coll);
  if (!may) return may.error();
  if (!*may) return make_error(ENOENT, "QC views are for the collection's curators");
  return ino;
}

Status add_qc_entry(fuse_req_t req, Context& c, uint64_t dir, DirHandle& d) {
  if (!is_catalog_ino(dir) || dir == kRootIno) return {};
  const index::Kind k = index::kind_of(dir);
  if (k != index::Kind::Collection && k != index::Kind::Series) return {};
  auto coll = collection_of(c, dir);
  if (!coll) return coll.error();
  auto may = caller_may_curate(req, c, *coll);
  if (!may) return may.error();
  if (!*may) return {};
  const uint64_t ino =
      with_kind(k == index::Kind::Collection ? kCollectionQcKind : kSeriesQcKind, dir);
  auto st = qc_stat(c, ino);
  if (!st) return st.error();
  d.entries.push_back(DirEntry{kQcDirName, *st, false, {}});
  // This listing is now the curators' own: the kernel must not serve it to others from its
  // cache (nor serve them a listing cached without .qc to curators).
  d.cacheable = false;
  return {};
}

Status list_qc(fuse_req_t req, Context& c, uint64_t ino, DirHandle& d) {
  if (!is_dir(ino)) return make_error(ENOTDIR, "not a folder");
  auto coll = collection_checked(c, owner_node(ino));
  if (!coll) return coll.error();
  auto may = caller_may_curate(req, c, *coll);
  if (!may) return may.error();
  if (!*may) return make_error(EACCES, "QC views are for the collection's curators");
  // readdirplus hands these attributes to the kernel: they carry the exact size (generating
  // the one file of this folder), never a placeholder.
  const bool collection = kind(ino) == kCollectionQcKind;
  const uint64_t file = with_kind(collection ? kTagsTsvKind : kContactPngKind, owner_node(ino));
  auto st = qc_stat(c, file);
  if (!st) return st.error();
  d.entries.push_back(DirEntry{collection ? kTagsName : kContactName, *st, false, {}});
  return {};
}

Result<Access> qc_access(Context& c, uint64_t ino) {
  auto coll = collection_of(c, owner_node(ino));
  if (!coll) return coll.error();
  auto p = c.policy_cache.get(*coll);
  if (!p) return p.error();
  Access a;
  a.perms = curator_perms(*p);
  a.perms.dir_mode = 0550;  // read-only, curators only (others: no bits at all)
  a.perms.file_mode = 0440;
  a.policy = std::move(*p);
  return a;
}

Result<std::string> qc_content(Context& c, uint64_t ino) {
  if (is_dir(ino) || !is_qc_ino(ino)) return make_error(EISDIR, "a QC folder");
  auto key = content_key(c, ino);
  if (!key) return key.error();
  if (auto hit = cache().get(ino, *key)) return std::move(*hit);
  Result<std::string> made =
      kind(ino) == kTagsTsvKind
          ? ingest::tag_report_tsv(*c.catalog, *c.objects, owner_node(ino))
          : ingest::contact_sheet_png(*c.catalog, *c.objects, owner_node(ino));
  if (!made)
    return made.error().code == ENOENT ? make_error(EIO, made.error().message) : made.error();
  cache().put(ino, *key, *made);
  return made;
}

Result<std::string> qc_open(fuse_req_t req, Context& c, uint64_t ino) {
  if (is_dir(ino)) return make_error(EISDIR, "a QC folder");
  auto coll = collection_checked(c, owner_node(ino));
  if (!coll) return coll.error();
  auto may = caller_may_curate(req, c, *coll);
  if (!may) return may.error();
  if (!*may) return make_error(EACCES, "QC views are for the collection's curators");
  return qc_content(c, ino);
}

Result<struct stat> qc_stat(Context& c, uint64_t ino) {
  auto a = qc_access(c, ino);
  if (!a) return a.error();
  struct stat st {};
  st.st_ino = ino;
  st.st_mtime = st.st_ctime = st.st_atime = mount_time();
  st.st_blksize = 1 << 20;
  if (is_dir(ino)) {
    st.st_mode = S_IFDIR;
    st.st_nlink = 2;
  } else {
    auto content = qc_content(c, ino);
    if (!content) return content.error();
    st.st_mode = S_IFREG;
    st.st_nlink = 1;
    st.st_size = static_cast<off_t>(content->size());
    st.st_blocks = static_cast<blkcnt_t>((content->size() + 511) / 512);
  }
  apply(st, a->perms);
  return st;
}

}  // namespace obia::fs
