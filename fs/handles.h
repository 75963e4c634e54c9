// Per-open state handed to the kernel as fuse_file_info::fh (owned; freed in release).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <sys/stat.h>

#include "common/fd.h"
#include "fs/inodes.h"

namespace obia::fs {

struct FileHandle {
  Fd fd;                  // archived object or inbox/quarantine file
  std::string content;    // generated files (sidecars, README)
  bool generated = false;
  bool writer = false;    // opened for writing in the inbox: queue the file at release
  AreaPath path{Area::Inbox, ""};
  // requests/<C>: what the caller writes is recorded as an access request at release.
  bool request = false;
  uint64_t collection = 0;
  uint32_t uid = 0;
  std::string written;
  std::string upload;  // similar/<name>: a query file kept in memory
};

struct DirEntry {
  std::string name;
  struct stat attr {};
  bool area = false;  // inbox/quarantine entry: readdirplus must take a lookup reference
  AreaPath path{Area::Inbox, ""};
};

struct DirHandle {
  std::vector<DirEntry> entries;  // snapshot taken at opendir; offsets index into it
  // The same for every caller allowed to open it, and invalidated by the daemon when it
  // changes (Context::tree_changed, policies_changed): the kernel may keep it across opens.
  bool cacheable = false;
};

// Open files by the number handed to the kernel as fh. A request holds its own reference, so
// a RELEASE handled while a READ of the same open is still being answered (seen once under
// ASan with generated files) cannot free the handle under the reader; an fh released
// already is EBADF instead of a dangling pointer.
class FileHandles {
 public:
  uint64_t add(std::unique_ptr<FileHandle> h) {
    std::lock_guard lock(mu_);
    uint64_t fh = next_++;
    map_.emplace(fh, std::shared_ptr<FileHandle>(std::move(h)));
    return fh;
  }
  std::shared_ptr<FileHandle> get(uint64_t fh) const {
    std::lock_guard lock(mu_);
    auto it = map_.find(fh);
    return it == map_.end() ? nullptr : it->second;
  }
  std::shared_ptr<FileHandle> take(uint64_t fh) {
    std::lock_guard lock(mu_);
    auto it = map_.find(fh);
    if (it == map_.end()) return nullptr;
    auto h = std::move(it->second);
    map_.erase(it);
    return h;
  }

 private:
  mutable std::mutex mu_;
  std::unordered_map<uint64_t, std::shared_ptr<FileHandle>> map_;
  uint64_t next_ = 1;
};

// Folder handles (opendir snapshots): owned by the kernel's fh until releasedir.
template <typename T>
uint64_t to_fh(std::unique_ptr<T> p) {
  return reinterpret_cast<uint64_t>(p.release());
}
template <typename T>
T* from_fh(uint64_t fh) {
  return reinterpret_cast<T*>(fh);
}
template <typename T>
std::unique_ptr<T> take_fh(uint64_t fh) {
  return std::unique_ptr<T>(reinterpret_cast<T*>(fh));
}

}  // namespace obia::fs
