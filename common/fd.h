// RAII file descriptor and the crash-safe file helpers built on it (temp, fsync, rename).
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"

namespace obia {

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) reset(o.release());
    return *this;
  }
  ~Fd() { reset(); }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// open(2) returning a typed result; message names the path.
Result<Fd> open_fd(const std::filesystem::path& path, int flags, int mode = 0644);
Status write_all(int fd, std::span<const std::byte> data);
Status write_all(int fd, std::string_view data);
Result<std::string> read_file(const std::filesystem::path& path);
Status fsync_dir(const std::filesystem::path& dir);
// Writes `data` to a temp file beside `path`, fsyncs it, renames over `path`, fsyncs the directory.
Status write_file_atomic(const std::filesystem::path& path, std::string_view data, int mode = 0644);
Error errno_error(const std::string& what);  // uses current errno

}  // namespace obia
