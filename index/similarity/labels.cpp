// Label collection from catalog fields or a TSV file.
#include "index/similarity/labels.h"

#include <fstream>
#include <map>
#include <set>

namespace obia::similarity {
namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\n')) s.pop_back();
  size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}

Result<std::map<std::string, std::string>> read_tsv(const std::filesystem::path& tsv) {
  std::ifstream in(tsv);
  if (!in) return make_error(ENOENT, "cannot read " + tsv.string());
  std::map<std::string, std::string> out;
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    auto tab = line.find('\t');
    if (tab == std::string::npos)
      return make_error(EINVAL, tsv.string() + ":" + std::to_string(n) + ": expected PATH<TAB>LABEL");
    std::string path = trim(line.substr(0, tab)), label = trim(line.substr(tab + 1));
    if (n == 1 && path == "path") continue;  // header
    while (path.rfind("./", 0) == 0) path.erase(0, 2);
    while (!path.empty() && path[0] == '/') path.erase(0, 1);
    if (!path.empty() && !label.empty()) out[path] = label;
  }
  return out;
}

}  // namespace

Result<LabeledImages> collect_labels(const index::Catalog& catalog, ImageInfo& info,
                                     const std::string& field, const std::filesystem::path& tsv) {
  std::map<std::string, std::string> by_path;
  if (!tsv.empty()) {
    auto t = read_tsv(tsv);
    if (!t) return t.error();
    by_path = std::move(*t);
  } else if (!known_field(field)) {
    return make_error(EINVAL, "unknown label field '" + field +
                                  "' (disease, modality, bodypart, collection, title, description, "
                                  "manufacturer, clinical:<column>)");
  }
  std::vector<index::Node> images;
  OBIA_TRY(catalog.for_each_image([&](const index::Node& n) { images.push_back(n); }));
  LabeledImages out;
  std::vector<std::string> names;
  std::set<std::string> matched;
  for (auto& img : images) {
    std::optional<std::string> label;
    if (!tsv.empty()) {
      auto p = info.path(img);
      if (!p) return p.error();
      if (auto it = by_path.find(*p); it != by_path.end()) {
        label = it->second;
        matched.insert(*p);
      }
    } else {
      auto f = info.field(img, field);
      if (!f) return f.error();
      label = std::move(*f);
    }
    if (!label) {
      ++out.unlabeled;
      continue;
    }
    out.images.push_back(std::move(img));
    names.push_back(std::move(*label));
  }
  out.unknown_paths = by_path.size() - matched.size();
  if (out.images.empty()) {
    if (!tsv.empty()) return make_error(ENOENT, "no archived image is named in " + tsv.string());
    if (field.rfind("clinical:", 0) == 0)
      return make_error(ENOTSUP, "no individual has the clinical field '" + field.substr(9) +
                                     "' (import it with 'obiactl clinical import', or use --labels FILE.tsv)");
    return make_error(ENOENT, "no archived image has a '" + field + "' value");
  }
  std::set<std::string> classes(names.begin(), names.end());
  out.classes.assign(classes.begin(), classes.end());
  std::map<std::string, int> index;
  for (size_t i = 0; i < out.classes.size(); ++i) index[out.classes[i]] = static_cast<int>(i);
  for (auto& n : names) out.labels.push_back(index[n]);
  return out;
}

}  // namespace obia::similarity
