// open, read and release: archived images are served from the object's fd (spliced by libfuse
// where the kernel allows), generated files from a snapshot taken at open, inbox and
// quarantine files from the real file.
#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "fs/handles.h"
#include "fs/ops.h"
#include "fs/qc_views.h"
#include "fs/requests.h"
#include "fs/sidecar.h"

namespace obia::fs {
namespace {

bool wants_write(int flags) { return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC); }

void open_area(fuse_req_t req, Context& c, uint64_t ino, fuse_file_info* fi) {
  auto p = c.path_table.get(ino);
  if (!p) return reply_error(req, ESTALE);
  bool write = wants_write(fi->flags);
  if (write && p->area != Area::Inbox) return reply_error(req, EROFS);
  int flags = (fi->flags & (O_ACCMODE | O_TRUNC | O_APPEND)) | O_NOFOLLOW | O_CLOEXEC;
  auto fd = open_fd(real_path(c, *p), flags);
  if (!fd) return reply_error(req, fd.error().code);
  auto h = std::make_unique<FileHandle>();
  h->fd = std::move(*fd);
  h->writer = write;
  h->path = *p;
  if (write) c.inbox.writer_opened();
  fi->direct_io = 1;  // the file may change under us (ingest), so bypass the page cache
  fi->fh = c.files.add(std::move(h));
  if (fuse_reply_open(req, fi) != 0 && write) c.inbox.writer_closed();
}

void open_request(fuse_req_t req, Context& c, uint64_t ino, fuse_file_info* fi) {
  auto h = std::make_unique<FileHandle>();
  h->request = true;
  h->generated = true;
  h->collection = request_collection(ino);
  index::Caller who = caller_of(req, true);
  h->uid = who.uid;
  if (!wants_write(fi->flags)) h->content = request_status(c, h->collection, who);
  fi->direct_io = 1;  // each caller reads their own status
  fi->fh = c.files.add(std::move(h));
  fuse_reply_open(req, fi);
}

// The daemon's check at open: authoritative even if a kernel cache is stale. Audits opens of
// images in controlled collections.
int check_read(fuse_req_t req, Context& c, uint64_t ino, bool image) {
  auto a = access_of(c, ino);
  if (!a) return a.error().code;
  if (!a->policy || !a->policy->controlled || !a->perms.acl) return 0;
  index::Caller who = caller_of(req, false);
  if (!index::may_read(*a->policy, who)) {
    who = caller_of(req, true);
    if (!index::may_read(*a->policy, who)) return EACCES;
  }
  if (image && c.audit)
    c.audit->record({static_cast<int64_t>(time(nullptr)), who.uid, "open", ino, ""});
  return 0;
}

void reply_slice(fuse_req_t req, const std::string& content, size_t size, off_t off) {
  if (off >= static_cast<off_t>(content.size())) return (void)fuse_reply_buf(req, nullptr, 0);
  size_t n = std::min(size, content.size() - static_cast<size_t>(off));
  fuse_reply_buf(req, content.data() + off, n);
}

void reply_from_fd(fuse_req_t req, int fd, size_t size, off_t off) {
  fuse_bufvec buf = FUSE_BUFVEC_INIT(size);
  buf.buf[0].flags = static_cast<fuse_buf_flags>(FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK);
  buf.buf[0].fd = fd;
  buf.buf[0].pos = off;
  fuse_reply_data(req, &buf, FUSE_BUF_SPLICE_MOVE);
}

// Reader mounts have no OPEN: each READ names only the inode. Images are read from their
// object (opened per request; large reads make that one open per cold image), generated files
// from their current content, remembered so a catalog change can drop them from the page cache.
void read_unopened(fuse_req_t req, Context& c, uint64_t ino, size_t size, off_t off) {
  auto shown = reader_visible(c, ino);
  if (!shown) return reply_error(req, shown.error().code);
  if (!*shown) return reply_error(req, EACCES);  // its collection became controlled
  uint8_t k = ino_kind(ino);
  if (ino == kReadmeIno || ino == kStatsIno || k == kSidecarKind || k == kParticipantsKind) {
    c.reader_served(ino);
    auto content = generated_content(c, ino);
    if (!content) return reply_error(req, content.error().code);
    return reply_slice(req, *content, size, off);
  }
  if (k != static_cast<uint8_t>(index::Kind::Image)) return reply_error(req, EISDIR);
  auto n = c.catalog->get(ino);
  if (!n) return reply_error(req, n.error().code);
  auto fd = c.objects->open_object(n->object);
  if (!fd) return reply_error(req, fd.error().code);
  reply_from_fd(req, fd->get(), size, off);
}

}  // namespace

void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info* fi) {
  try {
    Context& c = ctx(req);
    // Reader mounts: ENOSYS makes the kernel open files itself from now on (no round trip).
    if (c.reader) return reply_error(req, ENOSYS);
    uint8_t k = ino_kind(ino);
    if (k == kInboxKind || k == kQuarantineKind) return open_area(req, c, ino, fi);
    if (k == kRequestKind) return open_request(req, c, ino, fi);
    if (k == kUploadKind) {  // a query file: read back or rewritten by its owner
      auto p = c.path_table.get(ino);
      auto u = p ? c.uploads.get(p->rel) : std::nullopt;
      if (!u) return reply_error(req, ENOENT);
      auto h = std::make_unique<FileHandle>();
      if (wants_write(fi->flags)) {
        if (!c.uploads.create(p->rel, fuse_req_ctx(req)->uid)) return reply_error(req, EACCES);
        h->upload = p->rel;
      } else {
        h->generated = true;
        h->content = u->data;
      }
      fi->direct_io = 1;
      fi->fh = c.files.add(std::move(h));
      return (void)fuse_reply_open(req, fi);
    }
    if (wants_write(fi->flags)) return reply_error(req, EROFS);
    auto h = std::make_unique<FileHandle>();
    if (is_qc_ino(ino)) {  // .qc/ views: curators only, one generated snapshot per open
      auto content = qc_open(req, c, ino);
      if (!content) return reply_error(req, content.error().code);
      h->content = std::move(*content);
      h->generated = true;
      fi->direct_io = 1;
    } else if (ino == kReadmeIno || ino == kTermsIno || ino == kStatsIno || k == kSidecarKind ||
               k == kParticipantsKind) {
      if (int err = check_read(req, c, ino, false)) return reply_error(req, err);
      auto content = generated_content(c, ino);
      if (!content) return reply_error(req, content.error().code);
      h->content = std::move(*content);
      h->generated = true;
      fi->direct_io = 1;  // content may change between opens; each open reads one snapshot
    } else if (k == static_cast<uint8_t>(index::Kind::Image)) {
      if (int err = check_read(req, c, ino, true)) return reply_error(req, err);
      auto n = c.catalog->get(ino);
      if (!n) return reply_error(req, n.error().code);
      auto fd = c.objects->open_object(n->object);
      if (!fd) return reply_error(req, fd.error().code);
      h->fd = std::move(*fd);
      fi->keep_cache = 1;  // immutable: page cache stays valid across opens
      fi->noflush = 1;     // nothing to flush on close: saves a round trip per file
    } else {
      return reply_error(req, EISDIR);
    }
    fi->fh = c.files.add(std::move(h));
    fuse_reply_open(req, fi);
  } catch (...) {
    reply_error(req, EIO);
  }
}

void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info* fi) {
  try {
    Context& c = ctx(req);
    if (c.reader) return read_unopened(req, c, ino, size, off);
    auto h = c.files.get(fi->fh);
    if (!h) return reply_error(req, EBADF);
    if (h->generated) return reply_slice(req, h->content, size, off);
    reply_from_fd(req, h->fd.get(), size, off);
  } catch (...) {
    reply_error(req, EIO);
  }
}

void op_release(fuse_req_t req, fuse_ino_t, struct fuse_file_info* fi) {
  Context& c = ctx(req);
  auto h = c.files.take(fi->fh);
  if (!h) return (void)fuse_reply_err(req, 0);
  if (h->request && !h->written.empty()) record_request(c, h->collection, h->uid, h->written);
  if (!h->upload.empty()) c.uploads.complete(h->upload);
  if (h->writer) {
    h->fd.reset();
    // Queue first, then drop the writer count, so `obiactl wait` never sees a gap.
    auto slash = h->path.rel.find('/');
    if (slash != std::string::npos)
      c.inbox.submit(h->path.rel.substr(0, slash), h->path.rel.substr(slash + 1));
    c.inbox.writer_closed();
  }
  fuse_reply_err(req, 0);
}

}  // namespace obia::fs
