// Labels for training and evaluation: a catalog field of each image (see ImageInfo::field)
// or a TSV file of "relative/path.dcm<TAB>label" lines. Images without a label are skipped.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/result.h"
#include "index/catalog.h"
#include "index/similarity/image_info.h"

namespace obia::similarity {

struct LabeledImages {
  std::vector<index::Node> images;
  std::vector<int> labels;           // index into classes, one per image
  std::vector<std::string> classes;  // sorted
  size_t unlabeled = 0;              // images skipped for want of a label
  size_t unknown_paths = 0;          // TSV lines naming no archived image
};

// `tsv` empty: labels from `field`. Errors name the field and what is missing.
Result<LabeledImages> collect_labels(const index::Catalog& catalog, ImageInfo& info,
                                     const std::string& field, const std::filesystem::path& tsv);

}  // namespace obia::similarity
