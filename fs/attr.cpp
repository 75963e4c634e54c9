// Attributes of every kind of inode in the tree, with owner and mode from the policies.
#include <unistd.h>

#include <cstring>

#include "fs/context.h"
#include "fs/qc_views.h"
#include "fs/query.h"
#include "fs/sidecar.h"
#include "index/statistics.h"

namespace obia::fs {

Context& ctx(fuse_req_t req) { return *static_cast<Context*>(fuse_req_userdata(req)); }

namespace {

struct stat dir_attr(uint64_t ino, int64_t mtime) {
  struct stat st {};
  st.st_ino = ino;
  st.st_mode = S_IFDIR | 0555;
  st.st_nlink = 2;
  st.st_mtime = st.st_ctime = st.st_atime = mtime;
  st.st_blksize = 1 << 20;
  return st;
}

struct stat file_attr(uint64_t ino, uint64_t size, int64_t mtime) {
  struct stat st {};
  st.st_ino = ino;
  st.st_mode = S_IFREG | 0444;
  st.st_nlink = 1;
  st.st_size = static_cast<off_t>(size);
  st.st_blocks = static_cast<blkcnt_t>((size + 511) / 512);
  st.st_mtime = st.st_ctime = st.st_atime = mtime;
  st.st_blksize = 1 << 20;
  return st;
}

int64_t mount_time() {
  static const int64_t t = time(nullptr);
  return t;
}

Result<Access> policy_access(Context& c, index::NodeId collection, bool below, bool curator_area) {
  auto p = c.policy_cache.get(collection);
  if (!p) return p.error();
  Access a;
  a.perms = curator_area ? curator_perms(*p) : archive_perms(*p, below);
  a.policy = std::move(*p);
  return a;
}

Result<index::NodeId> area_collection(Context& c, const AreaPath& p) {
  auto coll = c.catalog->collection_by_accession(p.rel.substr(0, p.rel.find('/')));
  if (!coll) return coll.error();
  if (!*coll) return make_error(ENOENT, "no such collection");
  return (*coll)->id;
}

}  // namespace

struct stat node_attr(const index::Node& n) {
  if (n.kind() == index::Kind::Image) return file_attr(n.id, n.size, n.created);
  return dir_attr(n.id, n.created ? n.created : mount_time());
}

std::filesystem::path real_path(const Context& c, const AreaPath& p) {
  return (p.area == Area::Inbox ? c.paths.staging() : c.paths.quarantine()) / p.rel;
}

double attr_timeout(uint64_t ino) {
  // Folders of the tree and archived images are long-lived; everything generated or live is
  // re-checked every second.
  if (ino == kRootIno || ino < 16) return kLiveTimeout;
  uint8_t k = ino_kind(ino);
  // A link's inode is keyed by its target, and its name in a listing encodes that target.
  if (k == kLinkKind || k == kSeriesLinkKind) return kArchivedTimeout;
  if (k >= kSidecarKind) return kLiveTimeout;
  return kArchivedTimeout;
}

Result<std::string> generated_content(Context& c, uint64_t ino) {
  if (ino == kReadmeIno) return readme_text();
  if (ino == kTermsIno) return terms_text();
  if (ino == kStatsIno) {
    std::lock_guard lock(c.stats_mu);
    uint64_t version = c.catalog->version();
    if (version != c.stats_version) {
      auto stats = index::compute_stats(*c.catalog);
      if (!stats) return stats.error();
      c.stats_json = stats->dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
      c.stats_version = version;
    }
    return c.stats_json;
  }
  uint8_t k = ino_kind(ino);
  if (k == kSidecarKind) return sidecar_content(*c.catalog, sidecar_parent(ino));
  if (k == kParticipantsKind)
    return participants_tsv(*c.catalog, index::make_id(index::Kind::Collection, ino & index::kSeqMask));
  if (is_qc_ino(ino)) return qc_content(c, ino);
  return make_error(ENOENT, "not a generated file");
}

Result<bool> reader_visible(Context& c, uint64_t ino) {
  if (ino == kRootIno || ino == kReadmeIno || ino == kStatsIno) return true;
  uint8_t k = ino_kind(ino);
  index::NodeId node = ino;
  if (k == kSidecarKind) node = sidecar_parent(ino);
  if (k == kParticipantsKind) node = index::make_id(index::Kind::Collection, ino & index::kSeqMask);
  if (!is_catalog_ino(node) || node == kRootIno) return false;
  auto coll = collection_of(c, node);
  if (!coll) return coll.error();
  if (*coll == 0) return false;
  auto p = c.policy_cache.get(*coll);
  if (!p) return p.error();
  return !p->controlled;
}

Result<Access> access_of(Context& c, uint64_t ino) {
  if (is_qc_ino(ino)) return qc_access(c, ino);
  uint8_t k = ino_kind(ino);
  if (k == kInboxKind || k == kQuarantineKind) {
    auto p = c.path_table.get(ino);
    if (!p) return make_error(ESTALE, "stale inode");
    auto coll = area_collection(c, *p);
    if (!coll) return coll.error();
    return policy_access(c, *coll, true, true);
  }
  if (k == kRequestKind) {
    Access a;
    a.perms.file_mode = 0666;  // anyone may ask; each caller reads only their own request
    return a;
  }
  if (k == kParticipantsKind) {  // like the collection's content
    auto coll = index::make_id(index::Kind::Collection, ino & index::kSeqMask);
    return policy_access(c, coll, true, false);
  }
  if (k == kQueryKind || k == kSeriesLinkKind || k == kValueLinkKind || k == kLinkKind ||
      k == kUploadKind || k == kResultsKind || ino == kSimilarIno)
    return Access{};
  index::NodeId node = k == kSidecarKind ? sidecar_parent(ino) : ino;
  if (k == kSeriesSimilarKind) node = index::make_id(index::Kind::Series, ino & index::kSeqMask);
  if (k == kImageSimilarKind) node = index::make_id(index::Kind::Image, ino & index::kSeqMask);
  if (!is_catalog_ino(node) || node == kRootIno) return Access{};
  auto coll = collection_of(c, node);
  if (!coll) return coll.error();
  if (*coll == 0) return Access{};
  // The collection folder and its collection.json stay visible to all, so anyone can ask.
  bool below = node != *coll;
  return policy_access(c, *coll, below, false);
}

Result<struct stat> stat_ino(Context& c, uint64_t ino) {
  if (is_qc_ino(ino)) return qc_stat(c, ino);
  struct stat st {};
  uint8_t k = ino_kind(ino);
  if (ino == kRootIno || ino == kInboxIno || ino == kQuarantineIno || ino == kRequestsIno) {
    st = dir_attr(ino, mount_time());
  } else if (ino == kQueryIno || k == kQueryKind) {
    if (k == kQueryKind && !c.path_table.get(ino)) return make_error(ENOENT, "stale inode");
    st = dir_attr(ino, mount_time());
  } else if (ino == kSimilarIno) {
    st = dir_attr(ino, mount_time());
    st.st_mode = S_IFDIR | 01777;  // anyone may drop a query file; sticky: only their own
    return st;
  } else if (k == kSeriesSimilarKind || k == kImageSimilarKind) {
    st = dir_attr(ino, mount_time());
  } else if (k == kResultsKind || k == kUploadKind) {
    auto p = c.path_table.get(ino);
    if (!p) return make_error(ENOENT, "stale inode");
    auto u = c.uploads.get(p->rel);
    if (!u) return make_error(ENOENT, "query file expired");
    if (k == kResultsKind) {
      st = dir_attr(ino, mount_time());
    } else {
      st = file_attr(ino, u->data.size(), mount_time());
      st.st_mode = S_IFREG | 0644;
      st.st_uid = u->uid;
      return st;
    }
  } else if (k == kSeriesLinkKind || k == kValueLinkKind || k == kLinkKind) {
    auto target = link_target(c, ino);
    if (!target) return target.error();
    st = file_attr(ino, target->size(), mount_time());
    st.st_mode = S_IFLNK | 0777;
  } else if (k == kRequestKind) {
    st = file_attr(ino, 0, mount_time());  // content differs per caller: size 0, direct_io
  } else if (ino == kReadmeIno || ino == kTermsIno || ino == kStatsIno || k == kSidecarKind ||
             k == kParticipantsKind) {
    // A reader mount's kernel keeps this size (and later the pages) until told: remembered
    // before the content is made, so a change from now on drops it (Context::generated_changed).
    if (c.reader) c.reader_served(ino);
    auto content = generated_content(c, ino);
    if (!content) return content.error();
    st = file_attr(ino, content->size(), mount_time());
  } else if (k == kInboxKind || k == kQuarantineKind) {
    auto p = c.path_table.get(ino);
    if (!p) return make_error(ENOENT, "stale inode");
    if (::lstat(real_path(c, *p).c_str(), &st) != 0) return errno_error("lstat");
    st.st_ino = ino;
    st.st_blksize = 1 << 20;  // cp writes in st_blksize chunks: one 1 MiB WRITE, not 4 KiB ones
    auto a = access_of(c, ino);
    if (!a) return a.error();
    Perms perms = a->perms;
    if (p->area == Area::Quarantine) perms.file_mode = 0440;  // read and delete only
    uid_t owner = st.st_uid;
    apply(st, perms);
    if (p->rel.find('/') != std::string::npos) st.st_uid = owner;  // submitters own their files
    return st;
  } else {
    auto n = c.catalog->get(ino);
    if (!n) return n.error();
    st = node_attr(*n);
  }
  auto a = access_of(c, ino);
  if (!a) return a.error();
  if (!S_ISLNK(st.st_mode)) apply(st, a->perms);
  return st;
}

}  // namespace obia::fs
