// The append-only audit log of image opens in controlled collections: ARCHIVE/audit/audit.log,
// one tab-separated line per event (time ISO, unix time, uid, operation, path). FUSE handlers
// only enqueue an event; a background thread resolves paths and appends with O_APPEND (one
// write(2) per batch of whole lines, so a killed daemon never leaves a torn line) and fdatasyncs.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/fd.h"
#include "common/result.h"
#include "index/node.h"

namespace obia::index {

struct AuditEvent {
  int64_t time = 0;
  uint32_t uid = 0;
  std::string op;
  NodeId node = 0;
  std::string path;  // filled in by the writer thread when empty
};

class AuditLog {
 public:
  using PathOf = std::function<std::string(NodeId)>;
  static Result<std::unique_ptr<AuditLog>> open(const std::filesystem::path& file, PathOf path_of);
  AuditLog(Fd fd, PathOf path_of);
  ~AuditLog();  // writes what is queued, then stops
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  void record(AuditEvent e);  // cheap: enqueue only
  void flush();               // blocks until everything queued is written

  struct Filter {
    std::optional<uint32_t> uid;
    std::string path_prefix;  // e.g. "OBIA0001/"
    int64_t since = 0;
  };
  // Reads the log file, calling `fn` for each matching line's fields.
  static Status read(const std::filesystem::path& file, const Filter& filter,
                     const std::function<void(const AuditEvent&)>& fn);

 private:
  void run();
  Fd fd_;
  PathOf path_of_;
  std::mutex mu_;
  std::condition_variable cv_, drained_;
  std::deque<AuditEvent> queue_;
  bool stopping_ = false;
  bool writing_ = false;
  std::thread thread_;
};

}  // namespace obia::index
