// compute_stats(): the kept counters (aggregates.h) turned into stats.json. The count from the
// nodes (aggregates::scan, for stale counters, verify and rebuilds) is one cursor pass over the
// catalog's nodes, which LMDB keeps in id order and so grouped by kind (collections,
// individuals, studies, series, images): every parent is seen before its children. The pass
// stops at the first image when every series has its totals; otherwise images are counted too,
// from their parent and size only. Both give the same counters, turned into JSON by one function.
#include "index/statistics.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <set>
#include <unordered_map>
#include <vector>

#include "index/aggregates.h"
#include "index/catalog_records.h"
#include "index/facets.h"

namespace obia::index {
namespace {

using aggregates::coded;
using aggregates::collection_key;
using aggregates::Counts;
using aggregates::facet_key;
using detail::be64;
using detail::from_be64;

struct CollectionInfo {
  Node node;
};
struct IndividualInfo {
  NodeId collection = 0;
  std::string sex;       // own attribute, else its first study's
  int age = -1;          // own attribute (age at first study), else its first study's
  bool visible = false;  // has a study (a reserved individual is not in the tree)
};
struct StudyInfo {
  NodeId individual = 0;
  std::string sex, band;
};
struct SeriesInfo {
  NodeId study = 0;
  std::string modality, bodypart;
  uint64_t images = 0, bytes = 0;
};

int parse_years(const std::string& s) {
  if (s.empty()) return -1;
  int v = -1;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc() && p == s.data() + s.size() && v >= 0) return v;
  return age_years(s);  // a DICOM AS value ("055Y")
}

// The single pass. Parents come before children in key order, so each map is complete by the
// time the next kind needs it.
struct Scan {
  std::map<NodeId, CollectionInfo> collections;
  std::unordered_map<NodeId, IndividualInfo> individuals;
  std::unordered_map<NodeId, StudyInfo> studies;
  std::unordered_map<NodeId, SeriesInfo> series;
  uint64_t orphans = 0;  // nodes whose parent is missing (a damaged catalog); not counted
  // Every series carries "_images" and "_bytes" (kept by Catalog::commit_image): the image
  // nodes need not be read at all. Series from before those counters force a full scan.
  bool all_series_counted = true;

  void node(const Node& n) {
    switch (n.kind()) {
      case Kind::Collection:
        collections[n.id].node = n;
        break;
      case Kind::Individual: {
        IndividualInfo& i = individuals[n.id];
        i.collection = n.parent;
        i.sex = n.attr("sex");
        i.age = parse_years(n.attr("age"));
        break;
      }
      case Kind::Study: {
        auto ind = individuals.find(n.parent);
        if (ind == individuals.end()) {
          ++orphans;
          return;
        }
        IndividualInfo& i = ind->second;
        // Ids grow with time, so the first study seen is the individual's first.
        if (!i.visible) {
          if (i.sex.empty()) i.sex = n.attr("sex");
          if (i.age < 0) i.age = age_years(n.attr("age"));
          i.visible = true;
        }
        std::string sex = n.attr("sex").empty() ? i.sex : n.attr("sex");
        studies[n.id] = StudyInfo{n.parent, coded(sex), age_band(age_years(n.attr("age")))};
        break;
      }
      case Kind::Series: {
        SeriesInfo r{n.parent, coded(n.attr("modality")), coded(n.attr("bodypart")), 0, 0};
        // Totals kept on the series by the image commit, when the catalog has them.
        if (auto t = stored_totals(n)) {
          r.images = t->images;
          r.bytes = t->bytes;
        } else {
          all_series_counted = false;
        }
        series[n.id] = std::move(r);
        break;
      }
      default:
        break;
    }
  }

  // The counters compute_stats reads, as aggregates.h keys them, and the member counts behind
  // the distinct individuals and studies of modality and body part.
  std::pair<Counts, Counts> counts() const {
    Counts c, members;
    auto add = [&c](const std::string& key, int64_t n) {
      if (n != 0) c[key] += n;
    };
    for (auto& [id, i] : individuals) {
      if (!i.visible || !collections.count(i.collection)) continue;
      add(collection_key(i.collection, "individuals"), 1);
      add(facet_key("sex", coded(i.sex), "individuals"), 1);
      add(facet_key("age_band", age_band(i.age), "individuals"), 1);
    }
    for (auto& [id, s] : studies) {
      NodeId coll = individuals.at(s.individual).collection;
      if (!collections.count(coll)) continue;
      add(collection_key(coll, "studies"), 1);
      add(facet_key("sex", s.sex, "studies"), 1);
      add(facet_key("age_band", s.band, "studies"), 1);
    }
    for (auto& [id, r] : series) {
      auto s = studies.find(r.study);
      if (s == studies.end()) continue;
      NodeId individual = s->second.individual;
      NodeId coll = individuals.at(individual).collection;
      if (!collections.count(coll)) continue;
      auto images = static_cast<int64_t>(r.images);
      add(collection_key(coll, "series"), 1);
      add(collection_key(coll, "images"), images);
      add(collection_key(coll, "bytes"), static_cast<int64_t>(r.bytes));
      add(collection_key(coll, "m:" + r.modality), 1);
      for (auto [facet, value] : {std::pair{"modality", &r.modality},
                                  {"bodypart", &r.bodypart},
                                  {"sex", &s->second.sex},
                                  {"age_band", &s->second.band}}) {
        add(facet_key(facet, *value, "series"), 1);
        add(facet_key(facet, *value, "images"), images);
      }
      for (auto [facet, value] : {std::pair{"modality", &r.modality}, {"bodypart", &r.bodypart}}) {
        for (auto [level, node] : {std::pair{'s', r.study}, {'i', individual}}) {
          int64_t& m = members[aggregates::member_key(facet, *value, level, node)];
          if (m++ == 0) add(facet_key(facet, *value, level == 's' ? "studies" : "individuals"), 1);
        }
      }
    }
    return {std::move(c), std::move(members)};
  }
};

const char* const kLevels[] = {"individuals", "studies", "series", "images"};

uint64_t count(const Counts& c, const std::string& key) {
  auto it = c.find(key);
  return it == c.end() || it->second < 0 ? 0 : static_cast<uint64_t>(it->second);
}

Result<nlohmann::json> stats_json(const Catalog& catalog, const std::vector<Node>& collections,
                                  const Counts& counts) {
  nlohmann::json colls = nlohmann::json::array();
  nlohmann::json totals = {{"collections", collections.size()}, {"bytes", 0}};
  for (const char* level : kLevels) totals[level] = 0;
  for (auto& c : collections) {
    auto k = catalog.counters(c.id);
    if (!k) return k.error();
    nlohmann::json j;
    for (const char* field : {"individuals", "studies", "series", "images", "bytes"}) {
      uint64_t n = count(counts, collection_key(c.id, field));
      j[field] = n;
      totals[field] = totals[field].get<uint64_t>() + n;
    }
    std::vector<std::string> modalities;
    std::string prefix = collection_key(c.id, "m:");
    for (auto it = counts.lower_bound(prefix); it != counts.end() && it->first.starts_with(prefix);
         ++it)
      if (it->second > 0) modalities.push_back(it->first.substr(prefix.size()));
    j["accession"] = c.accession;
    j["title"] = c.attr("title");
    j["disease"] = c.attr("disease");
    j["access"] = c.attr("access").empty() ? "open" : c.attr("access");
    j["modalities"] = modalities;
    j["submitted"] = k->submitted;
    j["archived"] = k->archived;
    j["duplicates"] = k->duplicates;
    j["quarantined"] = k->quarantined;
    colls.push_back(std::move(j));
  }
  nlohmann::json out = {{"schema", "obia-stats/1"}, {"totals", totals}, {"collections", colls}};
  for (const char* facet : {"modality", "bodypart", "sex", "age_band"}) {
    nlohmann::json values = nlohmann::json::object();
    std::string prefix = facet_key(facet, "", "");
    prefix.pop_back();  // 'F' facet 0x1f: every value of this facet
    for (auto it = counts.lower_bound(prefix); it != counts.end() && it->first.starts_with(prefix);
         ++it) {
      std::string rest = it->first.substr(prefix.size());
      auto sep = rest.find('\x1f');
      if (sep == std::string::npos || it->second <= 0) continue;
      std::string value = rest.substr(0, sep);
      if (!values.contains(value))
        for (const char* level : kLevels) values[value][level] = 0;
      values[value][rest.substr(sep + 1)] = static_cast<uint64_t>(it->second);
    }
    out[facet] = std::move(values);
  }
  return out;
}

}  // namespace

std::string age_band(int years) {
  if (years < 0) return "unknown";
  if (years >= 90) return "90+";
  int lo = years / 10 * 10;
  return std::to_string(lo) + "-" + std::to_string(lo + 9);
}

std::optional<NodeHead> read_node_head(std::string_view in) {
  // Layout (node.cpp): format byte 1, parent u64, name, accession, uid (u64 length + bytes
  // each), created u64, object hash 16 bytes, variant u64, size u64, attributes. LE integers.
  auto u64 = [&in](uint64_t& v) {
    if (in.size() < 8) return false;
    v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t(static_cast<uint8_t>(in[i])) << (8 * i);
    in.remove_prefix(8);
    return true;
  };
  if (in.empty() || in[0] != 1) return std::nullopt;
  in.remove_prefix(1);
  NodeHead h;
  if (!u64(h.parent)) return std::nullopt;
  for (int s = 0; s < 3; ++s) {
    uint64_t len = 0;
    if (!u64(len) || len > in.size()) return std::nullopt;
    in.remove_prefix(len);
  }
  uint64_t skip = 0;
  if (!u64(skip) || in.size() < 16) return std::nullopt;  // created
  in.remove_prefix(16);                                   // object hash
  if (!u64(skip) || !u64(h.size)) return std::nullopt;    // variant, size
  return h;
}

Result<std::pair<Counts, Counts>> aggregates::scan(const lmdb::Txn& txn, MDB_dbi nodes) {
  auto cur = lmdb::Cursor::open(txn, nodes);
  if (!cur) return cur.error();

  Scan scan;
  SeriesInfo* last = nullptr;  // images of a series mostly come in runs
  NodeId last_id = 0;
  bool in_images = false;
  auto more = cur->seek(be64(make_id(Kind::Collection, 0)));
  for (; more.ok() && *more; more = cur->next()) {
    NodeId id = from_be64(cur->key());
    if (kind_of(id) == Kind::Image) {
      if (!in_images) {  // the first image: every series has been seen
        if (scan.all_series_counted) break;
        for (auto& [sid, r] : scan.series) r.images = r.bytes = 0;  // count them all here
        in_images = true;
      }
      auto head = read_node_head(cur->value());
      if (!head) return make_error(EIO, "damaged catalog node " + std::to_string(id));
      if (head->parent != last_id || !last) {
        auto it = scan.series.find(head->parent);
        if (it == scan.series.end()) {
          ++scan.orphans;
          continue;
        }
        last = &it->second;
        last_id = head->parent;
      }
      ++last->images;
      last->bytes += head->size;
      continue;
    }
    if (kind_of(id) > Kind::Image) break;
    auto n = decode(id, cur->value());
    if (!n) return make_error(EIO, "damaged catalog node " + std::to_string(id));
    scan.node(*n);
  }
  if (!more) return more.error();

  return scan.counts();
}

Result<nlohmann::json> compute_stats(const Catalog& catalog) {
  Counts counts;
  std::vector<Node> collections;
  {  // one snapshot; closed before counters() opens its own
    auto txn = lmdb::Txn::begin(catalog.env(), false);
    if (!txn) return txn.error();
    auto t = catalog.aggregate_tables();
    auto kept = aggregates::kept(*txn, t);
    if (!kept) return kept.error();
    if (*kept) {
      auto c = aggregates::read(*txn, t.counts);
      if (!c) return c.error();
      counts = std::move(*c);
    } else {  // a catalog whose counters are stale: count from the nodes (slower, same result)
      auto c = aggregates::scan(*txn, t.nodes);
      if (!c) return c.error();
      counts = std::move(c->first);
    }
    OBIA_TRY(detail::for_each_node(*txn, t.nodes, Kind::Collection,
                                   [&](const Node& n) { collections.push_back(n); }));
  }
  return stats_json(catalog, collections, counts);
}

}  // namespace obia::index
