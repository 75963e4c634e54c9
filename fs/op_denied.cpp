// Operations the archive never allows anywhere: links, device nodes, extended attributes.
#include "fs/ops.h"

namespace obia::fs {

void op_symlink(fuse_req_t req, const char*, fuse_ino_t, const char*) { reply_error(req, EROFS); }
void op_link(fuse_req_t req, fuse_ino_t, fuse_ino_t, const char*) { reply_error(req, EROFS); }
void op_mknod(fuse_req_t req, fuse_ino_t, const char*, mode_t, dev_t) { reply_error(req, EROFS); }
void op_setxattr(fuse_req_t req, fuse_ino_t, const char*, const char*, size_t, int) {
  reply_error(req, EROFS);
}
void op_removexattr(fuse_req_t req, fuse_ino_t, const char*) { reply_error(req, EROFS); }

}  // namespace obia::fs
