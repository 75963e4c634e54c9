// The writable part of the tree: inbox/<collection>/ accepts nested folders and files (cp -r),
// backed by staging/<collection>/ in the archive directory; quarantine allows deletes.
// Everything else answers EROFS.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "common/log.h"
#include "fs/handles.h"
#include "fs/ops.h"

namespace obia::fs {
namespace {

// The inbox folder `parent` stands for, or nullopt (then the reply is EROFS).
std::optional<AreaPath> inbox_dir(Context& c, fuse_ino_t parent, Area want = Area::Inbox) {
  if (ino_kind(parent) != static_cast<uint8_t>(want)) return std::nullopt;
  auto p = c.path_table.get(parent);
  if (!p || p->area != want) return std::nullopt;
  return p;
}

void reply_new_entry(fuse_req_t req, Context& c, const AreaPath& p, fuse_file_info* fi) {
  struct stat st {};
  if (::lstat(real_path(c, p).c_str(), &st) != 0) return reply_error(req, errno);
  fuse_entry_param e{};
  e.ino = c.path_table.ref(p.area, p.rel);
  st.st_ino = e.ino;
  e.attr = st;
  e.attr_timeout = e.entry_timeout = kLiveTimeout;
  if (fi) {
    if (fuse_reply_create(req, &e, fi) != 0) {
      // The kernel did not take the handle: release it ourselves.
      c.files.take(fi->fh);
      c.inbox.writer_closed();
    }
  } else {
    fuse_reply_entry(req, &e);
  }
}

// The submitting user owns what they submit (shown by ls -l in the inbox). Best effort: a
// failure leaves the file owned by the daemon, which changes no access decision.
void own_by_caller(fuse_req_t req, int fd) {
  const fuse_ctx* who = fuse_req_ctx(req);
  if (::fchown(fd, who->uid, who->gid) != 0) log::debug("inbox: fchown failed");
}

}  // namespace

bool safe_entry_name(const char* name) {
  size_t n = std::strlen(name);
  return n > 0 && n <= 255 && std::strchr(name, '/') == nullptr && std::strcmp(name, ".") != 0 &&
         std::strcmp(name, "..") != 0;
}

void op_create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode,
               struct fuse_file_info* fi) {
  try {
    Context& c = ctx(req);
    if (parent == kSimilarIno) {  // a query file: memory only, never archived
      if (!safe_entry_name(name)) return reply_error(req, EINVAL);
      if (std::string(name).size() > 8 && std::string(name).ends_with(".results"))
        return reply_error(req, EINVAL);
      if (!c.uploads.create(name, fuse_req_ctx(req)->uid)) return reply_error(req, EEXIST);
      auto h = std::make_unique<FileHandle>();
      h->upload = name;
      fi->direct_io = 1;
      fi->fh = c.files.add(std::move(h));
      fuse_entry_param e{};
      e.ino = c.path_table.ref(Area::Upload, name);
      auto st = stat_ino(c, e.ino);
      if (!st) return reply_error(req, st.error().code);
      e.attr = *st;
      e.attr_timeout = e.entry_timeout = kLiveTimeout;
      if (fuse_reply_create(req, &e, fi) != 0) c.files.take(fi->fh);
      return;
    }
    auto dir = inbox_dir(c, parent);
    if (!dir) return reply_error(req, EROFS);
    if (!safe_entry_name(name)) return reply_error(req, EINVAL);
    AreaPath p{Area::Inbox, dir->rel + "/" + name};
    int flags = (fi->flags & (O_ACCMODE | O_TRUNC | O_EXCL | O_APPEND)) | O_CREAT | O_NOFOLLOW |
                O_CLOEXEC;
    if ((flags & O_ACCMODE) == O_RDONLY) flags = (flags & ~O_ACCMODE) | O_WRONLY;
    mode &= ~fuse_req_ctx(req)->umask;  // with POSIX ACLs the kernel leaves the umask to us
    auto fd = open_fd(real_path(c, p), flags, (mode & 0777) | 0600);
    if (!fd) return reply_error(req, fd.error().code);
    own_by_caller(req, fd->get());
    auto h = std::make_unique<FileHandle>();
    h->fd = std::move(*fd);
    h->writer = true;
    h->path = p;
    c.inbox.writer_opened();
    fi->direct_io = 1;
    fi->fh = c.files.add(std::move(h));
    reply_new_entry(req, c, p, fi);
  } catch (...) {
    reply_error(req, EIO);
  }
}

void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) {
  try {
    Context& c = ctx(req);
    auto dir = inbox_dir(c, parent);
    if (!dir) return reply_error(req, EROFS);
    if (!safe_entry_name(name)) return reply_error(req, EINVAL);
    AreaPath p{Area::Inbox, dir->rel + "/" + name};
    std::string real = real_path(c, p).string();
    mode &= ~fuse_req_ctx(req)->umask;
    if (::mkdir(real.c_str(), (mode & 0777) | 0700) != 0) return reply_error(req, errno);
    if (auto dfd = open_fd(real, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)) own_by_caller(req, dfd->get());
    reply_new_entry(req, c, p, nullptr);
  } catch (...) {
    reply_error(req, EIO);
  }
}

void op_write_buf(fuse_req_t req, fuse_ino_t, struct fuse_bufvec* bufv, off_t off,
                  struct fuse_file_info* fi) {
  auto h = ctx(req).files.get(fi->fh);
  if (!h) return reply_error(req, EBADF);
  if (!h->upload.empty()) {
    size_t n = fuse_buf_size(bufv);
    std::string chunk(n, '\0');
    fuse_bufvec dst = FUSE_BUFVEC_INIT(n);
    dst.buf[0].mem = chunk.data();
    ssize_t got = fuse_buf_copy(&dst, bufv, FUSE_BUF_NO_SPLICE);
    if (got < 0) return reply_error(req, static_cast<int>(-got));
    if (!ctx(req).uploads.append(h->upload, static_cast<uint64_t>(off),
                                 std::string_view(chunk.data(), static_cast<size_t>(got))))
      return reply_error(req, EFBIG);
    return (void)fuse_reply_write(req, static_cast<size_t>(got));
  }
  if (h->request) {  // requests/<C>: collect the text, recorded at release
    size_t n = fuse_buf_size(bufv);
    if (h->written.size() + n > 65536) return reply_error(req, EFBIG);
    std::string chunk(n, '\0');
    fuse_bufvec dst = FUSE_BUFVEC_INIT(n);
    dst.buf[0].mem = chunk.data();
    ssize_t got = fuse_buf_copy(&dst, bufv, FUSE_BUF_NO_SPLICE);
    if (got < 0) return reply_error(req, static_cast<int>(-got));
    h->written.append(chunk.data(), static_cast<size_t>(got));
    return (void)fuse_reply_write(req, static_cast<size_t>(got));
  }
  if (!h->writer) return reply_error(req, EBADF);
  fuse_bufvec dst = FUSE_BUFVEC_INIT(fuse_buf_size(bufv));
  dst.buf[0].flags = static_cast<fuse_buf_flags>(FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK);
  dst.buf[0].fd = h->fd.get();
  dst.buf[0].pos = off;
  ssize_t n = fuse_buf_copy(&dst, bufv, FUSE_BUF_SPLICE_NONBLOCK);
  if (n < 0) return reply_error(req, static_cast<int>(-n));
  fuse_reply_write(req, static_cast<size_t>(n));
}

void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set,
                struct fuse_file_info* fi) {
  try {
    Context& c = ctx(req);
    if (ino_kind(ino) == kRequestKind || ino_kind(ino) == kUploadKind) {  // O_TRUNC: nothing to do
      auto st = stat_ino(c, ino);
      if (!st) return reply_error(req, st.error().code);
      return (void)fuse_reply_attr(req, &*st, kLiveTimeout);
    }
    auto p = inbox_dir(c, ino);
    if (!p) return reply_error(req, EROFS);
    std::string real = real_path(c, *p).string();
    auto open_file = fi ? c.files.get(fi->fh) : nullptr;
    int fd = open_file ? open_file->fd.get() : -1;
    if (to_set & FUSE_SET_ATTR_SIZE) {
      int r = fd >= 0 ? ::ftruncate(fd, attr->st_size) : ::truncate(real.c_str(), attr->st_size);
      if (r != 0) return reply_error(req, errno);
    }
    if (to_set & FUSE_SET_ATTR_MODE) {
      if (::chmod(real.c_str(), (attr->st_mode & 07777) | 0600) != 0) return reply_error(req, errno);
    }
    if (to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME)) {
      struct timespec ts[2];
      ts[0].tv_nsec = ts[1].tv_nsec = UTIME_OMIT;
      if (to_set & FUSE_SET_ATTR_ATIME) ts[0] = attr->st_atim;
      if (to_set & FUSE_SET_ATTR_MTIME) ts[1] = attr->st_mtim;
      if (to_set & FUSE_SET_ATTR_ATIME_NOW) ts[0].tv_nsec = UTIME_NOW;
      if (to_set & FUSE_SET_ATTR_MTIME_NOW) ts[1].tv_nsec = UTIME_NOW;
      if (::utimensat(AT_FDCWD, real.c_str(), ts, AT_SYMLINK_NOFOLLOW) != 0)
        return reply_error(req, errno);
    }
    // Ownership stays with the submitting curator (chown is ignored, as on most shared drops).
    auto st = stat_ino(c, ino);
    if (!st) return reply_error(req, st.error().code);
    fuse_reply_attr(req, &*st, kLiveTimeout);
  } catch (...) {
    reply_error(req, EIO);
  }
}

namespace {

void remove_entry(fuse_req_t req, fuse_ino_t parent, const char* name, bool dir) {
  try {
    Context& c = ctx(req);
    if (parent == kSimilarIno && !dir) {
      if (!c.uploads.remove(name, fuse_req_ctx(req)->uid)) return reply_error(req, ENOENT);
      return (void)fuse_reply_err(req, 0);
    }
    auto p = inbox_dir(c, parent, Area::Inbox);
    if (!p) p = inbox_dir(c, parent, Area::Quarantine);
    if (!p) return reply_error(req, EROFS);
    if (!safe_entry_name(name)) return reply_error(req, EINVAL);
    std::string real = (real_path(c, *p) / name).string();
    int r = dir ? ::rmdir(real.c_str()) : ::unlink(real.c_str());
    if (r != 0) return reply_error(req, errno);
    // Deleting a quarantined file also deletes its reason, and vice versa is harmless.
    if (!dir && p->area == Area::Quarantine) ::unlink((real + ".reason").c_str());
    fuse_reply_err(req, 0);
  } catch (...) {
    reply_error(req, EIO);
  }
}

}  // namespace

void op_unlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  remove_entry(req, parent, name, false);
}

void op_rmdir(fuse_req_t req, fuse_ino_t parent, const char* name) {
  remove_entry(req, parent, name, true);
}

void op_rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent,
               const char* newname, unsigned int flags) {
  try {
    Context& c = ctx(req);
    auto from = inbox_dir(c, parent);
    auto to = inbox_dir(c, newparent);
    if (!from || !to) return reply_error(req, EROFS);
    if (!safe_entry_name(name) || !safe_entry_name(newname)) return reply_error(req, EINVAL);
    // Renames stay inside one collection's inbox (rsync writes a temp file, then renames it).
    auto coll = [](const std::string& rel) { return rel.substr(0, rel.find('/')); };
    if (coll(from->rel) != coll(to->rel)) return reply_error(req, EXDEV);
    std::string src_rel = from->rel + "/" + name, dst_rel = to->rel + "/" + newname;
    std::string src = real_path(c, AreaPath{Area::Inbox, src_rel}).string();
    std::string dst = real_path(c, AreaPath{Area::Inbox, dst_rel}).string();
    if (::renameat2(AT_FDCWD, src.c_str(), AT_FDCWD, dst.c_str(), flags) != 0)
      return reply_error(req, errno);
    c.path_table.rename(Area::Inbox, src_rel, dst_rel);
    // A released file that was renamed must be queued under its new name.
    struct stat st {};
    if (::lstat(dst.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      auto slash = dst_rel.find('/');
      c.inbox.submit(dst_rel.substr(0, slash), dst_rel.substr(slash + 1));
    }
    fuse_reply_err(req, 0);
  } catch (...) {
    reply_error(req, EIO);
  }
}

}  // namespace obia::fs
