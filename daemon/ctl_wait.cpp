// obiactl wait: block until the daemon's inbox and queues are drained.
#include <fcntl.h>
#include <sys/file.h>

#include <iostream>
#include <thread>

#include "common/fd.h"
#include "daemon/control.h"
#include "daemon/ctl.h"

namespace obia::ctl {
namespace {

// A daemon holds an exclusive flock on run/obiafs.lock for its whole life: while it is held,
// a socket that does not answer yet belongs to a daemon still starting (it mounts first, then
// opens its control socket), not to no daemon at all.
bool daemon_running(const store::ArchivePaths& paths) {
  auto fd = open_fd(paths.lock_file(), O_RDONLY | O_CLOEXEC);
  if (!fd) return false;
  if (::flock(fd->get(), LOCK_SH | LOCK_NB) == 0) {
    ::flock(fd->get(), LOCK_UN);
    return false;
  }
  return errno == EWOULDBLOCK;
}

}  // namespace

int cmd_wait(const std::string& archive, double timeout_seconds) {
  auto paths = store::open_archive(archive);
  if (!paths) return fail(paths.error().message);
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(static_cast<long>(timeout_seconds * 1000));
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() < 0) left = std::chrono::milliseconds(0);
    // Ask in slices of at most 2 s so progress can be shown.
    auto slice = std::min(left, std::chrono::milliseconds(2000));
    auto reply = daemon::control_request(paths->control_socket(),
                                         "wait " + std::to_string(slice.count()), slice);
    if (!reply) {
      bool absent = reply.error().code == ECONNREFUSED || reply.error().code == ENOENT;
      if (absent && daemon_running(*paths) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the daemon is starting
        continue;
      }
      if (absent) return fail("no obiafs is serving " + paths->root.string() + " (mount it first)");
      return fail(reply.error().message);
    }
    if (*reply == "drained") return 0;
    if (std::chrono::steady_clock::now() >= deadline)
      return fail("timed out after " + std::to_string(timeout_seconds) + " s; still " +
                  reply->substr(std::min<size_t>(5, reply->size())));
    std::cerr << "waiting: " << reply->substr(std::min<size_t>(5, reply->size())) << "\n";
  }
}

}  // namespace obia::ctl
