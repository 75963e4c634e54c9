// obiactl find: the facet search of query/ for pipelines; prints paths relative to the mount.
#include <grp.h>
#include <pwd.h>

#include <CLI/CLI.hpp>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "daemon/ctl.h"
#include "daemon/ctl_time.h"
#include "index/facets.h"
#include "index/policy.h"

namespace obia::ctl {
namespace {

struct Opts {
  std::string archive, as_user;
  std::map<std::string, std::string> facets;  // key -> value
  std::vector<std::string> where;             // key=value (clinical columns, anything)
  bool json = false, images = false;
};

Result<std::string> path_of(const index::Catalog& cat, index::NodeId id) {
  std::string path;
  for (int i = 0; i < 6 && id != index::kRootId; ++i) {
    auto n = cat.get(id);
    if (!n) return n.error();
    path = "/" + n->name + path;
    id = n->parent;
  }
  return path.empty() ? path : path.substr(1);
}

int cmd_find(const Opts& o) {
  auto a = open_archive(o.archive);
  if (!a) return fail(a.error().message);
  std::string expr;
  for (auto& [k, v] : o.facets)
    if (!v.empty()) expr += (expr.empty() ? "" : "&") + k + "=" + v;
  for (auto& w : o.where) expr += (expr.empty() ? "" : "&") + w;
  if (expr.empty()) return fail("give at least one search term, e.g. --modality CT");
  auto terms = index::parse_query(expr);
  if (!terms) return fail("bad search: " + terms.error().message + " in '" + expr + "'");
  auto ids = a->catalog->query_series(*terms);
  if (!ids) return fail(ids.error().message);

  // --as-user: only what that user may read (the mount's query/ does this for its caller).
  std::optional<index::Caller> who;
  std::optional<index::PolicyStore> policies;
  if (!o.as_user.empty()) {
    auto uid = resolve_user(o.as_user);
    if (!uid) return fail(uid.error().message);
    index::Caller c;
    c.uid = *uid;
    if (passwd* pw = ::getpwuid(*uid)) {
      c.gid = pw->pw_gid;
      int n = 256;
      std::vector<gid_t> groups(256);
      if (::getgrouplist(pw->pw_name, pw->pw_gid, groups.data(), &n) >= 0)
        for (int i = 0; i < n; ++i) c.groups.push_back(groups[i]);
    }
    who = c;
    auto p = index::PolicyStore::open(*a->catalog);
    if (!p) return fail(p.error().message);
    policies.emplace(std::move(*p));
  }
  nlohmann::json out = nlohmann::json::array();
  size_t n = 0;
  for (auto id : *ids) {
    auto path = path_of(*a->catalog, id);
    if (!path) continue;
    if (who) {
      auto coll = a->catalog->collection_by_accession(path->substr(0, path->find('/')));
      if (!coll || !*coll) continue;
      auto p = policies->policy((*coll)->id, std::time(nullptr));
      if (!p || !index::may_read(*p, *who)) continue;
    }
    std::vector<std::string> lines{*path};
    if (o.images) {
      lines.clear();
      auto imgs = a->catalog->children(id);
      if (!imgs) continue;
      for (auto& img : *imgs) lines.push_back(*path + "/" + img.name);
    }
    for (auto& l : lines) {
      ++n;
      if (o.json) out.push_back(l);
      else std::cout << l << "\n";
    }
  }
  if (o.json) std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  std::cerr << n << (o.images ? " image(s)" : " series") << "\n";
  return 0;
}

}  // namespace

void register_search_commands(CLI::App& app, int& rc) {
  auto o = std::make_shared<Opts>();
  auto* find = app.add_subcommand("find", "search series (or images) by facets; paths relative to the mount");
  find->add_option("ARCHIVE", o->archive)->required();
  for (const auto& key : index::kBaseFacets) {
    std::string help = key == "age" ? "age at study in years: 45 or a range 40-60" : key;
    find->add_option("--" + key, o->facets[key], help);
  }
  find->add_option("--where", o->where, "any key=value term, e.g. a clinical column: --where stage=II");
  find->add_flag("--images", o->images, "print image paths instead of series paths");
  find->add_flag("--json", o->json, "JSON array output");
  find->add_option("--as-user", o->as_user, "only what this user may read");
  find->footer(
      "Examples:\n"
      "  obiactl find /srv/archive --modality CT --sex F --age 40-60\n"
      "  obiactl find /srv/archive --collection OBIA0002 --images | sed 's|^|/mnt/obia/|' > train.txt\n"
      "  obiactl find /srv/archive --where smoker=yes --json");
  find->callback([&rc, o] { rc = cmd_find(*o); });
}

}  // namespace obia::ctl
