// `obiactl similarity eval`: leave-one-out retrieval quality over the labelled images
// (mAP@k, precision@k; evaluate.h) and query latency through the similarity service.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "common/result.h"
#include "index/catalog.h"
#include "index/similarity/evaluate.h"
#include "index/similarity/hash_index.h"
#include "store/archive.h"
#include "store/object_store.h"

namespace obia::similarity {

struct EvalRequest {
  std::string field = "disease";
  std::filesystem::path labels_tsv;
  size_t k = 30;
  // Empty: the archive's stored codes (what similar/ serves). Otherwise a hasher spec, or
  // "installed" (model.json), whose codes are computed in memory only, for comparisons.
  std::string spec;
  size_t latency_queries = 1000;
};

struct EvalSummary {
  std::string spec;
  size_t labelled = 0, classes = 0, scored = 0, missing = 0;  // missing: no code (reindex)
  RetrievalScore score;
  Percentiles latency_ms;   // similar_to (stored codes) or index search (spec given)
  std::string latency_what;
  IndexKind kind = IndexKind::Flat;
  size_t indexed = 0;
};

Result<EvalSummary> eval_archive(const store::ArchivePaths& paths, const index::Catalog& catalog,
                                 const store::ObjectStore& objects, const EvalRequest& request,
                                 const std::function<void(const std::string&)>& say);

}  // namespace obia::similarity
