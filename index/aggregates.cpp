// Kept statistics counters (aggregates.h).
#include "index/aggregates.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "index/catalog.h"
#include "index/catalog_records.h"
#include "index/facets.h"
#include "index/series_totals.h"
#include "index/statistics.h"

namespace obia::index::aggregates {
namespace {

using detail::be64;
using detail::get_node;

constexpr char kSep = '\x1f';
constexpr std::string_view kKeptKey = "aggregates";

std::string encode(int64_t v) {
  std::string s(8, '\0');
  auto u = static_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>(u >> (8 * i));
  return s;
}
int64_t decode(std::string_view s) {
  uint64_t u = 0;
  for (size_t i = 0; i < 8 && i < s.size(); ++i)
    u |= uint64_t(static_cast<uint8_t>(s[i])) << (8 * i);
  return static_cast<int64_t>(u);
}

Result<int64_t> get(const lmdb::Txn& txn, MDB_dbi table, const std::string& key) {
  auto v = txn.get(table, key);
  if (!v) return v.error();
  return *v ? decode(**v) : 0;
}

Status set(lmdb::Txn& txn, MDB_dbi table, const std::string& key, int64_t v) {
  return v == 0 ? txn.del(table, key) : txn.put(table, key, encode(v));
}

// The studies of an individual in id order (their names are zero-padded accessions).
Status for_each_study(const lmdb::Txn& txn, const Tables& t, NodeId individual,
                      const std::function<Status(const Node&)>& fn) {
  return lmdb::scan_prefix(txn, t.children, be64(individual),
                           [&](std::string_view, std::string_view value) -> Status {
                             auto s = get_node(txn, t.nodes, detail::from_be64(value));
                             if (!s) return s.error();
                             return fn(*s);
                           });
}

// The individual's first study (the smallest accession), if it has one.
Result<std::optional<Node>> first_study(const lmdb::Txn& txn, const Tables& t, NodeId individual) {
  auto cur = lmdb::Cursor::open(txn, t.children);
  if (!cur) return cur.error();
  const std::string prefix = be64(individual);
  auto found = cur->seek(prefix);
  if (!found) return found.error();
  if (!*found || !cur->key().starts_with(prefix)) return std::optional<Node>{};
  auto s = get_node(txn, t.nodes, detail::from_be64(cur->value()));
  if (!s) return s.error();
  return std::optional<Node>{std::move(*s)};
}

}  // namespace

std::string collection_key(NodeId collection, std::string_view field) {
  return "C" + be64(collection) + std::string(field);
}

std::string facet_key(std::string_view facet, std::string_view value, std::string_view level) {
  std::string k = "F";
  k.append(facet).push_back(kSep);
  k.append(value).push_back(kSep);
  k.append(level);
  return k;
}

std::string member_key(std::string_view facet, std::string_view value, char level, NodeId node) {
  std::string k = "M";
  k.append(facet).push_back(kSep);
  k.append(value).push_back(kSep);
  k.push_back(level);
  return k + be64(node);
}

std::string coded(std::string v) {
  v = capped(std::move(v));
  while (!v.empty() && v.back() == ' ') v.pop_back();
  if (v.empty()) return "unknown";
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::toupper(c); });
  return v;
}

std::string individual_band(const std::string& age) {
  if (age.empty()) return age_band(-1);
  int v = -1;
  auto [p, ec] = std::from_chars(age.data(), age.data() + age.size(), v);
  if (ec == std::errc() && p == age.data() + age.size() && v >= 0) return age_band(v);
  return age_band(age_years(age));  // a DICOM AS value ("055Y")
}

Status Delta::member(lmdb::Txn& txn, const Tables& t, std::string_view facet,
                     std::string_view value, char level, NodeId node, int64_t n) {
  std::string key = member_key(facet, value, level, node);
  auto old = get(txn, t.members, key);
  if (!old) return old.error();
  int64_t now = *old + n;
  OBIA_TRY(set(txn, t.members, key, now));
  std::string distinct = facet_key(facet, value, level == 's' ? "studies" : "individuals");
  if (*old <= 0 && now > 0) add(distinct, 1);
  if (*old > 0 && now <= 0) add(distinct, -1);
  return {};
}

Status Delta::apply(lmdb::Txn& txn, const Tables& t) const {
  for (auto& [key, n] : changes_) {
    auto old = get(txn, t.counts, key);
    if (!old) return old.error();
    OBIA_TRY(set(txn, t.counts, key, *old + n));
  }
  return {};
}

Result<Demographics> demographics(const lmdb::Txn& txn, const Tables& t, const Node& individual) {
  std::string sex = individual.attr("sex");
  std::string band = individual_band(individual.attr("age"));
  if (sex.empty() || band == age_band(-1)) {
    // The first study stands in for what the individual lacks (compute_stats does the same).
    auto first = first_study(txn, t, individual.id);
    if (!first) return first.error();
    if (*first) {
      if (sex.empty()) sex = (*first)->attr("sex");
      if (band == age_band(-1)) band = age_band(age_years((*first)->attr("age")));
    }
  }
  return Demographics{coded(sex), band};
}

void add_image(Delta& d, const Place& p, bool new_individual, bool new_study, bool new_series,
               uint64_t bytes) {
  if (new_individual) {
    d.add(collection_key(p.collection, "individuals"), 1);
    d.add(facet_key("sex", p.individual_sex, "individuals"), 1);
    d.add(facet_key("age_band", p.individual_band, "individuals"), 1);
  }
  if (new_study) {
    d.add(collection_key(p.collection, "studies"), 1);
    d.add(facet_key("sex", p.study_sex, "studies"), 1);
    d.add(facet_key("age_band", p.study_band, "studies"), 1);
  }
  // Series and images count under all four facets.
  const std::pair<const char*, const std::string*> facets[] = {{"modality", &p.modality},
                                                               {"bodypart", &p.bodypart},
                                                               {"sex", &p.study_sex},
                                                               {"age_band", &p.study_band}};
  if (new_series) {
    d.add(collection_key(p.collection, "series"), 1);
    d.add(collection_key(p.collection, "m:" + p.modality), 1);
    for (auto& [facet, value] : facets) d.add(facet_key(facet, *value, "series"), 1);
  }
  d.add(collection_key(p.collection, "images"), 1);
  d.add(collection_key(p.collection, "bytes"), static_cast<int64_t>(bytes));
  for (auto& [facet, value] : facets) d.add(facet_key(facet, *value, "images"), 1);
}

Status add_series_members(lmdb::Txn& txn, const Tables& t, Delta& d, const Place& p) {
  for (auto [facet, value] : {std::pair{"modality", &p.modality}, {"bodypart", &p.bodypart}}) {
    OBIA_TRY(d.member(txn, t, facet, *value, 's', p.study, 1));
    OBIA_TRY(d.member(txn, t, facet, *value, 'i', p.individual, 1));
  }
  return {};
}

Status move_individual(lmdb::Txn& txn, const Tables& t, Delta& d, const Node& individual,
                       const Demographics& before, const Demographics& after, NodeId skip) {
  if (before.sex == after.sex && before.band == after.band) return {};
  bool visible = false;
  OBIA_TRY(for_each_study(txn, t, individual.id, [&](const Node& study) -> Status {
    if (study.id == skip) return {};
    visible = true;
    // Study bands come from the study's own age; only sex can follow the individual.
    if (!study.attr("sex").empty() || before.sex == after.sex) return {};
    int64_t series = 0, images = 0;
    OBIA_TRY(lmdb::scan_prefix(
        txn, t.children, be64(study.id), [&](std::string_view, std::string_view value) -> Status {
          auto s = get_node(txn, t.nodes, detail::from_be64(value));
          if (!s) return s.error();
          auto totals = stored_totals(*s);
          if (!totals) {
            auto counted = detail::series_totals(txn, t.children, t.nodes, s->id);
            if (!counted) return counted.error();
            totals = *counted;
          }
          ++series;
          images += static_cast<int64_t>(totals->images);
          return {};
        }));
    for (auto [level, n] :
         {std::pair{"studies", int64_t{1}}, {"series", series}, {"images", images}}) {
      d.add(facet_key("sex", before.sex, level), -n);
      d.add(facet_key("sex", after.sex, level), n);
    }
    return {};
  }));
  if (visible) {
    d.add(facet_key("sex", before.sex, "individuals"), -1);
    d.add(facet_key("sex", after.sex, "individuals"), 1);
    d.add(facet_key("age_band", before.band, "individuals"), -1);
    d.add(facet_key("age_band", after.band, "individuals"), 1);
  }
  return {};
}

Result<bool> kept(const lmdb::Txn& txn, const Tables& t) {
  auto v = txn.get(t.meta, kKeptKey);
  if (!v) return v.error();
  return *v && **v == "1";
}

Status mark_stale(lmdb::Txn& txn, const Tables& t) { return txn.del(t.meta, kKeptKey); }

Status rebuild(lmdb::Txn& txn, const Tables& t, const Counts& counts, const Counts& members) {
  for (MDB_dbi table : {t.counts, t.members})
    if (int rc = mdb_drop(txn.get(), table, 0); rc != 0)
      return make_error(EIO, std::string("mdb_drop: ") + mdb_strerror(rc));
  for (auto& [k, v] : counts) OBIA_TRY(set(txn, t.counts, k, v));
  for (auto& [k, v] : members) OBIA_TRY(set(txn, t.members, k, v));
  return txn.put(t.meta, kKeptKey, "1");
}

Result<Counts> read(const lmdb::Txn& txn, MDB_dbi table) {
  Counts out;
  OBIA_TRY(lmdb::scan_prefix(txn, table, "", [&](std::string_view k, std::string_view v) -> Status {
    out.emplace(std::string(k), decode(v));
    return {};
  }));
  return out;
}

}  // namespace obia::index::aggregates
