// The FUSE low-level operations of the OBIA tree, one area per file (op_*.cpp).
#pragma once

#include "fs/context.h"

namespace obia::fs {

// op_lookup.cpp
void op_lookup(fuse_req_t req, fuse_ino_t parent, const char* name);
void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup);
void op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data* forgets);
void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info* fi);
void op_statfs(fuse_req_t req, fuse_ino_t ino);
void op_readlink(fuse_req_t req, fuse_ino_t ino);
// op_readdir.cpp
void op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info* fi);
void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info* fi);
void op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                    struct fuse_file_info* fi);
void op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info* fi);
// op_read.cpp
void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info* fi);
void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info* fi);
void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info* fi);
// op_inbox.cpp
void op_create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode,
               struct fuse_file_info* fi);
void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode);
void op_write_buf(fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec* bufv, off_t off,
                  struct fuse_file_info* fi);
void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set,
                struct fuse_file_info* fi);
void op_unlink(fuse_req_t req, fuse_ino_t parent, const char* name);
void op_rmdir(fuse_req_t req, fuse_ino_t parent, const char* name);
void op_rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent,
               const char* newname, unsigned int flags);
// op_denied.cpp
void op_symlink(fuse_req_t req, const char* link, fuse_ino_t parent, const char* name);
void op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char* newname);
void op_mknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev);
void op_setxattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value, size_t size,
                 int flags);
void op_removexattr(fuse_req_t req, fuse_ino_t ino, const char* name);
// op_xattr.cpp
void op_getxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size);
void op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size);

// Is `name` acceptable as a new inbox entry (no separators, not . or .., not too long)?
bool safe_entry_name(const char* name);

}  // namespace obia::fs
