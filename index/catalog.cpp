// LMDB catalog: tables, accession counters, lookups and the one-transaction image commit.
// The series totals that commit keeps (and their migration, check, repair) are in
// series_totals.cpp.
#include "index/catalog.h"

#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <iterator>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "index/catalog_records.h"
#include "index/series_totals.h"
#include "index/statistics.h"

namespace obia::index {
using namespace detail;

namespace {

std::string le64(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>(v >> (8 * i));
  return s;
}
uint64_t from_le64(std::string_view s) {
  uint64_t v = 0;
  for (int i = 0; i < 8 && i < static_cast<int>(s.size()); ++i)
    v |= uint64_t(static_cast<uint8_t>(s[i])) << (8 * i);
  return v;
}
std::string uid_key(Kind k, std::string_view uid) {
  std::string s(1, static_cast<char>(k));
  s.append(uid);
  return s;
}
std::string counter_key(Kind k) { return "counter." + std::to_string(static_cast<int>(k)); }

std::string encode_counters(const Counters& c) {
  return le64(c.submitted) + le64(c.archived) + le64(c.duplicates) + le64(c.quarantined);
}
Counters decode_counters(std::string_view s) {
  Counters c;
  if (s.size() >= 32) {
    c.submitted = from_le64(s.substr(0, 8));
    c.archived = from_le64(s.substr(8, 8));
    c.duplicates = from_le64(s.substr(16, 8));
    c.quarantined = from_le64(s.substr(24, 8));
  }
  return c;
}

constexpr size_t kMapSize = size_t{1} << 40;  // 1 TiB of address space; the file grows as used

// 1: the first layout; 2: every series carries "_images" and "_bytes".
constexpr std::string_view kSchema = "2";

Result<uint64_t> next_counter(lmdb::Txn& txn, MDB_dbi meta, Kind k) {
  auto cur = txn.get(meta, counter_key(k));
  if (!cur) return cur.error();
  uint64_t n = (*cur ? from_le64(**cur) : 0) + 1;
  OBIA_TRY(txn.put(meta, counter_key(k), le64(n)));
  return n;
}

Result<std::optional<NodeId>> get_id(const lmdb::Txn& txn, MDB_dbi dbi, std::string_view key) {
  auto v = txn.get(dbi, key);
  if (!v) return v.error();
  if (!*v) return std::optional<NodeId>{};
  return std::optional<NodeId>{from_be64(**v)};
}

Status link_child(lmdb::Txn& txn, MDB_dbi children, NodeId parent, std::string_view name,
                  NodeId child) {
  return txn.put(children, be64(parent) + std::string(name), be64(child));
}

Result<Counters> get_counters(const lmdb::Txn& txn, MDB_dbi dbi, NodeId c) {
  auto v = txn.get(dbi, be64(c));
  if (!v) return v.error();
  return *v ? decode_counters(**v) : Counters{};
}

Status add_counters(lmdb::Txn& txn, MDB_dbi dbi, NodeId c, const Counters& d) {
  auto cur = get_counters(txn, dbi, c);
  if (!cur) return cur.error();
  Counters n = *cur;
  n.submitted += d.submitted;
  n.archived += d.archived;
  n.duplicates += d.duplicates;
  n.quarantined += d.quarantined;
  return txn.put(dbi, be64(c), encode_counters(n));
}

}  // namespace

Result<std::unique_ptr<Catalog>> Catalog::open(const std::filesystem::path& dir, bool create,
                                               std::string_view prefix, bool durable) {
  if (create) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return make_error(EIO, "cannot create " + dir.string() + ": " + ec.message());
  } else if (::access((dir / "data.mdb").c_str(), F_OK) != 0) {
    return make_error(ENOENT, "no catalog at " + dir.string());
  }
  auto env = lmdb::Env::open(dir, kMapSize, 64, durable ? 0u : unsigned{MDB_NOSYNC});
  if (!env) return env.error();
  auto cat = std::make_unique<Catalog>(std::move(*env), std::string(prefix));
  auto txn = lmdb::Txn::begin(cat->env_, true);
  if (!txn) return txn.error();
  struct {
    const char* name;
    MDB_dbi* dbi;
  } tables[] = {{"meta", &cat->db_.meta},         {"nodes", &cat->db_.nodes},
                {"children", &cat->db_.children}, {"individuals", &cat->db_.individuals},
                {"uids", &cat->db_.uids},         {"objects", &cat->db_.objects},
                {"counters", &cat->db_.counters}, {"facets", &cat->db_.facets},
                {"stats", &cat->db_.stats},       {"stats_members", &cat->db_.stats_members}};
  for (auto& t : tables) {
    auto d = lmdb::open_dbi(*txn, t.name, true);
    if (!d) return d.error();
    *t.dbi = *d;
  }
  auto stored = txn->get(cat->db_.meta, "prefix");
  if (!stored) return stored.error();
  if (*stored) {
    cat->prefix_ = std::string(**stored);
  } else if (create) {
    OBIA_TRY(txn->put(cat->db_.meta, "prefix", prefix));
    OBIA_TRY(txn->put(cat->db_.meta, "schema", kSchema));
  } else {
    return make_error(EINVAL, "catalog at " + dir.string() + " is not initialised");
  }
  auto schema = txn->get(cat->db_.meta, "schema");
  if (!schema) return schema.error();
  if (!*schema || **schema != kSchema) {
    // Same transaction as the schema mark: a crash here leaves schema 1, migrated again.
    auto fixed = repair_totals(*txn, cat->db_.nodes);
    if (!fixed) return fixed.error();
    OBIA_TRY(txn->put(cat->db_.meta, "schema", kSchema));
  }
  // Statistics counters: counted once from the nodes on a catalog from before them (or one a
  // change left stale), in this transaction; kept by every write from then on.
  auto t = cat->aggregate_tables();
  auto kept = aggregates::kept(*txn, t);
  if (!kept) return kept.error();
  if (!*kept) {
    auto counted = aggregates::scan(*txn, t.nodes);
    if (!counted) return counted.error();
    OBIA_TRY(aggregates::rebuild(*txn, t, counted->first, counted->second));
  }
  OBIA_TRY(txn->commit());
  return cat;
}

aggregates::Tables Catalog::aggregate_tables() const {
  return {db_.nodes, db_.children, db_.stats, db_.stats_members, db_.meta};
}

Result<std::vector<std::string>> Catalog::check_aggregates() const {
  auto txn = lmdb::Txn::begin(env_, false);
  if (!txn) return txn.error();
  auto t = aggregate_tables();
  auto kept = aggregates::kept(*txn, t);
  if (!kept) return kept.error();
  if (!*kept)
    return std::vector<std::string>{
        "statistics counters are stale (rebuilt at the next open or by verify --repair)"};
  auto counted = aggregates::scan(*txn, t.nodes);
  if (!counted) return counted.error();
  std::vector<std::string> out;
  auto compare = [&out](const char* what, const aggregates::Counts& stored,
                        const aggregates::Counts& want) {
    aggregates::Counts all = want;
    for (auto& [k, v] : stored) all.emplace(k, 0);
    size_t differ = 0;
    for (auto& [k, v] : all) {
      auto s = stored.find(k);
      int64_t have = s == stored.end() ? 0 : s->second;
      if (have != v) ++differ;
    }
    if (differ)
      out.push_back(std::string(what) + ": " + std::to_string(differ) +
                    " kept counters differ from a count of the nodes");
  };
  auto counts = aggregates::read(*txn, t.counts);
  if (!counts) return counts.error();
  auto members = aggregates::read(*txn, t.members);
  if (!members) return members.error();
  compare("statistics", *counts, counted->first);
  compare("statistics members", *members, counted->second);
  return out;
}

Status Catalog::repair_aggregates() {
  auto txn = lmdb::Txn::begin(env_, true);
  if (!txn) return txn.error();
  auto t = aggregate_tables();
  auto counted = aggregates::scan(*txn, t.nodes);
  if (!counted) return counted.error();
  OBIA_TRY(aggregates::rebuild(*txn, t, counted->first, counted->second));
  return txn->commit();
}

uint64_t Catalog::version() const {
  MDB_envinfo info{};
  if (mdb_env_info(env_.get(), &info) != 0) return 0;
  return static_cast<uint64_t>(info.me_last_txnid);
}

Result<MDB_dbi> Catalog::table(const char* name) const {
  auto txn = lmdb::Txn::begin(env_, true);
  if (!txn) return txn.error();
  auto dbi = lmdb::open_dbi(*txn, name, true);
  if (!dbi) return dbi.error();
  OBIA_TRY(txn->commit());
  return *dbi;
}

Result<Node> Catalog::get(NodeId id) const {
  if (id == kRootId) {
    Node root;
    root.id = kRootId;
    return root;
  }
  auto txn = lmdb::Txn::begin(env_, false);
  if (!txn) return txn.error();
  return get_node(*txn, db_.nodes, id);
}

Result<std::optional<NodeId>> Catalog::lookup(NodeId parent, std::string_view name) const {
  auto txn = lmdb::Txn::begin(env_, false);
  if (!txn) return txn.error();
  return get_id(*txn, db_.children, be64(parent) + std::string(name));
}

Result<std::vector<Node>> Catalog::children(NodeId parent) const {
  auto txn = lmdb::Txn::begin(env_, false);
  if (!txn) return txn.error();
  std::vector<Node> out;
  OBIA_TRY(lmdb::scan_prefix(*txn, db_.children, be64(parent),
                             [&](std::string_view, std::string_view child) -> Status {
                               auto n = get_node(*txn, db_.nodes, from_be64(child));
                               if (!n) return n.error();
                               out.push_back(std::move(*n));
                               return {};
                             }));
  return out;
}

Result<std::vector<Node>> Catalog::collections() const { return children(kRootId); }

Result<std::optional<Node>> Catalog::collection_by_accession(std::string_view accession) const {
  auto id = lookup(kRootId, accession);
  if (!id) return id.error();
  if (!*id) return std::optional<Node>{};
  auto n = get(**id);
  if (!n) return n.error();
  return std::optional<Node>{std::move(*n)};
}

Result<std::optional<NodeId>> Catalog::find_uid(Kind kind, std::string_view uid) const {
  auto txn = lmdb::Txn::begin(env_, false);
  if (!txn) return txn.error();
  return get_id(*txn, db_.uids, uid_key(kind, uid));
}

Result<std::optional<NodeId>> Catalog::find_individual(NodeId collection,
                                                       const PatientKey& key) const {
  auto txn = lmdb::Txn::begin(env_, false);
  if (!txn) return txn.error();
  return get_id(
      *txn, db_.individuals,
      be64(collection) + std::string(reinterpret_cast<const char*>(key.data()), key.size()));
}

Result<Counters> Catalog::counters(NodeId collection) const {
  auto txn = lmdb::Txn::begin(env_, false);
  if (!txn) return txn.error();
  return get_counters(*txn, db_.counters, collection);
}

Status Catalog::for_each_image(const std::function<void(const Node&)>& fn) const {
  return for_each_image_after(make_id(Kind::Image, 0), fn);
}

Status Catalog::for_each_image_after(NodeId after,
                                     const std::function<void(const Node&)>& fn) const {
  auto txn = lmdb::Txn::begin(env_, false);
  if (!txn) return txn.error();
  auto cur = lmdb::Cursor::open(*txn, db_.nodes);
  if (!cur) return cur.error();
  std::string start = be64(std::max(after + 1, make_id(Kind::Image, 0)));
  auto more = cur->seek(start);
  for (; more.ok() && *more; more = cur->next()) {
    NodeId id = from_be64(cur->key());
    if (kind_of(id) != Kind::Image) break;
    auto n = decode(id, cur->value());
    if (!n) return make_error(EIO, "damaged catalog node " + std::to_string(id));
    fn(*n);
  }
  if (!more) return more.error();
  return {};
}

Result<NodeId> Catalog::last_image() const {
  auto txn = lmdb::Txn::begin(env_, false);
  if (!txn) return txn.error();
  auto v = txn->get(db_.meta, counter_key(Kind::Image));
  if (!v) return v.error();
  return *v ? make_id(Kind::Image, from_le64(**v)) : NodeId{0};
}

Result<std::vector<TotalsMismatch>> Catalog::check_series_totals() const {
  auto txn = lmdb::Txn::begin(env_, false);
  if (!txn) return txn.error();
  return totals_mismatches(*txn, db_.nodes);
}

Result<uint64_t> Catalog::repair_series_totals() {
  auto txn = lmdb::Txn::begin(env_, true);
  if (!txn) return txn.error();
  auto fixed = repair_totals(*txn, db_.nodes);
  if (!fixed) return fixed.error();
  OBIA_TRY(txn->commit());
  return *fixed;
}

Result<uint64_t> Catalog::object_refs(const store::ObjectId& id) const {
  auto txn = lmdb::Txn::begin(env_, false);
  if (!txn) return txn.error();
  auto v = txn->get(db_.objects, id.name());
  if (!v) return v.error();
  return *v ? from_le64(**v) : uint64_t{0};
}

Status Catalog::for_each_object_ref(
    const std::function<void(const store::ObjectId&, uint64_t)>& fn) const {
  auto txn = lmdb::Txn::begin(env_, false);
  if (!txn) return txn.error();
  auto cur = lmdb::Cursor::open(*txn, db_.objects);
  if (!cur) return cur.error();
  auto more = cur->first();
  for (; more.ok() && *more; more = cur->next()) {
    auto id = store::ObjectId::parse(cur->key());
    if (!id) return make_error(EIO, "damaged object reference in catalog");
    fn(*id, from_le64(cur->value()));
  }
  if (!more) return more.error();
  return {};
}

Result<Node> Catalog::create_collection(std::map<std::string, std::string> attrs, int64_t now) {
  auto txn = lmdb::Txn::begin(env_, true);
  if (!txn) return txn.error();
  auto n = next_counter(*txn, db_.meta, Kind::Collection);
  if (!n) return n.error();
  Node c;
  c.id = make_id(Kind::Collection, *n);
  c.parent = kRootId;
  c.accession = collection_accession(prefix_, *n);
  c.name = c.accession;
  c.created = now;
  c.attrs = std::move(attrs);
  OBIA_TRY(put_node(*txn, db_.nodes, c));
  OBIA_TRY(link_child(*txn, db_.children, kRootId, c.name, c.id));
  OBIA_TRY(txn->commit());
  return c;
}

Result<Node> Catalog::individual_for(NodeId collection, const PatientKey& key, int64_t now) {
  std::string k =
      be64(collection) + std::string(reinterpret_cast<const char*>(key.data()), key.size());
  {
    auto rtxn = lmdb::Txn::begin(env_, false);
    if (!rtxn) return rtxn.error();
    auto id = get_id(*rtxn, db_.individuals, k);
    if (!id) return id.error();
    if (*id) return get_node(*rtxn, db_.nodes, **id);
  }
  auto txn = lmdb::Txn::begin(env_, true);
  if (!txn) return txn.error();
  // Re-check under the writer lock: another worker may have reserved it meanwhile.
  auto id = get_id(*txn, db_.individuals, k);
  if (!id) return id.error();
  if (*id) return get_node(*txn, db_.nodes, **id);
  auto n = next_counter(*txn, db_.meta, Kind::Individual);
  if (!n) return n.error();
  Node ind;
  ind.id = make_id(Kind::Individual, *n);
  ind.parent = collection;
  ind.accession = individual_accession(*n);
  ind.name = ind.accession;
  ind.created = now;
  OBIA_TRY(put_node(*txn, db_.nodes, ind));
  OBIA_TRY(txn->put(db_.individuals, k, be64(ind.id)));
  OBIA_TRY(txn->commit());
  return ind;
}

namespace {

// Keeps the attributes (DICOM JSON objects keyed by tag) whose values equal in both.
std::string common_attributes(const std::string& current, const std::string& image) {
  if (current.empty()) return current;
  auto a = nlohmann::json::parse(current, nullptr, false);
  auto b = nlohmann::json::parse(image, nullptr, false);
  if (!a.is_object() || !b.is_object()) return std::string();
  nlohmann::json out = nlohmann::json::object();
  for (auto it = a.begin(); it != a.end(); ++it) {
    auto other = b.find(it.key());
    if (other != b.end() && *other == it.value()) out[it.key()] = it.value();
  }
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

uint64_t parse_image_number(std::string_view name) {
  uint64_t v = 0;
  std::from_chars(name.data(), name.data() + name.size(), v);
  return v;
}

}  // namespace

Result<CommitResult> Catalog::commit_image(const ImageCommit& c) {
  auto txn = lmdb::Txn::begin(env_, true);
  if (!txn) return txn.error();
  CommitResult res;

  // 1. Same SOP instance already archived?
  auto existing = get_id(*txn, db_.uids, uid_key(Kind::Image, c.sop_uid));
  if (!existing) return existing.error();
  if (*existing) {
    auto img = get_node(*txn, db_.nodes, **existing);
    if (!img) return img.error();
    res.image = img->id;
    res.status = img->object == c.object ? CommitStatus::Duplicate : CommitStatus::Conflict;
    if (res.status == CommitStatus::Duplicate) {
      OBIA_TRY(add_counters(*txn, db_.counters, c.collection, Counters{1, 0, 1, 0}));
      OBIA_TRY(txn->commit());
    }
    return res;
  }

  auto individual = get_node(*txn, db_.nodes, c.individual);
  if (!individual) return individual.error();
  const auto agg = aggregate_tables();
  aggregates::Delta delta;
  bool new_individual = false, new_study = false, new_series = false;

  // 2. Study: found by UID, or created under this individual.
  Node study;
  auto sid = get_id(*txn, db_.uids, uid_key(Kind::Study, c.study_uid));
  if (!sid) return sid.error();
  if (*sid) {
    auto s = get_node(*txn, db_.nodes, **sid);
    if (!s) return s.error();
    study = std::move(*s);
    if (study.parent != c.individual) {
      auto other = get_node(*txn, db_.nodes, study.parent);
      res.status = CommitStatus::MixedPatient;
      res.detail = "its study " + study.accession + " is archived under " +
                   (other ? other->accession : std::string("another individual")) +
                   ", but this file's patient is " + individual->accession;
      return res;
    }
  } else {
    auto n = next_counter(*txn, db_.meta, Kind::Study);
    if (!n) return n.error();
    study.id = make_id(Kind::Study, *n);
    study.parent = c.individual;
    study.accession = study_accession(*n);
    study.name = study.accession;
    study.uid = c.study_uid;
    study.created = c.now;
    study.attrs = c.study_attrs;
    OBIA_TRY(put_node(*txn, db_.nodes, study));
    OBIA_TRY(txn->put(db_.uids, uid_key(Kind::Study, c.study_uid), be64(study.id)));
    OBIA_TRY(link_child(*txn, db_.children, c.individual, study.name, study.id));
    new_study = true;
    // The individual becomes visible with its first study, which also gives its sex and age.
    auto listed = get_id(*txn, db_.children, be64(c.collection) + individual->name);
    if (!listed) return listed.error();
    new_individual = !*listed;
    OBIA_TRY(link_child(*txn, db_.children, c.collection, individual->name, individual->id));
    Node individual_before = *individual;
    bool changed = false;
    if (individual->attr("sex").empty() && !study.attr("sex").empty()) {
      individual->attrs["sex"] = study.attr("sex");
      changed = true;
    }
    int age = age_years(study.attr("age"));
    if (individual->attr("age").empty() && age >= 0) {
      individual->attrs["age"] = std::to_string(age);
      changed = true;
    }
    if (changed) {
      OBIA_TRY(put_node(*txn, db_.nodes, *individual));
      // Its earlier studies without a sex of their own now count under the new one.
      auto before = aggregates::demographics(*txn, agg, individual_before);
      if (!before) return before.error();
      auto after = aggregates::demographics(*txn, agg, *individual);
      if (!after) return after.error();
      if (!new_individual)
        OBIA_TRY(
            aggregates::move_individual(*txn, agg, delta, *individual, *before, *after, study.id));
    }
  }

  // 3. Series: found by UID, or created under the study with a unique name.
  Node series;
  auto rid = get_id(*txn, db_.uids, uid_key(Kind::Series, c.series_uid));
  if (!rid) return rid.error();
  if (*rid) {
    auto s = get_node(*txn, db_.nodes, **rid);
    if (!s) return s.error();
    series = std::move(*s);
    if (series.parent != study.id) {
      auto other = get_node(*txn, db_.nodes, series.parent);
      res.status = CommitStatus::MixedPatient;
      res.detail = "its series is archived under study " +
                   (other ? other->accession : std::string("another study")) +
                   ", but this file names study " + study.accession;
      return res;
    }
    if (!c.dicom_json.empty())
      series.attrs["_common"] = common_attributes(series.attr("_common"), c.dicom_json);
  } else {
    auto n = next_counter(*txn, db_.meta, Kind::Series);
    if (!n) return n.error();
    series.id = make_id(Kind::Series, *n);
    series.parent = study.id;
    series.uid = c.series_uid;
    series.created = c.now;
    series.attrs = c.series_attrs;
    std::string base = series_name(c.series_number, c.modality);
    series.name = base;
    for (int suffix = 2;; ++suffix) {
      auto taken = get_id(*txn, db_.children, be64(study.id) + series.name);
      if (!taken) return taken.error();
      if (!*taken) break;
      series.name = base + "-" + std::to_string(suffix);
    }
    OBIA_TRY(txn->put(db_.uids, uid_key(Kind::Series, c.series_uid), be64(series.id)));
    OBIA_TRY(link_child(*txn, db_.children, study.id, series.name, series.id));
    auto coll = get_node(*txn, db_.nodes, c.collection);
    if (!coll) return coll.error();
    OBIA_TRY(
        put_facets(*txn, db_.facets, series.id, series_facets(*coll, *individual, study, series)));
    series.attrs["_common"] = c.dicom_json;
    new_series = true;
  }

  // 4. Image: named by InstanceNumber when free, otherwise after the highest number used.
  uint64_t max_used = parse_image_number(series.attr("_max_image"));
  uint64_t number = c.instance_number > 0 && c.instance_number < 1000000000
                        ? static_cast<uint64_t>(c.instance_number)
                        : 0;
  if (number != 0) {
    auto taken = get_id(*txn, db_.children, be64(series.id) + image_name(number));
    if (!taken) return taken.error();
    if (*taken) number = 0;
  }
  if (number == 0) number = max_used + 1;
  if (number > max_used) series.attrs["_max_image"] = std::to_string(number);
  // The series' totals, in this transaction: a crash keeps them and the image together.
  SeriesTotals totals;
  if (*rid) {
    auto stored = stored_totals(series);
    if (!stored) {  // not expected after the schema-2 migration; recount rather than guess
      auto counted = series_totals(*txn, db_.children, db_.nodes, series.id);
      if (!counted) return counted.error();
      stored = *counted;
    }
    totals = *stored;
  }
  ++totals.images;
  totals.bytes += c.size;
  set_totals(series, totals);
  OBIA_TRY(put_node(*txn, db_.nodes, series));

  auto n = next_counter(*txn, db_.meta, Kind::Image);
  if (!n) return n.error();
  Node img;
  img.id = make_id(Kind::Image, *n);
  img.parent = series.id;
  img.name = image_name(number);
  img.uid = c.sop_uid;
  img.created = c.now;
  img.object = c.object;
  img.size = c.size;
  img.attrs = c.image_attrs;
  OBIA_TRY(put_node(*txn, db_.nodes, img));
  OBIA_TRY(txn->put(db_.uids, uid_key(Kind::Image, c.sop_uid), be64(img.id)));
  OBIA_TRY(link_child(*txn, db_.children, series.id, img.name, img.id));

  auto refs = txn->get(db_.objects, c.object.name());
  if (!refs) return refs.error();
  OBIA_TRY(txn->put(db_.objects, c.object.name(), le64((*refs ? from_le64(**refs) : 0) + 1)));
  OBIA_TRY(add_counters(*txn, db_.counters, c.collection, Counters{1, 1, 0, 0}));

  // Statistics counters, in this transaction too.
  auto who = aggregates::demographics(*txn, agg, *individual);
  if (!who) return who.error();
  aggregates::Place place;
  place.collection = c.collection;
  place.individual = individual->id;
  place.study = study.id;
  place.individual_sex = who->sex;
  place.individual_band = who->band;
  place.study_sex = study.attr("sex").empty() ? who->sex : aggregates::coded(study.attr("sex"));
  place.study_band = age_band(age_years(study.attr("age")));
  place.modality = aggregates::coded(series.attr("modality"));
  place.bodypart = aggregates::coded(series.attr("bodypart"));
  aggregates::add_image(delta, place, new_individual, new_study, new_series, c.size);
  if (new_series) OBIA_TRY(aggregates::add_series_members(*txn, agg, delta, place));
  OBIA_TRY(delta.apply(*txn, agg));
  OBIA_TRY(txn->commit());
  res.image = img.id;
  res.status = CommitStatus::Archived;
  return res;
}

Status Catalog::update_node_attrs(NodeId id, const std::map<std::string, std::string>& set) {
  auto txn = lmdb::Txn::begin(env_, true);
  if (!txn) return txn.error();
  auto n = get_node(*txn, db_.nodes, id);
  if (!n) return n.error();
  Node before = *n;
  for (auto& [k, v] : set) {
    if (v.empty())
      n->attrs.erase(k);
    else
      n->attrs[k] = v;
  }
  OBIA_TRY(put_node(*txn, db_.nodes, *n));
  const auto agg = aggregate_tables();
  if (n->kind() == Kind::Individual) {
    auto was = aggregates::demographics(*txn, agg, before);
    if (!was) return was.error();
    auto now = aggregates::demographics(*txn, agg, *n);
    if (!now) return now.error();
    aggregates::Delta delta;
    OBIA_TRY(aggregates::move_individual(*txn, agg, delta, *n, *was, *now));
    OBIA_TRY(delta.apply(*txn, agg));
  } else if (n->kind() == Kind::Study || n->kind() == Kind::Series) {
    // No writer changes these after the commit today; should one, the counters are recounted
    // at the next open rather than followed here.
    for (const char* key : {"sex", "age", "modality", "bodypart"})
      if (before.attr(key) != n->attr(key)) OBIA_TRY(aggregates::mark_stale(*txn, agg));
  }
  if (n->kind() == Kind::Individual || n->kind() == Kind::Collection) {
    // Facets come from these nodes too: re-index every series below.
    std::vector<Node> individuals;
    if (n->kind() == Kind::Individual) {
      individuals.push_back(*n);
    } else {
      auto cur = lmdb::Cursor::open(*txn, db_.children);
      if (!cur) return cur.error();
      std::string prefix = be64(id);
      for (auto more = cur->seek(prefix); more.ok() && *more; more = cur->next()) {
        if (cur->key().substr(0, 8) != prefix) break;
        auto ind = get_node(*txn, db_.nodes, from_be64(cur->value()));
        if (ind) individuals.push_back(*ind);
      }
    }
    auto coll_now = get_node(*txn, db_.nodes, n->kind() == Kind::Collection ? id : n->parent);
    if (!coll_now) return coll_now.error();
    Node coll_before = n->kind() == Kind::Collection ? before : *coll_now;
    for (const Node& ind : individuals) {
      Node ind_before = n->kind() == Kind::Individual ? before : ind;
      std::vector<std::pair<NodeId, NodeId>> study_series;
      auto studies = lmdb::Cursor::open(*txn, db_.children);
      if (!studies) return studies.error();
      std::vector<NodeId> study_ids;
      std::string ip = be64(ind.id);
      for (auto more = studies->seek(ip); more.ok() && *more; more = studies->next()) {
        if (studies->key().substr(0, 8) != ip) break;
        study_ids.push_back(from_be64(studies->value()));
      }
      for (NodeId sid : study_ids) {
        auto study = get_node(*txn, db_.nodes, sid);
        if (!study) return study.error();
        auto sc = lmdb::Cursor::open(*txn, db_.children);
        if (!sc) return sc.error();
        std::vector<NodeId> series_ids;
        std::string sp = be64(sid);
        for (auto more = sc->seek(sp); more.ok() && *more; more = sc->next()) {
          if (sc->key().substr(0, 8) != sp) break;
          series_ids.push_back(from_be64(sc->value()));
        }
        for (NodeId rid : series_ids) {
          auto series = get_node(*txn, db_.nodes, rid);
          if (!series) return series.error();
          OBIA_TRY(delete_facets(*txn, db_.facets, rid,
                                 series_facets(coll_before, ind_before, *study, *series)));
          OBIA_TRY(
              put_facets(*txn, db_.facets, rid, series_facets(*coll_now, ind, *study, *series)));
        }
      }
    }
  }
  return txn->commit();
}

Result<std::vector<NodeId>> Catalog::query_series(const std::vector<FacetTerm>& terms) const {
  auto txn = lmdb::Txn::begin(env_, false);
  if (!txn) return txn.error();
  std::vector<NodeId> result;
  bool first = true;
  for (const FacetTerm& t : terms) {
    auto ids = term_series(*txn, db_.facets, t);
    if (!ids) return ids.error();
    if (first) {
      result = std::move(*ids);
      first = false;
    } else {
      std::vector<NodeId> both;
      std::set_intersection(result.begin(), result.end(), ids->begin(), ids->end(),
                            std::back_inserter(both));
      result.swap(both);
    }
    if (result.empty()) break;
  }
  return result;
}

Result<std::map<std::string, uint64_t>> Catalog::facet_values(const std::string& key) const {
  auto txn = lmdb::Txn::begin(env_, false);
  if (!txn) return txn.error();
  return facet_counts(*txn, db_.facets, key);
}

Result<std::vector<std::string>> Catalog::facet_names() const {
  auto txn = lmdb::Txn::begin(env_, false);
  if (!txn) return txn.error();
  return facet_keys(*txn, db_.facets);
}

Status Catalog::count(NodeId collection, const Counters& delta) {
  auto txn = lmdb::Txn::begin(env_, true);
  if (!txn) return txn.error();
  OBIA_TRY(add_counters(*txn, db_.counters, collection, delta));
  return txn->commit();
}

}  // namespace obia::index
