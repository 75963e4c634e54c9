// What the similarity code needs to know about an image beyond its code: its path in the tree
// and descriptive fields inherited from its series and collection (labels for train/eval).
// Ancestors are cached (series, studies, individuals and collections are few and immutable
// in the fields used here). Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "common/result.h"
#include "index/catalog.h"

namespace obia::similarity {

class ImageInfo {
 public:
  explicit ImageInfo(const index::Catalog& catalog) : catalog_(catalog) {}

  // "OBIA0001/I000001/S00000001/001_CT/000001.dcm"
  Result<std::string> path(index::NodeId image);
  Result<std::string> path(const index::Node& image);
  // A field of the image's series (modality, bodypart, description, manufacturer), its
  // collection (disease, title; "collection" gives the accession) or its individual
  // ("clinical:<column>": the individual's attribute "clinical.<column>" written by
  // `obiactl clinical import`, or its plain attribute such as "sex"). nullopt when absent.
  Result<std::optional<std::string>> field(const index::Node& image, const std::string& name);
  // The collection accession an image belongs to.
  Result<std::string> collection(const index::Node& image);

 private:
  Result<index::Node> ancestor(index::NodeId id);
  const index::Catalog& catalog_;
  std::mutex mu_;
  std::map<index::NodeId, index::Node> cache_;
};

// Field names accepted by field() (for --help texts and argument checks).
bool known_field(const std::string& name);

}  // namespace obia::similarity
