// The daemon's control socket (ARCHIVE/run/control.sock): one request line, one reply line.
//   "wait <ms>"  -> "drained" once inbox and queues are empty, or "busy <status json>" at timeout
//   "status"     -> "<status json>"
//   "policy"     -> "ok" once a policy change is applied (caches invalidated)
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/fd.h"
#include "common/result.h"
#include "ingest/queue.h"

namespace obia::daemon {

class ControlServer {
 public:
  static Result<std::unique_ptr<ControlServer>> start(const std::filesystem::path& socket_path,
                                                      ingest::IngestQueue& queue,
                                                      std::function<void()> on_policy = {});
  ControlServer(Fd listener, std::filesystem::path path, ingest::IngestQueue& queue,
                std::function<void()> on_policy);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

 private:
  void serve();
  void handle(Fd conn);
  std::string status_json() const;
  Fd listener_;
  std::filesystem::path path_;
  ingest::IngestQueue& queue_;
  std::function<void()> on_policy_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::list<std::thread> clients_;
  std::thread thread_;
};

// Sends one request and returns the reply line (without newline). ECONNREFUSED/ENOENT when no
// daemon is serving the archive.
Result<std::string> control_request(const std::filesystem::path& socket_path,
                                    const std::string& request,
                                    std::chrono::milliseconds timeout);

}  // namespace obia::daemon
