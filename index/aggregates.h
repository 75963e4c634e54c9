// The counts behind stats.json, kept by the catalog's own writes so that statistics read a few
// hundred counters instead of walking every series (an archive of radiographs has a series per
// image). Internal to the catalog (catalog.cpp) and the statistics (statistics.cpp).
//
// Two tables. "stats" holds signed 64-bit counters:
//   'C' be64(collection) FIELD        FIELD: individuals, studies, series, images, bytes, or
//                                      "m:" MODALITY (series of that modality: the collection's
//                                      modality list)
//   'F' FACET 0x1f VALUE 0x1f LEVEL   FACET: modality, bodypart, sex, age_band; LEVEL:
//                                      individuals, studies, series, images
// "stats_members" holds, for the distinct counts of modality and body part, how many series of
// one study ('s') or individual ('i') carry a value:
//   'M' FACET 0x1f VALUE 0x1f LEVEL-CHAR be64(node)
// A member going from 0 to 1 series adds one to the facet's distinct studies or individuals.
//
// The definitions (which sex a study counts under, when an individual is visible) are the ones
// of compute_stats (statistics.h); verify_aggregates compares the kept counters with a full scan.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/result.h"
#include "index/lmdb.h"
#include "index/node.h"

namespace obia::index::aggregates {

using Counts = std::map<std::string, int64_t>;

struct Tables {
  MDB_dbi nodes = 0, children = 0, counts = 0, members = 0, meta = 0;
};

std::string collection_key(NodeId collection, std::string_view field);
std::string facet_key(std::string_view facet, std::string_view value, std::string_view level);
std::string member_key(std::string_view facet, std::string_view value, char level, NodeId node);

// A value as the statistics show it: trailing spaces dropped, upper case, "unknown" when empty.
std::string coded(std::string value);
// The age band of an individual's age attribute: whole years, or a DICOM AS value ("055Y").
std::string individual_band(const std::string& age);

// Where one archived image counts: its collection, individual and study, their facet values.
struct Place {
  NodeId collection = 0, individual = 0, study = 0;
  std::string individual_sex, individual_band;  // coded
  std::string study_sex, study_band;  // coded; the study's sex falls back to the individual's
  std::string modality, bodypart;     // coded
};

// Pending counter changes, applied in one go inside the caller's write transaction.
class Delta {
 public:
  void add(const std::string& key, int64_t n) {
    if (n != 0) changes_[key] += n;
  }
  // One more (or one fewer, n < 0) series of `node` carrying FACET=VALUE; updates the member
  // record at once and the facet's distinct count when the member appears or disappears.
  Status member(lmdb::Txn& txn, const Tables& t, std::string_view facet, std::string_view value,
                char level, NodeId node, int64_t n);
  Status apply(lmdb::Txn& txn, const Tables& t) const;
  const Counts& changes() const { return changes_; }

 private:
  Counts changes_;
};

// The individual's sex and age band as the statistics count them: its own attributes, else
// those of its first study.
struct Demographics {
  std::string sex, band;
};
Result<Demographics> demographics(const lmdb::Txn& txn, const Tables& t, const Node& individual);

// The counters one archived image adds; the flags say which of its parents it brought.
void add_image(Delta& d, const Place& p, bool new_individual, bool new_study, bool new_series,
               uint64_t bytes);
Status add_series_members(lmdb::Txn& txn, const Tables& t, Delta& d, const Place& p);

// An individual's sex or age changed (clinical import, or its first study giving them): moves
// its own count and those of its studies that take the individual's sex, from `before` to
// `after`. `skip` is a study not yet counted (the one being committed).
Status move_individual(lmdb::Txn& txn, const Tables& t, Delta& d, const Node& individual,
                       const Demographics& before, const Demographics& after, NodeId skip = 0);

// Whether the tables are kept ("aggregates" in meta; absent on catalogs from before them, or
// after a change the counters cannot follow, until rebuilt).
Result<bool> kept(const lmdb::Txn& txn, const Tables& t);
Status mark_stale(lmdb::Txn& txn, const Tables& t);
// Replaces both tables with `counts` and `members` (from a full scan) and marks them kept.
Status rebuild(lmdb::Txn& txn, const Tables& t, const Counts& counts, const Counts& members);
Result<Counts> read(const lmdb::Txn& txn, MDB_dbi table);
// The counters and members as a full pass over the nodes finds them (statistics.cpp).
Result<std::pair<Counts, Counts>> scan(const lmdb::Txn& txn, MDB_dbi nodes);

}  // namespace obia::index::aggregates
