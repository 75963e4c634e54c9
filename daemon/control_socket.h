// Socket helpers shared by the control server (daemon) and its client
// (obiactl).
#pragma once

#include <poll.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>

#include "common/fd.h"
#include "common/result.h"

namespace obia::daemon::socket_detail {

// sockaddr_un paths are limited to 107 bytes; archives can live deeper. Going
// through an open directory fd (/proc/self/fd/N/name) keeps the address short
// wherever the archive is.
struct SocketAddress {
  Fd dir;
  sockaddr_un addr{};
};

inline Result<SocketAddress> address_of(const std::filesystem::path& path) {
  SocketAddress a;
  a.addr.sun_family = AF_UNIX;
  std::string p = path.string();
  if (p.size() >= sizeof(a.addr.sun_path)) {
    auto dir = open_fd(path.parent_path(), O_RDONLY | O_DIRECTORY);
    if (!dir) return dir.error();
    p = "/proc/self/fd/" + std::to_string(dir->get()) + "/" + path.filename().string();
    a.dir = std::move(*dir);
  }
  std::memcpy(a.addr.sun_path, p.c_str(), p.size() + 1);
  return a;
}

inline bool read_line(int fd, std::string& out, int timeout_ms) {
  char c;
  while (out.size() < 4096) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return false;
    ssize_t n = ::read(fd, &c, 1);
    if (n <= 0) return false;
    if (c == '\n') return true;
    out.push_back(c);
  }
  return false;
}

}  // namespace obia::daemon::socket_detail
