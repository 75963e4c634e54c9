// Per-open state handed to the kernel as fuse_file_info::fh (owned; freed in release).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
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
