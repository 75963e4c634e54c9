// The archive catalog in LMDB: collections, individuals, studies, series and images as Nodes;
// parent->children listings (readdir) and name->child lookups; keyed HMAC -> individual;
// remapped UIDs -> nodes; object reference counts; per-collection ingest counters; accession
// counters that never go back; per-series image and byte totals. Every method runs in its own
// transaction; commit_image() writes all of one file's entries (the series' totals included) in
// a single write transaction.
// Thread-safe: any thread may call any method (LMDB serialises writers).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "index/aggregates.h"
#include "index/facets.h"
#include "index/lmdb.h"
#include "index/node.h"

namespace obia::index {

// HMAC(secret, PatientID); the ID itself is never stored.
using PatientKey = std::array<uint8_t, 32>;

struct Counters {
  uint64_t submitted = 0, archived = 0, duplicates = 0, quarantined = 0;
};

struct ImageCommit {
  NodeId collection = 0;
  NodeId individual = 0;                       // from individual_for()
  std::string study_uid, series_uid, sop_uid;  // remapped
  std::map<std::string, std::string> study_attrs, series_attrs, image_attrs;
  int64_t series_number = 0;
  std::string modality;
  int64_t instance_number = 0;  // <= 0 when absent
  store::ObjectId object;
  uint64_t size = 0;
  int64_t now = 0;
  // Top-level attributes of the de-identified image in the DICOM JSON model (PS3.18 F.2),
  // bulk data left out; the series keeps those common to all its images.
  std::string dicom_json;
};

enum class CommitStatus { Archived, Duplicate, Conflict, MixedPatient };

// Images and bytes below one series, kept on the series node (attributes "_images" and
// "_bytes") by commit_image() so that statistics need not read the image nodes.
struct SeriesTotals {
  uint64_t images = 0, bytes = 0;
  bool operator==(const SeriesTotals&) const = default;
};
// The totals stored on a series node; nullopt when absent or unreadable.
std::optional<SeriesTotals> stored_totals(const Node& series);

struct TotalsMismatch {
  NodeId series = 0;
  std::optional<SeriesTotals> stored;  // nullopt: the series has none
  SeriesTotals counted;
};

struct CommitResult {
  CommitStatus status = CommitStatus::Archived;
  NodeId image = 0;    // the new image, or the existing one for Duplicate/Conflict
  std::string detail;  // for MixedPatient: names both individuals' accessions
};

class Catalog {
 public:
  // `dir` is the LMDB environment directory (created when `create`).
  // `durable` = false skips the fsync at each commit (benchmarks and bulk tools only: a crash
  // may then lose the last commits).
  // A catalog of schema 1 (before series totals) is migrated in the opening transaction: the
  // totals are counted from the image nodes once (0.3 s at a million images in bench_catalog).
  static Result<std::unique_ptr<Catalog>> open(const std::filesystem::path& dir, bool create,
                                               std::string_view prefix = "OBIA",
                                               bool durable = true);

  // ---- reads
  Result<Node> get(NodeId id) const;
  Result<std::optional<NodeId>> lookup(NodeId parent, std::string_view name) const;
  // Children of `parent` sorted by name (full nodes, for readdirplus).
  Result<std::vector<Node>> children(NodeId parent) const;
  Result<std::vector<Node>> collections() const;
  Result<std::optional<Node>> collection_by_accession(std::string_view accession) const;
  Result<std::optional<NodeId>> find_uid(Kind kind, std::string_view uid) const;
  // The individual of `key` in `collection`, reserved ones included (a reserved individual has
  // no study and is not in the tree); never creates one, unlike individual_for().
  Result<std::optional<NodeId>> find_individual(NodeId collection, const PatientKey& key) const;
  Result<Counters> counters(NodeId collection) const;
  // Every image node, in id order (verify, stats).
  Status for_each_image(const std::function<void(const Node&)>& fn) const;
  // Images with an id above `after`, in id order: ids grow with each commit, so these are the
  // images archived since `after` was the newest (reader mounts follow the writer this way).
  Status for_each_image_after(NodeId after, const std::function<void(const Node&)>& fn) const;
  // The newest image's id (0 when there is none).
  Result<NodeId> last_image() const;
  // Series whose stored totals differ from a recount of their images, in one read transaction
  // (one pass over every image node: for verify, not for serving).
  Result<std::vector<TotalsMismatch>> check_series_totals() const;
  // Tables of the statistics counters kept by every write (aggregates.h; compute_stats).
  aggregates::Tables aggregate_tables() const;
  // Kept statistics counters that differ from a full count of the nodes, as readable lines
  // (verify); empty when they agree.
  Result<std::vector<std::string>> check_aggregates() const;
  Result<uint64_t> object_refs(const store::ObjectId& id) const;
  Status for_each_object_ref(const std::function<void(const store::ObjectId&, uint64_t)>& fn) const;
  const std::string& prefix() const { return prefix_; }
  // Id of the last committed transaction: changes whenever anything in the catalog changes
  // (cheap: no transaction), so derived views can be cached against it.
  uint64_t version() const;
  // Extra tables for feature modules (policies, audit, hash codes, facets) in the same LMDB
  // environment, so their writes can share transactions semantics and crash safety.
  const lmdb::Env& env() const { return env_; }
  Result<MDB_dbi> table(const char* name) const;

  // ---- writes
  Result<Node> create_collection(std::map<std::string, std::string> attrs, int64_t now);
  // Finds or reserves the individual of `key` in `collection`. A reserved individual becomes
  // visible in the tree with its first archived image.
  Result<Node> individual_for(NodeId collection, const PatientKey& key, int64_t now);
  Result<CommitResult> commit_image(const ImageCommit& c);
  Status count(NodeId collection, const Counters& delta);
  // Recounts every series' totals and rewrites those that differ, in one write transaction
  // (so no commit can slip in between); returns how many were rewritten.
  Result<uint64_t> repair_series_totals();
  // Recounts the statistics counters from the nodes and replaces them (one write transaction).
  Status repair_aggregates();
  // Sets attributes of any node (clinical values of individuals, collection metadata); an
  // individual's series get their facets re-indexed in the same transaction.
  Status update_node_attrs(NodeId id, const std::map<std::string, std::string>& set);

  // ---- search (facets)
  Result<std::vector<NodeId>> query_series(const std::vector<FacetTerm>& terms) const;
  Result<std::map<std::string, uint64_t>> facet_values(const std::string& key) const;
  Result<std::vector<std::string>> facet_names() const;

  Catalog(lmdb::Env env, std::string prefix) : env_(std::move(env)), prefix_(std::move(prefix)) {}

 private:
  struct Dbis {
    MDB_dbi meta, nodes, children, individuals, uids, objects, counters, facets, stats,
        stats_members;
  } db_{};
  lmdb::Env env_;
  std::string prefix_;
};

}  // namespace obia::index
