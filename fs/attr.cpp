// Attributes of every kind of inode in the tree.
#include <unistd.h>

#include <cstring>

#include "fs/context.h"
#include "fs/sidecar.h"

namespace obia::fs {

Context& ctx(fuse_req_t req) { return *static_cast<Context*>(fuse_req_userdata(req)); }

namespace {

struct stat dir_attr(uint64_t ino, int64_t mtime, mode_t mode = 0555) {
  struct stat st {};
  st.st_ino = ino;
  st.st_mode = S_IFDIR | mode;
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

}  // namespace

struct stat node_attr(const index::Node& n) {
  if (n.kind() == index::Kind::Image) return file_attr(n.id, n.size, n.created);
  return dir_attr(n.id, n.created ? n.created : mount_time());
}

std::filesystem::path real_path(const Context& c, const AreaPath& p) {
  return (p.area == Area::Inbox ? c.paths.staging() : c.paths.quarantine()) / p.rel;
}

double attr_timeout(uint64_t ino) {
  if (ino == kRootIno || ino == kInboxIno || ino == kQuarantineIno) return kLiveTimeout;
  uint8_t k = ino_kind(ino);
  if (k == kSidecarKind || k == kInboxKind || k == kQuarantineKind) return kLiveTimeout;
  return kArchivedTimeout;
}

Result<struct stat> stat_ino(Context& c, uint64_t ino) {
  if (ino == kRootIno) return dir_attr(ino, mount_time());
  if (ino == kInboxIno || ino == kQuarantineIno) return dir_attr(ino, mount_time());
  if (ino == kReadmeIno) return file_attr(ino, readme_text().size(), mount_time());
  uint8_t k = ino_kind(ino);
  if (k == kSidecarKind) {
    auto content = sidecar_content(*c.catalog, sidecar_parent(ino));
    if (!content) return content.error();
    return file_attr(ino, content->size(), mount_time());
  }
  if (k == kInboxKind || k == kQuarantineKind) {
    auto p = c.path_table.get(ino);
    if (!p) return make_error(ENOENT, "stale inode");
    struct stat st {};
    if (::lstat(real_path(c, *p).c_str(), &st) != 0) return errno_error("lstat");
    st.st_ino = ino;
    if (p->area == Area::Quarantine) st.st_mode &= ~mode_t(0222);  // read and delete only
    return st;
  }
  auto n = c.catalog->get(ino);
  if (!n) return n.error();
  return node_attr(*n);
}

}  // namespace obia::fs
