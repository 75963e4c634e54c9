// The ingest pipeline for one staged file (ARCHITECTURE §8), as a straight line of stages:
// size check -> parse -> basic QC -> individual -> de-identify + verify -> serialise ->
// residual byte check -> duplicate/conflict/mixed checks -> object write -> catalog commit.
// Any rejection moves the file to quarantine with its reason; success removes it from staging.
#pragma once

#include <filesystem>
#include <functional>
#include <vector>
#include <string>

#include "deid/keyed_hash.h"
#include "index/catalog.h"
#include "ingest/outcome.h"
#include "ingest/qc_basic.h"
#include "store/archive.h"
#include "store/object_store.h"

namespace obia::ingest {

struct Job {
  std::string collection;          // accession, e.g. OBIA0001
  std::filesystem::path relpath;   // relative to staging/<collection>/
};

// Extension points: quality-control stages and post-archive steps plug in here, so the
// pipeline stays one straight line. A check returns Reason::None to pass; it may add warnings.
struct CheckContext {
  const Job& job;
  const index::Catalog& catalog;
  index::NodeId collection;
  std::vector<std::string>& warnings;
};
using Check = std::function<QcResult(DcmFileFormat& file, CheckContext& context)>;

struct PipelineHooks {
  std::vector<Check> before_deid;  // on the parsed original, after basic QC
  std::vector<Check> after_deid;   // on the de-identified dataset, before it is serialised
  // After the catalog commit of a new image (e.g. similarity hash codes). Errors are logged by
  // the hook; the image stays archived.
  std::function<void(index::NodeId image, DcmFileFormat& deidentified)> archived;
  // After every processed file, whatever its outcome (e.g. the QC report's per-submission log).
  std::function<void(const Job& job, index::NodeId collection, const Outcome& outcome)> finished;
};

struct PipelineOptions {
  uint64_t max_file_bytes = uint64_t{4} << 30;
};

class Pipeline {
 public:
  Pipeline(store::ArchivePaths paths, index::Catalog& catalog, const store::ObjectStore& objects,
           deid::Secret secret, PipelineOptions options = {}, PipelineHooks hooks = {});
  // Processes the job to completion: the staged file ends archived (and removed), counted as a
  // duplicate (and removed), or quarantined. Never throws.
  Outcome process(const Job& job);

 private:
  Outcome run_stages(const Job& job, index::NodeId collection);
  Outcome finish(const Job& job, index::NodeId collection, Outcome outcome);
  store::ArchivePaths paths_;
  index::Catalog& catalog_;
  const store::ObjectStore& objects_;
  deid::Secret secret_;
  PipelineOptions options_;
  PipelineHooks hooks_;
};

}  // namespace obia::ingest
