// query/ listings and lookups over the catalog's facet indexes.
#include "fs/query.h"

#include <algorithm>

namespace obia::fs {
namespace {

struct stat link_attr(uint64_t ino, size_t target_size) {
  struct stat st {};
  st.st_ino = ino;
  st.st_mode = S_IFLNK | 0777;
  st.st_nlink = 1;
  st.st_size = static_cast<off_t>(target_size);
  st.st_mtime = st.st_ctime = st.st_atime = time(nullptr);
  return st;
}

struct stat query_dir_attr(uint64_t ino) {
  struct stat st {};
  st.st_ino = ino;
  st.st_mode = S_IFDIR | 0555;
  st.st_nlink = 2;
  return st;
}

std::string link_name(const std::string& path) {
  std::string n = path;
  std::replace(n.begin(), n.end(), '/', '_');
  return n;
}

// May the caller read series `id`? (Its collection's policy.)
bool visible(fuse_req_t req, Context& c, index::NodeId series, index::Caller& who, bool& groups) {
  auto coll = collection_of(c, series);
  if (!coll) return false;
  auto p = c.policy_cache.get(*coll);
  if (!p) return false;
  if (!p->controlled) return true;
  if (index::may_read(*p, who)) return true;
  if (!groups) {
    who = caller_of(req, true);
    groups = true;
    return index::may_read(*p, who);
  }
  return false;
}

std::string value_entry(const std::string& key, const std::string& stored, uint64_t n) {
  return index::display_value(key, stored) + " (" + std::to_string(n) + ")";
}

}  // namespace

bool valid_expr(const std::string& name) {
  if (name.size() >= 2 && name.back() == '=' && name.find('&') == std::string::npos) return true;
  return index::parse_query(name).ok();
}

Result<std::string> node_path(Context& c, index::NodeId id) {
  {
    std::lock_guard lock(c.node_paths_mu);
    if (auto it = c.node_paths.find(id); it != c.node_paths.end()) return it->second;
  }
  const index::NodeId key = id;
  std::string path;
  for (int i = 0; i < 6 && id != index::kRootId; ++i) {
    auto n = c.catalog->get(id);
    if (!n) return n.error();
    path = "/" + n->name + path;
    id = n->parent;
  }
  if (!path.empty()) path.erase(0, 1);
  std::lock_guard lock(c.node_paths_mu);
  if (c.node_paths.size() >= (1u << 20)) c.node_paths.clear();  // ~100 MB at most
  c.node_paths.emplace(key, path);
  return path;
}

Result<std::string> link_target(Context& c, uint64_t ino) {
  if (ino_kind(ino) == kSeriesLinkKind) {
    auto p = node_path(c, series_of_link(ino));
    if (!p) return p.error();
    return "../../" + *p;
  }
  auto p = c.path_table.get(ino);
  if (p && p->area == Area::Link) return p->rel;  // similar/ links carry their whole target
  if (!p || p->area != Area::ValueLink) return make_error(ENOENT, "stale link");
  return "../" + p->rel;
}

Status list_query_root(Context& c, DirHandle& d) {
  auto keys = c.catalog->facet_names();
  if (!keys) return keys.error();
  for (auto& k : *keys) {
    std::string name = k + "=";
    d.entries.push_back(DirEntry{name, query_dir_attr(c.path_table.ino_of(Area::Query, name)), true,
                                 AreaPath{Area::Query, name}});
  }
  return {};
}

Status list_query_dir(fuse_req_t req, Context& c, const std::string& expr, DirHandle& d) {
  index::Caller who = caller_of(req, false);
  bool groups = false;
  if (expr.back() == '=') {  // key=: the values present, with the caller's counts
    std::string key = expr.substr(0, expr.size() - 1);
    auto values = c.catalog->facet_values(key);
    if (!values) return values.error();
    for (auto& [stored, _] : *values) {
      auto ids = c.catalog->query_series({index::FacetTerm{key, stored, std::nullopt}});
      if (!ids) return ids.error();
      uint64_t n = 0;
      for (auto id : *ids) n += visible(req, c, id, who, groups) ? 1 : 0;
      if (n == 0) continue;
      std::string target = key + "=" + index::display_value(key, stored);
      uint64_t ino = c.path_table.ino_of(Area::ValueLink, target);
      d.entries.push_back(DirEntry{value_entry(key, stored, n), link_attr(ino, target.size() + 3),
                                   true, AreaPath{Area::ValueLink, target}});
    }
    return {};
  }
  auto terms = index::parse_query(expr);
  if (!terms) return terms.error();
  auto ids = c.catalog->query_series(*terms);
  if (!ids) return ids.error();
  for (auto id : *ids) {
    if (!visible(req, c, id, who, groups)) continue;
    auto path = node_path(c, id);
    if (!path) continue;
    d.entries.push_back(
        DirEntry{link_name(*path), link_attr(series_link_ino(id), path->size() + 6), false, {}});
  }
  return {};
}

Result<uint64_t> lookup_query_entry(fuse_req_t req, Context& c, const std::string& expr,
                                    const std::string& name) {
  // Listings are small next to the cost of a lookup round trip: find the entry by listing.
  DirHandle d;
  OBIA_TRY(list_query_dir(req, c, expr, d));
  for (auto& e : d.entries) {
    if (e.name != name) continue;
    if (e.area) return c.path_table.ref(e.path.area, e.path.rel);
    return static_cast<uint64_t>(e.attr.st_ino);
  }
  return make_error(ENOENT, "no such entry");
}

}  // namespace obia::fs
