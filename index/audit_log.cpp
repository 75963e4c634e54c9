// Audit log writer thread and reader.
#include "index/audit_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <sstream>

#include "common/log.h"

namespace obia::index {
namespace {

std::string iso(int64_t t) {
  char buf[32];
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

Result<std::unique_ptr<AuditLog>> AuditLog::open(const std::filesystem::path& file, PathOf path_of) {
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  auto fd = open_fd(file, O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (!fd) return fd.error();
  return std::make_unique<AuditLog>(std::move(*fd), std::move(path_of));
}

AuditLog::AuditLog(Fd fd, PathOf path_of) : fd_(std::move(fd)), path_of_(std::move(path_of)) {
  thread_ = std::thread([this] { run(); });
}

AuditLog::~AuditLog() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void AuditLog::record(AuditEvent e) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(e));
  }
  cv_.notify_one();
}

void AuditLog::flush() {
  std::unique_lock lock(mu_);
  drained_.wait(lock, [this] { return queue_.empty() && !writing_; });
}

void AuditLog::run() {
  for (;;) {
    std::deque<AuditEvent> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      batch.swap(queue_);
      writing_ = true;
    }
    std::string lines;
    for (auto& e : batch) {
      std::string path = e.path.empty() && path_of_ ? path_of_(e.node) : e.path;
      lines += iso(e.time) + "\t" + std::to_string(e.time) + "\t" + std::to_string(e.uid) + "\t" +
               e.op + "\t" + path + "\n";
    }
    if (!write_all(fd_.get(), lines).ok()) log::error("audit log: write failed");
    ::fdatasync(fd_.get());
    {
      std::lock_guard lock(mu_);
      writing_ = false;
    }
    drained_.notify_all();
  }
}

Status AuditLog::read(const std::filesystem::path& file, const Filter& filter,
                      const std::function<void(const AuditEvent&)>& fn) {
  std::ifstream in(file);
  if (!in) return make_error(ENOENT, "no audit log at " + file.string());
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string iso_time, t, uid;
    AuditEvent e;
    if (!std::getline(fields, iso_time, '\t') || !std::getline(fields, t, '\t') ||
        !std::getline(fields, uid, '\t') || !std::getline(fields, e.op, '\t') ||
        !std::getline(fields, e.path))
      continue;  // a line that is not ours
    try {
      e.time = std::stoll(t);
      e.uid = static_cast<uint32_t>(std::stoul(uid));
    } catch (...) {
      continue;
    }
    if (filter.uid && *filter.uid != e.uid) continue;
    if (e.time < filter.since) continue;
    if (!filter.path_prefix.empty() && e.path.rfind(filter.path_prefix, 0) != 0) continue;
    fn(e);
  }
  return {};
}

}  // namespace obia::index
