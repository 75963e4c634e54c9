// Facet indexes for search (ARCHITECTURE §6): for every series, one key per (facet, value) in
// the catalog table "facets": "<facet>\0<value>\0<series id>". A query term is a cursor range;
// terms intersect. Written in the same transaction as the series (and re-written for an
// individual's series when its clinical values change), so they never disagree with the tree.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "index/lmdb.h"
#include "index/node.h"

namespace obia::index {

// The facets every series has, besides clinical.<column> ones.
extern const std::vector<std::string> kBaseFacets;  // collection, modality, bodypart, sex, age,
                                                    // disease, manufacturer, studyyear, accession

struct FacetTerm {
  std::string key;
  std::string value;       // exact value, or empty with a range
  std::optional<std::pair<int, int>> range;  // age=40-60 (inclusive)
};

// Parses "modality=CT&bodypart=CHEST&age=40-60"; keys are lower case, values as given.
Result<std::vector<FacetTerm>> parse_query(std::string_view expr);

// Facet values of one series from its own, its study's, individual's and collection's nodes.
std::vector<std::pair<std::string, std::string>> series_facets(const Node& collection,
                                                               const Node& individual,
                                                               const Node& study,
                                                               const Node& series);
// Normalised form stored and matched: upper case for coded values, zero-padded ages.
std::string facet_value(const std::string& key, const std::string& value);
std::string display_value(const std::string& key, const std::string& stored);
int age_years(const std::string& dicom_age);
// At most `max` bytes of `v`, cut before a UTF-8 continuation byte: values become LMDB keys
// (511 bytes at most), and a hostile file's element may be far longer than its VR allows.
constexpr size_t kMaxKeyValue = 128;
std::string capped(std::string v, size_t max = kMaxKeyValue);  // "045Y" -> 45, "006M" -> 0; -1 when unknown

Status put_facets(lmdb::Txn& txn, MDB_dbi facets, NodeId series,
                  const std::vector<std::pair<std::string, std::string>>& values);
Status delete_facets(lmdb::Txn& txn, MDB_dbi facets, NodeId series,
                     const std::vector<std::pair<std::string, std::string>>& values);

// Series matching one term (sorted ids).
Result<std::vector<NodeId>> term_series(const lmdb::Txn& txn, MDB_dbi facets, const FacetTerm& t);
// Stored values of `key` with their series counts.
Result<std::map<std::string, uint64_t>> facet_counts(const lmdb::Txn& txn, MDB_dbi facets,
                                                     const std::string& key);
Result<std::vector<std::string>> facet_keys(const lmdb::Txn& txn, MDB_dbi facets);

}  // namespace obia::index
