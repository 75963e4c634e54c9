// The ingest pipeline for one staged file (ARCHITECTURE §8), as a straight line of stages:
// size check -> parse -> basic QC -> individual -> de-identify + verify -> serialise ->
// residual byte check -> duplicate/conflict/mixed checks -> object write -> catalog commit.
// Any rejection moves the file to quarantine with its reason; success removes it from staging.
#pragma once

#include <filesystem>
#include <string>

#include "deid/keyed_hash.h"
#include "index/catalog.h"
#include "ingest/outcome.h"
#include "store/archive.h"
#include "store/object_store.h"

namespace obia::ingest {

struct Job {
  std::string collection;          // accession, e.g. OBIA0001
  std::filesystem::path relpath;   // relative to staging/<collection>/
};

struct PipelineOptions {
  uint64_t max_file_bytes = uint64_t{4} << 30;
};

class Pipeline {
 public:
  Pipeline(store::ArchivePaths paths, index::Catalog& catalog, const store::ObjectStore& objects,
           deid::Secret secret, PipelineOptions options = {});
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
};

}  // namespace obia::ingest
