// Content-addressed object store on a local directory: objects/<2 hex>/<name>.
// Writes go to tmp/, are fsynced, then renamed into place (no replace) and the directory fsynced,
// so a crash never leaves a half-written object under its final name.
// Thread-safe: concurrent put() of the same bytes converge on one object.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>

#include "common/fd.h"
#include "common/result.h"
#include "store/object_id.h"

namespace obia::store {

class ObjectStore {
 public:
  // `root` is the archive directory; creates objects/ and tmp/ when missing.
  static Result<ObjectStore> open(const std::filesystem::path& root);

  // Stores `bytes` and returns their id; identical bytes are stored once.
  Result<ObjectId> put(std::span<const uint8_t> bytes) const;
  // Id the bytes would get if stored now, or nullopt-equivalent error ENOENT if not stored.
  Result<ObjectId> find(std::span<const uint8_t> bytes) const;
  Result<Fd> open_object(const ObjectId& id) const;
  Result<uint64_t> size_of(const ObjectId& id) const;
  std::filesystem::path path_of(const ObjectId& id) const;
  // Re-reads the object and checks that it hashes to its name.
  Result<bool> check(const ObjectId& id) const;
  Status remove(const ObjectId& id) const;
  // Calls `fn` for every object file; names that do not parse are reported with nullopt-like
  // id.variant == UINT32_MAX and their relative path.
  Status for_each(const std::function<void(const ObjectId&, const std::filesystem::path&)>& fn) const;
  // Removes leftovers of interrupted writes in tmp/.
  Status clean_tmp() const;

 private:
  explicit ObjectStore(std::filesystem::path root) : root_(std::move(root)) {}
  Result<bool> same_bytes(const std::filesystem::path& p, std::span<const uint8_t> bytes) const;
  std::filesystem::path root_;
};

}  // namespace obia::store
