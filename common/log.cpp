// Leveled, line-atomic logging.
#include "common/log.h"

#include <unistd.h>

#include <atomic>
#include <ctime>
#include <string>

namespace obia::log {
namespace {
std::atomic<int> g_level{static_cast<int>(Level::Info)};
std::atomic<int> g_fd{2};
const char* name(Level l) {
  switch (l) {
    case Level::Debug: return "debug";
    case Level::Info: return "info";
    case Level::Warn: return "warn";
    case Level::Error: return "error";
  }
  return "?";
}
}  // namespace

void set_level(Level level) { g_level = static_cast<int>(level); }
void set_file(int fd) { g_fd = fd; }

void write(Level level, std::string_view message) {
  if (static_cast<int>(level) < g_level.load()) return;
  char ts[32];
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::string line = std::string(ts) + " obiafs " + name(level) + ": ";
  line.append(message);
  line.push_back('\n');
  // One write(2) per line keeps lines whole across threads.
  ssize_t r = ::write(g_fd.load(), line.data(), line.size());
  (void)r;
}

}  // namespace obia::log
