// Link names and relative link targets for similar/ folders.
#include "index/similarity/link_name.h"

#include <algorithm>
#include <cstdio>

namespace obia::similarity {

std::string link_name(size_t rank, uint32_t distance, const std::string& target_rel_path) {
  char head[48];
  std::snprintf(head, sizeof head, "%02zu_d%02u_", rank, static_cast<unsigned>(distance));
  std::string flat = target_rel_path;
  while (!flat.empty() && flat.front() == '/') flat.erase(flat.begin());
  std::replace(flat.begin(), flat.end(), '/', '_');
  return head + flat;
}

std::string link_target(const std::string& link_dir_rel, const std::string& target_rel_path) {
  std::string out;
  size_t start = 0;
  while (start < link_dir_rel.size()) {
    size_t slash = link_dir_rel.find('/', start);
    if (slash == std::string::npos) slash = link_dir_rel.size();
    if (slash > start && link_dir_rel.compare(start, slash - start, ".") != 0) out += "../";
    start = slash + 1;
  }
  std::string target = target_rel_path;
  while (!target.empty() && target.front() == '/') target.erase(target.begin());
  return out + target;
}

}  // namespace obia::similarity
