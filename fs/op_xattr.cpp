// Extended attributes: the POSIX ACL of controlled content (grants), which the kernel reads to
// enforce access (FUSE_CAP_POSIX_ACL with default_permissions). Nothing else is stored.
#include <cstring>

#include "fs/ops.h"

namespace obia::fs {
namespace {

constexpr const char* kAclName = "system.posix_acl_access";

void reply_value(fuse_req_t req, const std::string& value, size_t size) {
  if (size == 0) return (void)fuse_reply_xattr(req, value.size());
  if (size < value.size()) return reply_error(req, ERANGE);
  fuse_reply_buf(req, value.data(), value.size());
}

}  // namespace

void op_getxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  try {
    Context& c = ctx(req);
    // Only ACLs exist here. EOPNOTSUPP (not ENODATA) for other names lets tools such as ls stop
    // asking for security.selinux and the like on every file.
    if (std::strncmp(name, "system.posix_acl_", 17) != 0) return reply_error(req, EOPNOTSUPP);
    if (std::strcmp(name, kAclName) != 0) return reply_error(req, ENODATA);
    auto a = access_of(c, ino);
    if (!a) return reply_error(req, a.error().code);
    if (!a->perms.acl || !a->policy) return reply_error(req, ENODATA);
    auto st = stat_ino(c, ino);
    bool dir = st.ok() && S_ISDIR(st->st_mode);
    reply_value(req, acl_xattr(*a->policy, dir), size);
  } catch (...) {
    reply_error(req, EIO);
  }
}

void op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  try {
    auto a = access_of(ctx(req), ino);
    if (!a) return reply_error(req, a.error().code);
    std::string names;
    if (a->perms.acl) names.append(kAclName, std::strlen(kAclName) + 1);
    reply_value(req, names, size);
  } catch (...) {
    reply_error(req, EIO);
  }
}

}  // namespace obia::fs
