// RAII wrappers for LMDB: environment, transactions and cursors. One transaction per thread
// at a time; read transactions are short (LMDB keeps old pages alive while they are open).
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace obia::index::lmdb {

Error lmdb_error(int rc, std::string_view what);

inline MDB_val val(std::string_view s) {
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}
inline std::string_view view(const MDB_val& v) {
  return {static_cast<const char*>(v.mv_data), v.mv_size};
}

class Env {
 public:
  static Result<Env> open(const std::filesystem::path& dir, size_t map_size, unsigned max_dbs,
                          unsigned extra_flags = 0);
  Env(Env&& o) noexcept : env_(o.env_) { o.env_ = nullptr; }
  Env& operator=(Env&&) = delete;
  Env(const Env&) = delete;
  ~Env();
  MDB_env* get() const { return env_; }

 private:
  explicit Env(MDB_env* e) : env_(e) {}
  MDB_env* env_ = nullptr;
};

class Txn {
 public:
  static Result<Txn> begin(const Env& env, bool write);
  Txn(Txn&& o) noexcept : txn_(o.txn_) { o.txn_ = nullptr; }
  Txn& operator=(Txn&&) = delete;
  Txn(const Txn&) = delete;
  ~Txn();  // aborts if not committed
  Status commit();
  MDB_txn* get() const { return txn_; }

  // Returns nullopt when the key is absent.
  Result<std::optional<std::string_view>> get(MDB_dbi dbi, std::string_view key) const;
  Status put(MDB_dbi dbi, std::string_view key, std::string_view value, unsigned flags = 0);
  Status del(MDB_dbi dbi, std::string_view key);

 private:
  explicit Txn(MDB_txn* t) : txn_(t) {}
  MDB_txn* txn_ = nullptr;
};

class Cursor {
 public:
  static Result<Cursor> open(const Txn& txn, MDB_dbi dbi);
  Cursor(Cursor&& o) noexcept : c_(o.c_) { o.c_ = nullptr; }
  Cursor(const Cursor&) = delete;
  ~Cursor();
  // Positions at the first key >= `key`; false at end.
  Result<bool> seek(std::string_view key);
  Result<bool> next();
  Result<bool> first();
  Result<bool> last();
  Result<bool> prev();
  std::string_view key() const { return view(k_); }
  std::string_view value() const { return view(v_); }

 private:
  explicit Cursor(MDB_cursor* c) : c_(c) {}
  Result<bool> move(MDB_cursor_op op);
  MDB_cursor* c_ = nullptr;
  MDB_val k_{}, v_{};
};

Result<MDB_dbi> open_dbi(const Txn& txn, const char* name, bool create);

// Calls fn(key, value) for every record whose key starts with `prefix`, in key order (a
// parent's children, a collection's log records; an empty prefix: every record); stops at the
// first error fn returns.
Status scan_prefix(const Txn& txn, MDB_dbi dbi, std::string_view prefix,
                   const std::function<Status(std::string_view, std::string_view)>& fn);

}  // namespace obia::index::lmdb
