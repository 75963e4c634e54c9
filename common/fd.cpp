// RAII fd and crash-safe write helpers.
#include "common/fd.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

namespace obia {

void Fd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

Error errno_error(const std::string& what) {
  int e = errno;
  return Error{e ? e : EIO, what + ": " + std::strerror(e)};
}

Result<Fd> open_fd(const std::filesystem::path& path, int flags, int mode) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) return errno_error("open " + path.string());
  return Fd(fd);
}

Status write_all(int fd, std::span<const std::byte> data) {
  const std::byte* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("write");
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return {};
}

Status write_all(int fd, std::string_view data) {
  return write_all(fd, std::as_bytes(std::span<const char>(data.data(), data.size())));
}

Result<std::string> read_file(const std::filesystem::path& path) {
  auto fd = open_fd(path, O_RDONLY);
  if (!fd) return fd.error();
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd->get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("read " + path.string());
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Status fsync_dir(const std::filesystem::path& dir) {
  auto fd = open_fd(dir, O_RDONLY | O_DIRECTORY);
  if (!fd) return fd.error();
  if (::fsync(fd->get()) != 0) return errno_error("fsync " + dir.string());
  return {};
}

Status write_file_atomic(const std::filesystem::path& path, std::string_view data, int mode) {
  std::string tmpl = path.string() + ".tmp.XXXXXX";
  int raw = ::mkstemp(tmpl.data());
  if (raw < 0) return errno_error("mkstemp " + tmpl);
  Fd fd(raw);
  ::fchmod(fd.get(), static_cast<mode_t>(mode));
  if (auto s = write_all(fd.get(), data); !s) {
    ::unlink(tmpl.c_str());
    return s;
  }
  if (::fsync(fd.get()) != 0) {
    auto e = errno_error("fsync " + tmpl);
    ::unlink(tmpl.c_str());
    return e;
  }
  fd.reset();
  if (::rename(tmpl.c_str(), path.c_str()) != 0) {
    auto e = errno_error("rename " + path.string());
    ::unlink(tmpl.c_str());
    return e;
  }
  return fsync_dir(path.parent_path().empty() ? "." : path.parent_path());
}

}  // namespace obia
