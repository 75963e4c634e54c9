// Query files written to MOUNT/similar/: kept in memory only (never archived, never on disk),
// forgotten after kUploadLifetime or at unmount.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace obia::fs {

constexpr std::chrono::seconds kUploadLifetime{3600};
constexpr size_t kUploadMaxBytes = size_t{256} << 20;

struct Upload {
  std::string data;
  uint32_t uid = 0;
  std::chrono::steady_clock::time_point created;
  bool complete = false;
};

class Uploads {
 public:
  bool create(const std::string& name, uint32_t uid);  // false if it exists
  bool append(const std::string& name, uint64_t offset, std::string_view bytes);
  void complete(const std::string& name);
  std::optional<Upload> get(const std::string& name);
  bool remove(const std::string& name, uint32_t uid);
  std::vector<std::pair<std::string, size_t>> list();  // name, size

 private:
  void purge_locked();
  std::mutex mu_;
  std::map<std::string, Upload> uploads_;
};

}  // namespace obia::fs
