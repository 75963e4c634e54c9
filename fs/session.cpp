// libfuse session set-up: operation table, connection tuning, stale mounts, the loop.
#include "fs/session.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/log.h"
#include "fs/ops.h"

namespace obia::fs {
namespace {

void op_init(void*, struct fuse_conn_info* conn) {
  // Large requests: fewer round trips for training reads and inbox copies.
  conn->max_write = 1 << 20;
  conn->max_readahead = 1 << 20;
  if (conn->capable & FUSE_CAP_SPLICE_WRITE) conn->want |= FUSE_CAP_SPLICE_WRITE;
  if (conn->capable & FUSE_CAP_SPLICE_READ) conn->want |= FUSE_CAP_SPLICE_READ;
  if (conn->capable & FUSE_CAP_READDIRPLUS) conn->want |= FUSE_CAP_READDIRPLUS;
  if (conn->capable & FUSE_CAP_READDIRPLUS_AUTO) conn->want |= FUSE_CAP_READDIRPLUS_AUTO;
  // Archived files never change: the page cache may survive opens (keep_cache) and the kernel
  // need not check mtime to invalidate it.
  conn->want &= ~FUSE_CAP_AUTO_INVAL_DATA;
  conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
  // Grants are POSIX ACLs: the kernel enforces them (with default_permissions) and caches them
  // per inode until the daemon invalidates the inode.
  if (conn->capable & FUSE_CAP_POSIX_ACL) conn->want |= FUSE_CAP_POSIX_ACL;
  // Link targets never change for a given inode (query and similar/ links are keyed by target).
  if (conn->capable & FUSE_CAP_CACHE_SYMLINKS) conn->want |= FUSE_CAP_CACHE_SYMLINKS;
}

fuse_lowlevel_ops make_ops() {
  fuse_lowlevel_ops ops{};
  ops.init = op_init;
  ops.lookup = op_lookup;
  ops.forget = op_forget;
  ops.forget_multi = op_forget_multi;
  ops.getattr = op_getattr;
  ops.setattr = op_setattr;
  ops.statfs = op_statfs;
  ops.readlink = op_readlink;
  ops.opendir = op_opendir;
  ops.readdir = op_readdir;
  ops.readdirplus = op_readdirplus;
  ops.releasedir = op_releasedir;
  ops.open = op_open;
  ops.read = op_read;
  ops.release = op_release;
  ops.create = op_create;
  ops.mkdir = op_mkdir;
  ops.write_buf = op_write_buf;
  ops.unlink = op_unlink;
  ops.rmdir = op_rmdir;
  ops.rename = op_rename;
  ops.symlink = op_symlink;
  ops.link = op_link;
  ops.mknod = op_mknod;
  ops.setxattr = op_setxattr;
  ops.removexattr = op_removexattr;
  ops.getxattr = op_getxattr;
  ops.listxattr = op_listxattr;
  return ops;
}

struct Args {
  std::vector<std::string> storage;
  std::vector<char*> argv;
  fuse_args get() { return FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data()); }
};

// /proc/self/mountinfo escapes space, tab, newline and backslash in paths as \ooo.
std::string unescape_mountinfo(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      out += static_cast<char>(std::strtol(s.substr(i + 1, 3).c_str(), nullptr, 8));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The kernel gives a FUSE mount's backing device 128 KiB of readahead and ignores a larger
// max_readahead from init; a cold 0.5 MB image then costs four synchronous READs. Raising the
// bdi's read_ahead_kb makes it one. The device comes from mountinfo: a stat() of our own
// mount point would wait on this very daemon.
void raise_readahead(const std::string& mountpoint, unsigned kb) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line, device;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string id, parent, majmin, root, point;
    if (!(f >> id >> parent >> majmin >> root >> point)) continue;
    if (unescape_mountinfo(point) != mountpoint) continue;
    if (line.find(" - fuse.obiafs ") == std::string::npos) continue;
    device = majmin;  // the last match is the newest mount at this point
  }
  if (device.empty()) return;
  std::ofstream out("/sys/class/bdi/" + device + "/read_ahead_kb");
  out << kb << '\n';
  out.flush();
  if (!out)
    log::info(
        "cannot raise readahead of the mount (not root, or sysfs read-only): reads stay "
        "at 128 KiB");
}

}  // namespace

void clear_stale_mount(const std::string& mountpoint) {
  struct stat st {};
  if (::stat(mountpoint.c_str(), &st) == 0 || errno != ENOTCONN) return;
  log::warn("clearing a stale mount at " + mountpoint + " (a previous daemon died)");
  if (::umount2(mountpoint.c_str(), MNT_DETACH) == 0) return;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execlp("fusermount3", "fusermount3", "-u", "-z", mountpoint.c_str(), nullptr);
    ::_exit(127);
  }
  int status = 0;
  if (pid > 0) ::waitpid(pid, &status, 0);
}

int run_mount(Context& context, const MountOptions& mo) {
  Args args;
  args.storage.push_back("obiafs");
  if (mo.debug) args.storage.push_back("-d");
  // default_permissions: the kernel checks every access against the policy-derived owner,
  // group, mode and ACL of each inode. allow_other (as root): the archive serves all users.
  std::string opts = "fsname=obiafs,subtype=obiafs,default_permissions";
  if (::geteuid() == 0) opts += ",allow_other";
  for (auto& o : mo.options) opts += "," + o;
  args.storage.push_back("-o");
  args.storage.push_back(opts);
  for (auto& s : args.storage) args.argv.push_back(s.data());
  fuse_args fargs = args.get();

  clear_stale_mount(mo.mountpoint);
  // Resolved before mounting: afterwards the path leads into this daemon.
  std::unique_ptr<char, void (*)(void*)> resolved(::realpath(mo.mountpoint.c_str(), nullptr),
                                                  std::free);
  fuse_lowlevel_ops ops = make_ops();
  std::unique_ptr<fuse_session, void (*)(fuse_session*)> se(
      fuse_session_new(&fargs, &ops, sizeof ops, &context), fuse_session_destroy);
  if (!se) {
    log::error("cannot create FUSE session (bad -o option?)");
    return 1;
  }
  if (fuse_set_signal_handlers(se.get()) != 0) return 1;
  context.session = se.get();
  if (fuse_session_mount(se.get(), mo.mountpoint.c_str()) != 0) {
    log::error("cannot mount at " + mo.mountpoint);
    fuse_remove_signal_handlers(se.get());
    return 1;
  }
  if (resolved) raise_readahead(resolved.get(), 1024);
  if (fuse_daemonize(mo.foreground ? 1 : 0) != 0) {
    fuse_session_unmount(se.get());
    return 1;
  }
  if (mo.on_mounted) mo.on_mounted();
  std::unique_ptr<fuse_loop_config, void (*)(fuse_loop_config*)> cfg(fuse_loop_cfg_create(),
                                                                     fuse_loop_cfg_destroy);
  fuse_loop_cfg_set_clone_fd(cfg.get(), 1);
  fuse_loop_cfg_set_max_threads(cfg.get(), 16);
  fuse_loop_cfg_set_idle_threads(cfg.get(), 4);
  int rc = fuse_session_loop_mt(se.get(), cfg.get());
  if (mo.on_unmounting) mo.on_unmounting();
  context.session = nullptr;
  fuse_session_unmount(se.get());
  fuse_remove_signal_handlers(se.get());
  return rc == 0 ? 0 : 1;
}

}  // namespace obia::fs
