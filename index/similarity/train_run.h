// `obiactl similarity train`: labels from the archive, images decoded in parallel, a
// stratified held-out split, the training-free baseline on the same split, training, and
// installation of the model as the hasher of the next reindex.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "common/result.h"
#include "index/catalog.h"
#include "index/similarity/trainer.h"
#include "store/archive.h"
#include "store/object_store.h"

namespace obia::similarity {

struct TrainRequest {
  std::string field = "disease";
  std::filesystem::path labels_tsv;  // overrides field when set
  TrainOptions options;
  double holdout = 0.2;         // fraction of each class kept out of training
  size_t max_images = 20000;    // stratified subsample above this
  std::filesystem::path output; // also copy the model here (optional)
  bool install = true;
};

struct TrainSummary {
  size_t images = 0, classes = 0, train = 0, heldout = 0, skipped = 0;
  double baseline_map = 0, baseline_precision = 0;  // training-free code, same split
  EpochReport final;
  std::string spec;  // installed spec (empty when not installed)
  std::filesystem::path model;
};

// `say` receives human-readable progress lines (the command prints them on stderr).
Result<TrainSummary> train_archive(const store::ArchivePaths& paths, const index::Catalog& catalog,
                                   const store::ObjectStore& objects, const TrainRequest& request,
                                   const std::function<void(const std::string&)>& say);

}  // namespace obia::similarity
