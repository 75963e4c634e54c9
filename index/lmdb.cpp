// RAII wrappers for LMDB.
#include "index/lmdb.h"

namespace obia::index::lmdb {

Error lmdb_error(int rc, std::string_view what) {
  int code = rc > 0 ? rc : EIO;  // LMDB passes errno values through; its own codes are negative
  if (rc == MDB_MAP_FULL) code = ENOSPC;
  return Error{code, std::string(what) + ": " + mdb_strerror(rc)};
}

Result<Env> Env::open(const std::filesystem::path& dir, size_t map_size, unsigned max_dbs,
                      unsigned extra_flags) {
  MDB_env* env = nullptr;
  int rc = mdb_env_create(&env);
  if (rc) return lmdb_error(rc, "mdb_env_create");
  Env e(env);
  if ((rc = mdb_env_set_mapsize(env, map_size))) return lmdb_error(rc, "mdb_env_set_mapsize");
  if ((rc = mdb_env_set_maxdbs(env, max_dbs))) return lmdb_error(rc, "mdb_env_set_maxdbs");
  if ((rc = mdb_env_set_maxreaders(env, 512))) return lmdb_error(rc, "mdb_env_set_maxreaders");
  // MDB_NOTLS: read transactions are not tied to threads (FUSE worker threads come and go).
  rc = mdb_env_open(env, dir.c_str(), MDB_NOTLS | extra_flags, 0600);
  if (rc) return lmdb_error(rc, "opening catalog " + dir.string());
  int dead = 0;
  mdb_reader_check(env, &dead);  // clear reader slots of killed processes
  return e;
}

Env::~Env() {
  if (env_) mdb_env_close(env_);
}

Result<Txn> Txn::begin(const Env& env, bool write) {
  MDB_txn* t = nullptr;
  int rc = mdb_txn_begin(env.get(), nullptr, write ? 0 : MDB_RDONLY, &t);
  if (rc) return lmdb_error(rc, "mdb_txn_begin");
  return Txn(t);
}

Txn::~Txn() {
  if (txn_) mdb_txn_abort(txn_);
}

Status Txn::commit() {
  int rc = mdb_txn_commit(txn_);
  txn_ = nullptr;
  if (rc) return lmdb_error(rc, "mdb_txn_commit");
  return {};
}

Result<std::optional<std::string_view>> Txn::get(MDB_dbi dbi, std::string_view key) const {
  MDB_val k = val(key), v{};
  int rc = mdb_get(txn_, dbi, &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<std::string_view>{};
  if (rc) return lmdb_error(rc, "mdb_get");
  return std::optional<std::string_view>{view(v)};
}

Status Txn::put(MDB_dbi dbi, std::string_view key, std::string_view value, unsigned flags) {
  MDB_val k = val(key), v = val(value);
  int rc = mdb_put(txn_, dbi, &k, &v, flags);
  if (rc) return lmdb_error(rc, "mdb_put");
  return {};
}

Status Txn::del(MDB_dbi dbi, std::string_view key) {
  MDB_val k = val(key);
  int rc = mdb_del(txn_, dbi, &k, nullptr);
  if (rc && rc != MDB_NOTFOUND) return lmdb_error(rc, "mdb_del");
  return {};
}

Result<Cursor> Cursor::open(const Txn& txn, MDB_dbi dbi) {
  MDB_cursor* c = nullptr;
  int rc = mdb_cursor_open(txn.get(), dbi, &c);
  if (rc) return lmdb_error(rc, "mdb_cursor_open");
  return Cursor(c);
}

Cursor::~Cursor() {
  if (c_) mdb_cursor_close(c_);
}

Result<bool> Cursor::move(MDB_cursor_op op) {
  int rc = mdb_cursor_get(c_, &k_, &v_, op);
  if (rc == MDB_NOTFOUND) return false;
  if (rc) return lmdb_error(rc, "mdb_cursor_get");
  return true;
}

Result<bool> Cursor::seek(std::string_view key) {
  k_ = val(key);
  return move(MDB_SET_RANGE);
}
Result<bool> Cursor::next() { return move(MDB_NEXT); }
Result<bool> Cursor::prev() { return move(MDB_PREV); }
Result<bool> Cursor::first() { return move(MDB_FIRST); }
Result<bool> Cursor::last() { return move(MDB_LAST); }

Status scan_prefix(const Txn& txn, MDB_dbi dbi, std::string_view prefix,
                   const std::function<Status(std::string_view, std::string_view)>& fn) {
  auto cur = Cursor::open(txn, dbi);
  if (!cur) return cur.error();
  auto more = prefix.empty() ? cur->first() : cur->seek(prefix);  // LMDB refuses empty keys
  for (; more.ok() && *more; more = cur->next()) {
    if (!cur->key().starts_with(prefix)) break;
    OBIA_TRY(fn(cur->key(), cur->value()));
  }
  if (!more) return more.error();
  return {};
}

Result<MDB_dbi> open_dbi(const Txn& txn, const char* name, bool create) {
  MDB_dbi dbi = 0;
  int rc = mdb_dbi_open(txn.get(), name, create ? MDB_CREATE : 0, &dbi);
  if (rc) return lmdb_error(rc, std::string("opening table ") + name);
  return dbi;
}

}  // namespace obia::index::lmdb
