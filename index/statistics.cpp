// compute_stats(): one cursor pass over the catalog's nodes, which LMDB keeps in id order and
// so grouped by kind (collections, individuals, studies, series, images): every parent is seen
// before its children. The pass stops at the first image when every series has its totals;
// otherwise images are counted too, from their parent and size only.
#include "index/statistics.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <set>
#include <unordered_map>
#include <vector>

#include "index/facets.h"

namespace obia::index {
namespace {

std::string be64(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>(v >> (56 - 8 * i));
  return s;
}
uint64_t from_be64(std::string_view s) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < s.size(); ++i) v = (v << 8) | static_cast<uint8_t>(s[i]);
  return v;
}

// Counts of one facet value (or one collection) at every level.
struct Tally {
  uint64_t individuals = 0, studies = 0, series = 0, images = 0;
};
struct Facet {
  Tally t;
  std::set<NodeId> individuals, studies;  // distinct: one individual may have many series
};

struct CollectionInfo {
  Node node;
  Tally t;
  uint64_t bytes = 0;
  std::set<std::string> modalities;
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

std::string coded(std::string v) {
  while (!v.empty() && v.back() == ' ') v.pop_back();
  if (v.empty()) return "unknown";
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::toupper(c); });
  return v;
}

int parse_years(const std::string& s) {
  if (s.empty()) return -1;
  int v = -1;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc() && p == s.data() + s.size() && v >= 0) return v;
  return age_years(s);  // a DICOM AS value ("055Y")
}

nlohmann::json tally_json(const Tally& t) {
  return {{"individuals", t.individuals},
          {"studies", t.studies},
          {"series", t.series},
          {"images", t.images}};
}

// `distinct`: individuals and studies were collected as sets (modality, body part), not
// counted once each (sex, age band).
nlohmann::json facet_json(const std::map<std::string, Facet>& m, bool distinct) {
  nlohmann::json out = nlohmann::json::object();
  for (auto& [value, f] : m) {
    Tally t = f.t;
    if (distinct) {
      t.individuals = f.individuals.size();
      t.studies = f.studies.size();
    }
    out[value] = tally_json(t);
  }
  return out;
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
};

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

Result<nlohmann::json> compute_stats(const Catalog& catalog) {
  auto txn = lmdb::Txn::begin(catalog.env(), false);
  if (!txn) return txn.error();
  // The catalog opened "nodes" at start, so this returns its handle without writing.
  auto nodes = lmdb::open_dbi(*txn, "nodes", false);
  if (!nodes) return nodes.error();
  auto cur = lmdb::Cursor::open(*txn, *nodes);
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

  std::map<std::string, Facet> modality, bodypart, sex, band;
  Tally total;
  uint64_t total_bytes = 0;
  for (auto& [id, i] : scan.individuals) {
    if (!i.visible) continue;
    auto c = scan.collections.find(i.collection);
    if (c == scan.collections.end()) continue;
    ++c->second.t.individuals;
    ++sex[coded(i.sex)].t.individuals;
    ++band[age_band(i.age)].t.individuals;
    ++total.individuals;
  }
  for (auto& [id, s] : scan.studies) {
    auto i = scan.individuals.find(s.individual);
    auto c = scan.collections.find(i->second.collection);
    if (c == scan.collections.end()) continue;
    ++c->second.t.studies;
    ++sex[s.sex].t.studies;
    ++band[s.band].t.studies;
    ++total.studies;
  }
  for (auto& [id, r] : scan.series) {
    auto s = scan.studies.find(r.study);
    if (s == scan.studies.end()) continue;
    NodeId individual = s->second.individual;
    auto c = scan.collections.find(scan.individuals[individual].collection);
    if (c == scan.collections.end()) continue;
    CollectionInfo& ci = c->second;
    ++ci.t.series;
    ci.t.images += r.images;
    ci.bytes += r.bytes;
    ci.modalities.insert(r.modality);
    for (auto* f : {&modality[r.modality], &bodypart[r.bodypart]}) {
      ++f->t.series;
      f->t.images += r.images;
      f->individuals.insert(individual);
      f->studies.insert(r.study);
    }
    for (auto* f : {&sex[s->second.sex], &band[s->second.band]}) {
      ++f->t.series;
      f->t.images += r.images;
    }
    ++total.series;
    total.images += r.images;
    total_bytes += r.bytes;
  }

  nlohmann::json colls = nlohmann::json::array();
  for (auto& [id, c] : scan.collections) {
    auto k = catalog.counters(id);
    if (!k) return k.error();
    nlohmann::json j = tally_json(c.t);
    j["accession"] = c.node.accession;
    j["title"] = c.node.attr("title");
    j["disease"] = c.node.attr("disease");
    j["access"] = c.node.attr("access").empty() ? "open" : c.node.attr("access");
    j["bytes"] = c.bytes;
    j["modalities"] = std::vector<std::string>(c.modalities.begin(), c.modalities.end());
    j["submitted"] = k->submitted;
    j["archived"] = k->archived;
    j["duplicates"] = k->duplicates;
    j["quarantined"] = k->quarantined;
    colls.push_back(std::move(j));
  }
  nlohmann::json totals = tally_json(total);
  totals["collections"] = scan.collections.size();
  totals["bytes"] = total_bytes;
  return nlohmann::json{{"schema", "obia-stats/1"},
                        {"totals", totals},
                        {"collections", colls},
                        {"modality", facet_json(modality, true)},
                        {"bodypart", facet_json(bodypart, true)},
                        {"sex", facet_json(sex, false)},
                        {"age_band", facet_json(band, false)}};
}

}  // namespace obia::index
