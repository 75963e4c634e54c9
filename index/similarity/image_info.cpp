// Image paths and inherited descriptive fields, through cached ancestors.
#include "index/similarity/image_info.h"

namespace obia::similarity {

bool known_field(const std::string& name) {
  static const char* names[] = {"disease", "modality", "bodypart", "collection", "title",
                                "description", "manufacturer"};
  for (const char* n : names)
    if (name == n) return true;
  return name.rfind("clinical:", 0) == 0 && name.size() > 9;
}

Result<index::Node> ImageInfo::ancestor(index::NodeId id) {
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(id); it != cache_.end()) return it->second;
  }
  auto n = catalog_.get(id);
  if (!n) return n.error();
  std::lock_guard lock(mu_);
  cache_.emplace(id, *n);
  return std::move(*n);
}

Result<std::string> ImageInfo::path(index::NodeId image) {
  auto n = catalog_.get(image);
  if (!n) return n.error();
  return path(*n);
}

Result<std::string> ImageInfo::path(const index::Node& image) {
  std::string out = image.name;
  index::NodeId up = image.parent;
  for (int depth = 0; depth < 4; ++depth) {  // series, study, individual, collection
    auto a = ancestor(up);
    if (!a) return a.error();
    out = a->name + "/" + out;
    up = a->parent;
  }
  return out;
}

Result<std::string> ImageInfo::collection(const index::Node& image) {
  index::NodeId up = image.parent;
  for (int depth = 0; depth < 4; ++depth) {
    auto a = ancestor(up);
    if (!a) return a.error();
    if (a->kind() == index::Kind::Collection) return a->accession.empty() ? a->name : a->accession;
    up = a->parent;
  }
  return make_error(EIO, "image " + image.name + " has no collection");
}

Result<std::optional<std::string>> ImageInfo::field(const index::Node& image,
                                                    const std::string& name) {
  auto found = [](std::string v) {
    return v.empty() ? std::optional<std::string>{} : std::optional<std::string>{std::move(v)};
  };
  // Walk up: series (1), study (2), individual (3), collection (4).
  index::NodeId up = image.parent;
  for (int depth = 1; depth <= 4; ++depth) {
    auto a = ancestor(up);
    if (!a) return a.error();
    switch (a->kind()) {
      case index::Kind::Series:
        if (name == "modality" || name == "bodypart" || name == "description" ||
            name == "manufacturer")
          return found(a->attr(name));
        break;
      case index::Kind::Individual:
        if (name.rfind("clinical:", 0) == 0) {
          std::string column = name.substr(9);
          std::string v = a->attr("clinical." + column);  // obiactl clinical import
          return found(v.empty() ? a->attr(column) : v);
        }
        break;
      case index::Kind::Collection:
        if (name == "collection") return found(a->accession.empty() ? a->name : a->accession);
        if (name == "disease" || name == "title") return found(a->attr(name));
        break;
      default: break;
    }
    up = a->parent;
  }
  return std::optional<std::string>{};
}

}  // namespace obia::similarity
