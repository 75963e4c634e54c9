// Control socket client: obiactl's side of `wait`, `status` and `policy`.
#include <fcntl.h>
#include <sys/socket.h>

#include "daemon/control.h"
#include "daemon/control_socket.h"

namespace obia::daemon {

using socket_detail::address_of;
using socket_detail::read_line;

Result<std::string> control_request(const std::filesystem::path& path, const std::string& request,
                                    std::chrono::milliseconds timeout) {
  auto addr = address_of(path);
  if (!addr) return addr.error();
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return errno_error("socket");
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr->addr), sizeof addr->addr) != 0)
    return errno_error("connect");
  OBIA_TRY(write_all(fd.get(), request + "\n"));
  std::string line;
  if (!read_line(fd.get(), line, static_cast<int>(timeout.count()) + 5000))
    return make_error(ETIMEDOUT, "no reply from the daemon");
  return line;
}

}  // namespace obia::daemon
