// How catalog records are keyed and read inside a transaction: big-endian node ids (so a
// cursor walks one kind, or one parent's children, in order) and node get/put. Shared by
// catalog.cpp and series_totals.cpp only; not part of the catalog's interface.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "index/lmdb.h"
#include "index/node.h"

namespace obia::index::detail {

inline std::string be64(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>(v >> (56 - 8 * i));
  return s;
}

inline uint64_t from_be64(std::string_view s) {
  uint64_t v = 0;
  for (int i = 0; i < 8 && i < static_cast<int>(s.size()); ++i)
    v = (v << 8) | static_cast<uint8_t>(s[i]);
  return v;
}

inline Result<Node> get_node(const lmdb::Txn& txn, MDB_dbi nodes, NodeId id) {
  auto v = txn.get(nodes, be64(id));
  if (!v) return v.error();
  if (!*v) return make_error(ENOENT, "no catalog node " + std::to_string(id));
  auto n = decode(id, **v);
  if (!n) return make_error(EIO, "damaged catalog node " + std::to_string(id));
  return std::move(*n);
}

inline Status put_node(lmdb::Txn& txn, MDB_dbi nodes, const Node& n) {
  return txn.put(nodes, be64(n.id), encode(n));
}

// Calls fn for every node of one kind, in id order. The kind is a node key's first byte, so the
// nodes of a kind are one key prefix. A node that does not decode ends the walk with EIO.
inline Status for_each_node(const lmdb::Txn& txn, MDB_dbi nodes, Kind kind,
                            const std::function<void(const Node&)>& fn) {
  const std::string prefix = be64(make_id(kind, 0)).substr(0, 1);
  return lmdb::scan_prefix(txn, nodes, prefix,
                           [&](std::string_view key, std::string_view value) -> Status {
                             const NodeId id = from_be64(key);
                             auto n = decode(id, value);
                             if (!n)
                               return make_error(EIO, "damaged catalog node " + std::to_string(id));
                             fn(*n);
                             return {};
                           });
}

}  // namespace obia::index::detail
