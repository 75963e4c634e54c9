// Series totals: the "_images" and "_bytes" attributes of series nodes, their recount from
// the image nodes, and the check and repair that `obiactl verify` runs.
#include "index/series_totals.h"

#include <charconv>

#include "index/catalog_records.h"

namespace obia::index {
namespace {

bool parse_u64(std::string_view s, uint64_t& v) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

std::optional<SeriesTotals> stored_totals(const Node& series) {
  SeriesTotals t;
  if (!parse_u64(series.attr("_images"), t.images) || !parse_u64(series.attr("_bytes"), t.bytes))
    return std::nullopt;
  return t;
}

namespace detail {

void set_totals(Node& series, const SeriesTotals& t) {
  series.attrs["_images"] = std::to_string(t.images);
  series.attrs["_bytes"] = std::to_string(t.bytes);
}

Result<std::unordered_map<NodeId, SeriesTotals>> count_totals(const lmdb::Txn& txn, MDB_dbi nodes) {
  std::unordered_map<NodeId, SeriesTotals> out;
  OBIA_TRY(for_each_node(txn, nodes, Kind::Image, [&](const Node& image) {
    SeriesTotals& t = out[image.parent];
    ++t.images;
    t.bytes += image.size;
  }));
  return out;
}

Result<std::vector<TotalsMismatch>> totals_mismatches(const lmdb::Txn& txn, MDB_dbi nodes) {
  auto counted = count_totals(txn, nodes);
  if (!counted) return counted.error();
  std::vector<TotalsMismatch> out;
  OBIA_TRY(for_each_node(txn, nodes, Kind::Series, [&](const Node& series) {
    auto it = counted->find(series.id);
    SeriesTotals want = it == counted->end() ? SeriesTotals{} : it->second;
    auto have = stored_totals(series);
    if (!have || !(*have == want)) out.push_back(TotalsMismatch{series.id, have, want});
  }));
  return out;
}

Result<uint64_t> repair_totals(lmdb::Txn& txn, MDB_dbi nodes) {
  auto bad = totals_mismatches(txn, nodes);
  if (!bad) return bad.error();
  for (const TotalsMismatch& m : *bad) {
    auto n = get_node(txn, nodes, m.series);
    if (!n) return n.error();
    set_totals(*n, m.counted);
    OBIA_TRY(put_node(txn, nodes, *n));
  }
  return static_cast<uint64_t>(bad->size());
}

Result<SeriesTotals> series_totals(const lmdb::Txn& txn, MDB_dbi children, MDB_dbi nodes,
                                   NodeId series) {
  SeriesTotals t;
  OBIA_TRY(lmdb::scan_prefix(txn, children, be64(series),
                             [&](std::string_view, std::string_view child) -> Status {
                               auto img = get_node(txn, nodes, from_be64(child));
                               if (!img) return img.error();
                               ++t.images;
                               t.bytes += img->size;
                               return {};
                             }));
  return t;
}

}  // namespace detail
}  // namespace obia::index
