// LMDB tables of hash codes and the generation/spec record.
#include "index/similarity/code_store.h"

#include <charconv>

namespace obia::similarity {
namespace lmdb = index::lmdb;
namespace {

constexpr const char* kMetaTable = "similarity.meta";
constexpr const char* kCodesTable = "similarity.codes";
constexpr const char* kPrintsTable = "similarity.fingerprints";
constexpr size_t kDeleteBatch = 20000;  // keeps each clearing transaction short

std::string id_key(index::NodeId id) {
  std::string k(8, '\0');
  for (int i = 0; i < 8; ++i) k[i] = static_cast<char>(id >> (56 - 8 * i));
  return k;
}

std::string code_key(uint64_t generation, index::NodeId id) {
  std::string k(9, '\0');
  k[0] = static_cast<char>(generation & 1);
  for (int i = 0; i < 8; ++i) k[1 + i] = static_cast<char>(id >> (56 - 8 * i));
  return k;
}

index::NodeId key_id(std::string_view k) {
  index::NodeId id = 0;
  for (size_t i = 1; i < 9 && i < k.size(); ++i) id = (id << 8) | static_cast<uint8_t>(k[i]);
  return id;
}

Result<CodeState> read_state(const lmdb::Txn& txn, MDB_dbi meta) {
  auto g = txn.get(meta, "generation");
  if (!g) return g.error();
  auto s = txn.get(meta, "spec");
  if (!s) return s.error();
  CodeState st;
  if (!*g || !*s) return make_error(ENOENT, "similarity tables are not initialised");
  auto r = std::from_chars((*g)->data(), (*g)->data() + (*g)->size(), st.generation);
  if (r.ec != std::errc()) return make_error(EIO, "damaged similarity generation");
  st.spec = std::string(**s);
  return st;
}

}  // namespace

Result<CodeStore> CodeStore::open(const index::Catalog& catalog) {
  auto meta = catalog.table(kMetaTable);
  if (!meta) return meta.error();
  auto codes = catalog.table(kCodesTable);
  if (!codes) return codes.error();
  auto prints = catalog.table(kPrintsTable);
  if (!prints) return prints.error();
  CodeStore store(catalog.env(), *meta, *codes, *prints);
  auto txn = lmdb::Txn::begin(catalog.env(), true);
  if (!txn) return txn.error();
  auto st = read_state(*txn, *meta);
  if (!st && st.error().code != ENOENT) return st.error();
  if (!st) {  // first use of this archive
    OBIA_TRY(txn->put(*meta, "generation", "1"));
    OBIA_TRY(txn->put(*meta, "spec", default_spec()));
  }
  OBIA_TRY(txn->commit());
  return store;
}

Result<CodeState> CodeStore::state() const {
  auto txn = lmdb::Txn::begin(*env_, false);
  if (!txn) return txn.error();
  return read_state(*txn, meta_);
}

Status CodeStore::put(uint64_t generation, std::span<const CodeEntry> batch) const {
  auto txn = lmdb::Txn::begin(*env_, true);
  if (!txn) return txn.error();
  auto st = read_state(*txn, meta_);
  if (!st) return st.error();
  if (generation != st->generation && generation != st->generation + 1)
    return make_error(ESTALE, "similarity codes were reindexed meanwhile");
  auto bytes = [](const Code& c) {
    return std::string_view(reinterpret_cast<const char*>(c.data()), c.size());
  };
  for (const auto& e : batch) {
    OBIA_TRY(txn->put(codes_, code_key(generation, e.image), bytes(e.code)));
    if (!e.fingerprint.empty()) OBIA_TRY(txn->put(prints_, id_key(e.image), bytes(e.fingerprint)));
  }
  return txn->commit();
}

Result<std::optional<Code>> CodeStore::get(uint64_t generation, index::NodeId id) const {
  auto txn = lmdb::Txn::begin(*env_, false);
  if (!txn) return txn.error();
  auto v = txn->get(codes_, code_key(generation, id));
  if (!v) return v.error();
  if (!*v) return std::optional<Code>{};
  return std::optional<Code>{Code((*v)->begin(), (*v)->end())};
}

Result<std::vector<Code>> CodeStore::fingerprints(std::span<const index::NodeId> ids) const {
  auto txn = lmdb::Txn::begin(*env_, false);
  if (!txn) return txn.error();
  std::vector<Code> out(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    auto v = txn->get(prints_, id_key(ids[i]));
    if (!v) return v.error();
    if (*v) out[i].assign((*v)->begin(), (*v)->end());
  }
  return out;
}

Status CodeStore::for_each(
    uint64_t generation,
    const std::function<void(index::NodeId, std::span<const uint8_t>)>& fn) const {
  auto txn = lmdb::Txn::begin(*env_, false);
  if (!txn) return txn.error();
  auto cur = lmdb::Cursor::open(*txn, codes_);
  if (!cur) return cur.error();
  const char slot = static_cast<char>(generation & 1);
  auto more = cur->seek(std::string(1, slot));
  for (; more.ok() && *more; more = cur->next()) {
    if (cur->key().empty() || cur->key()[0] != slot) break;
    auto v = cur->value();
    fn(key_id(cur->key()), std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(v.data()), v.size()));
  }
  if (!more) return more.error();
  return {};
}

Result<size_t> CodeStore::count(uint64_t generation) const {
  size_t n = 0;
  OBIA_TRY(for_each(generation, [&](index::NodeId, std::span<const uint8_t>) { ++n; }));
  return n;
}

Status CodeStore::clear(uint64_t generation) const {
  const char slot = static_cast<char>(generation & 1);
  for (;;) {
    auto txn = lmdb::Txn::begin(*env_, true);
    if (!txn) return txn.error();
    auto st = read_state(*txn, meta_);
    if (!st) return st.error();
    if ((st->generation & 1) == (generation & 1))
      return make_error(EBUSY, "refusing to clear the active similarity codes");
    std::vector<std::string> keys;
    {  // a write transaction's cursor must be closed before the commit frees it
      auto cur = lmdb::Cursor::open(*txn, codes_);
      if (!cur) return cur.error();
      auto more = cur->seek(std::string(1, slot));
      for (; more.ok() && *more && keys.size() < kDeleteBatch; more = cur->next()) {
        if (cur->key().empty() || cur->key()[0] != slot) break;
        keys.emplace_back(cur->key());
      }
      if (!more) return more.error();
    }
    for (const auto& k : keys) OBIA_TRY(txn->del(codes_, k));
    OBIA_TRY(txn->commit());
    if (keys.size() < kDeleteBatch) return {};
  }
}

Status CodeStore::activate(uint64_t next, const std::string& spec) const {
  auto txn = lmdb::Txn::begin(*env_, true);
  if (!txn) return txn.error();
  auto st = read_state(*txn, meta_);
  if (!st) return st.error();
  if (st->generation + 1 != next)
    return make_error(ESTALE, "another reindex finished meanwhile");
  OBIA_TRY(txn->put(meta_, "generation", std::to_string(next)));
  OBIA_TRY(txn->put(meta_, "spec", spec));
  return txn->commit();
}

}  // namespace obia::similarity
