// Recomputing every code with a (new) hasher as the next generation, then switching to it
// atomically: the running daemon keeps serving the old generation until the switch, then
// reloads (similarity_service.h). Safe to interrupt: an unfinished generation is cleared by
// the next run. One reindex at a time per archive (flock on similarity/reindex.lock).
#pragma once

#include <functional>
#include <string>

#include "common/result.h"
#include "index/catalog.h"
#include "index/similarity/hash_index.h"
#include "store/archive.h"
#include "store/object_store.h"

namespace obia::similarity {

struct ReindexOptions {
  std::string spec;  // empty: the installed model (model.json), else the training-free default
  int threads = 0;   // decoding threads (0: one per core)
  IndexPolicy policy;
  std::optional<IndexKind> kind;  // force an index kind instead of the policy's choice
};

struct ReindexReport {
  uint64_t generation = 0;
  std::string spec;
  size_t images = 0, coded = 0, no_pixels = 0, failed = 0;
  IndexKind kind = IndexKind::Flat;
  double seconds = 0;
};

Result<ReindexReport> reindex(const store::ArchivePaths& paths, const index::Catalog& catalog,
                              const store::ObjectStore& objects, const ReindexOptions& options,
                              const std::function<void(const std::string& stage, size_t done,
                                                       size_t total)>& progress = {});

}  // namespace obia::similarity
