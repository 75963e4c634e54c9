// The image and byte totals each series node carries ("_images", "_bytes"), kept by
// Catalog::commit_image in its own transaction so that statistics need not read every image.
// Internal to the catalog (the public reader is index::stored_totals in catalog.h).
#pragma once

#include <unordered_map>
#include <vector>

#include "index/catalog.h"
#include "index/lmdb.h"

namespace obia::index::detail {

void set_totals(Node& series, const SeriesTotals& t);
// Images and bytes of every series, counted from the image nodes (one pass over them).
Result<std::unordered_map<NodeId, SeriesTotals>> count_totals(const lmdb::Txn& txn, MDB_dbi nodes);
// Series whose stored totals differ from the counted ones.
Result<std::vector<TotalsMismatch>> totals_mismatches(const lmdb::Txn& txn, MDB_dbi nodes);
// Rewrites the totals of every series that disagrees with its images; returns how many.
Result<uint64_t> repair_totals(lmdb::Txn& txn, MDB_dbi nodes);
// Images and bytes below one series, from its children (the fallback for a missing total).
Result<SeriesTotals> series_totals(const lmdb::Txn& txn, MDB_dbi children, MDB_dbi nodes,
                                   NodeId series);

}  // namespace obia::index::detail
