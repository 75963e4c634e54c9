// Content-addressed object store: temp + fsync + rename, dedup with byte comparison.
#include "store/object_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <vector>

namespace obia::store {
namespace fs = std::filesystem;

Result<ObjectStore> ObjectStore::open(const fs::path& root) {
  std::error_code ec;
  fs::create_directories(root / "objects", ec);
  if (ec) return make_error(EIO, "cannot create " + (root / "objects").string() + ": " + ec.message());
  fs::create_directories(root / "tmp", ec);
  if (ec) return make_error(EIO, "cannot create " + (root / "tmp").string() + ": " + ec.message());
  return ObjectStore(root);
}

fs::path ObjectStore::path_of(const ObjectId& id) const {
  std::string n = id.name();
  return root_ / "objects" / n.substr(0, 2) / n;
}

Result<bool> ObjectStore::same_bytes(const fs::path& p, std::span<const uint8_t> bytes) const {
  auto fd = open_fd(p, O_RDONLY);
  if (!fd) return fd.error();
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0) return errno_error("fstat " + p.string());
  if (static_cast<uint64_t>(st.st_size) != bytes.size()) return false;
  std::vector<uint8_t> buf(1 << 20);
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::pread(fd->get(), buf.data(), std::min(buf.size(), bytes.size() - off),
                        static_cast<off_t>(off));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("read " + p.string());
    }
    if (n == 0) return false;
    if (std::memcmp(buf.data(), bytes.data() + off, static_cast<size_t>(n)) != 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

Result<ObjectId> ObjectStore::find(std::span<const uint8_t> bytes) const {
  ObjectId id;
  id.hash = content_hash(bytes);
  for (;; ++id.variant) {
    fs::path p = path_of(id);
    if (::access(p.c_str(), F_OK) != 0) return make_error(ENOENT, "object not stored");
    auto same = same_bytes(p, bytes);
    if (!same) return same.error();
    if (*same) return id;
  }
}

Result<ObjectId> ObjectStore::put(std::span<const uint8_t> bytes) const {
  ObjectId id;
  id.hash = content_hash(bytes);
  std::string tmpl = (root_ / "tmp" / (id.name() + ".XXXXXX")).string();
  int raw = ::mkstemp(tmpl.data());
  if (raw < 0) return errno_error("mkstemp in " + (root_ / "tmp").string());
  Fd fd(raw);
  struct TmpGuard {
    std::string path;
    ~TmpGuard() {
      if (!path.empty()) ::unlink(path.c_str());
    }
  } guard{tmpl};
  ::fchmod(fd.get(), 0444);  // objects are immutable
  OBIA_TRY(write_all(fd.get(), std::as_bytes(bytes)));
  if (::fsync(fd.get()) != 0) return errno_error("fsync object");
  fd.reset();

  for (;; ++id.variant) {
    fs::path target = path_of(id);
    std::error_code ec;
    fs::create_directory(target.parent_path(), ec);
    // RENAME_NOREPLACE: never overwrite an object another thread or process just stored.
    if (::renameat2(AT_FDCWD, tmpl.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) == 0) {
      guard.path.clear();
      OBIA_TRY(fsync_dir(target.parent_path()));
      return id;
    }
    if (errno != EEXIST) return errno_error("rename into " + target.string());
    auto same = same_bytes(target, bytes);
    if (!same) return same.error();
    if (*same) return id;  // already stored: the temp file is removed by the guard
    // Different bytes under the same xxHash: try the next variant name.
  }
}

Result<Fd> ObjectStore::open_object(const ObjectId& id) const {
  return open_fd(path_of(id), O_RDONLY);
}

Result<uint64_t> ObjectStore::size_of(const ObjectId& id) const {
  struct stat st {};
  if (::stat(path_of(id).c_str(), &st) != 0) return errno_error("stat object " + id.name());
  return static_cast<uint64_t>(st.st_size);
}

Result<bool> ObjectStore::check(const ObjectId& id) const {
  auto data = read_file(path_of(id));
  if (!data) return data.error();
  auto h = content_hash(std::span(reinterpret_cast<const uint8_t*>(data->data()), data->size()));
  return h == id.hash;
}

Status ObjectStore::remove(const ObjectId& id) const {
  fs::path p = path_of(id);
  if (::unlink(p.c_str()) != 0 && errno != ENOENT) return errno_error("unlink " + p.string());
  return fsync_dir(p.parent_path());
}

Status ObjectStore::for_each(
    const std::function<void(const ObjectId&, const fs::path&)>& fn) const {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root_ / "objects", ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    fs::path rel = fs::relative(it->path(), root_, ec);
    auto id = ObjectId::parse(it->path().filename().string());
    if (id && it->path().parent_path().filename() == id->name().substr(0, 2)) {
      fn(*id, rel);
    } else {
      ObjectId bad;
      bad.variant = UINT32_MAX;
      fn(bad, rel);
    }
  }
  if (ec) return make_error(EIO, "listing objects: " + ec.message());
  return {};
}

Status ObjectStore::clean_tmp() const {
  std::error_code ec;
  for (auto& e : fs::directory_iterator(root_ / "tmp", ec)) fs::remove(e.path(), ec);
  if (ec) return make_error(EIO, "cleaning tmp: " + ec.message());
  return {};
}

}  // namespace obia::store
