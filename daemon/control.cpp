// Control socket server (the client is in control_client.cpp).
#include "daemon/control.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "common/log.h"
#include "daemon/control_socket.h"

namespace obia::daemon {

using socket_detail::address_of;
using socket_detail::read_line;

Result<std::unique_ptr<ControlServer>> ControlServer::start(const std::filesystem::path& path,
                                                            ingest::IngestQueue& queue,
                                                            std::function<void()> on_policy) {
  auto addr = address_of(path);
  if (!addr) return addr.error();
  ::unlink(path.c_str());
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return errno_error("socket");
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr->addr), sizeof addr->addr) != 0)
    return errno_error("bind " + path.string());
  ::chmod(path.c_str(), 0600);
  if (::listen(fd.get(), 16) != 0) return errno_error("listen");
  return std::make_unique<ControlServer>(std::move(fd), path, queue, std::move(on_policy));
}

ControlServer::ControlServer(Fd listener, std::filesystem::path path, ingest::IngestQueue& queue,
                             std::function<void()> on_policy)
    : listener_(std::move(listener)),
      path_(std::move(path)),
      queue_(queue),
      on_policy_(std::move(on_policy)) {
  thread_ = std::thread([this] { serve(); });
}

ControlServer::~ControlServer() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  for (auto& t : clients_)
    if (t.joinable()) t.join();
  ::unlink(path_.c_str());
}

void ControlServer::serve() {
  while (!stopping_) {
    pollfd p{listener_.get(), POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    Fd conn(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!conn.valid()) continue;
    std::lock_guard lock(mu_);
    clients_.emplace_back([this, c = std::move(conn)]() mutable { handle(std::move(c)); });
  }
}

std::string ControlServer::status_json() const {
  auto s = queue_.stats();
  nlohmann::json j = {
      {"queued", s.queued},     {"active", s.active},         {"open_writers", s.open_writers},
      {"archived", s.archived}, {"duplicates", s.duplicates}, {"quarantined", s.quarantined}};
  return j.dump();
}

void ControlServer::handle(Fd conn) {
  std::string line;
  if (!read_line(conn.get(), line, 5000)) return;
  std::string reply;
  if (line.rfind("wait ", 0) == 0) {
    long ms = std::strtol(line.c_str() + 5, nullptr, 10);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    bool drained = false;
    // Wait in slices so that a stopping daemon answers promptly.
    while (!stopping_ && !(drained = queue_.wait_drained(std::chrono::milliseconds(200))) &&
           std::chrono::steady_clock::now() < deadline) {
    }
    reply = drained ? "drained" : "busy " + status_json();
  } else if (line == "status") {
    reply = status_json();
  } else if (line == "policy") {
    if (on_policy_) on_policy_();
    reply = "ok";
  } else {
    reply = "error unknown request";
  }
  reply.push_back('\n');
  (void)write_all(conn.get(), reply);
}

}  // namespace obia::daemon
