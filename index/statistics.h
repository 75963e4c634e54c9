// Archive statistics (stats.json at the mount root, `obiactl stats`): counts per collection as
// in the OBIA paper's Table 1, per modality, body part, sex and age band, and totals; and a
// self-contained HTML report of them with SVG charts (stats_html.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "index/catalog.h"

namespace obia::index {

// Reads the counters every catalog write keeps (index/aggregates.h) and the collection nodes,
// in one read transaction (a consistent snapshot even while files are being archived): the
// cost does not grow with the number of series or images. Should the counters be stale (a
// catalog from before them, until its next open), the same numbers are counted from the
// collection, individual, study and series nodes instead (series totals; every image node when
// a series lacks them). The result, "obia-stats/1" (keys of objects are sorted, so the same
// catalog always gives the same bytes):
//   totals:      {collections, individuals, studies, series, images, bytes}
//   collections: [{accession, title, disease, access, individuals, studies, series, images,
//                  bytes, modalities: [..], submitted, archived, duplicates, quarantined}]
//                in accession order; the last four are the ingest counters.
//   modality, bodypart: {VALUE: {individuals, studies, series, images}}, where an individual
//                (or study) is counted under every value it has, so these do not sum to totals.
//   sex, age_band: {VALUE: {individuals, studies, series, images}}. Studies, series and images
//                count under their study's PatientSex / PatientAge (the individual's sex when
//                the study has none); individuals under their own sex and age at first study,
//                so each level sums to its total. Bands are "0-9" ... "80-89", "90+", "unknown".
// Only what the mounted tree shows is counted: individuals reserved by a file that was then
// rejected (no study) are left out. Values are upper-cased; absent ones are "unknown".
Result<nlohmann::json> compute_stats(const Catalog& catalog);

// A well-formed, self-contained HTML5 page (no scripts, no external resources): a summary,
// a Table 1-style table of collections and bar charts drawn as inline SVG.
std::string stats_html(const nlohmann::json& stats);

// "40-49" for 40..49, "90+" from 90, "unknown" for a negative (absent) age.
std::string age_band(int years);

// The leading fields of an encoded image node, read without decoding its name, UID and
// attributes: the fallback pass over every image (series without totals) uses it.
// Must agree with index/node.cpp's encode() (a unit test checks it does).
struct NodeHead {
  NodeId parent = 0;
  uint64_t size = 0;
};
std::optional<NodeHead> read_node_head(std::string_view encoded);

}  // namespace obia::index
