// obiactl init and collection create|list|set.
#include <unistd.h>

#include <cctype>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "daemon/ctl.h"
#include "daemon/ctl_time.h"
#include "deid/profile.h"

namespace obia::ctl {

int fail(const std::string& message) {
  std::cerr << "obiactl: " << message << "\n";
  return 1;
}

Result<OpenArchive> open_archive(const std::string& path) {
  OpenArchive a;
  auto paths = store::open_archive(path);
  if (!paths) return paths.error();
  a.paths = *paths;
  auto cat = index::Catalog::open(a.paths.catalog(), false);
  if (!cat) return cat.error();
  a.catalog = std::move(*cat);
  auto objects = store::ObjectStore::open(a.paths.root);
  if (!objects) return objects.error();
  a.objects.emplace(std::move(*objects));
  return a;
}

Result<index::Node> find_collection(OpenArchive& a, const std::string& accession) {
  auto c = a.catalog->collection_by_accession(accession);
  if (!c) return c.error();
  if (!*c) return make_error(ENOENT, "no collection " + accession + " (obiactl collection list)");
  return **c;
}

Result<std::map<std::string, std::string>> link_attrs(const std::vector<std::string>& pairs) {
  std::map<std::string, std::string> out;
  for (auto& p : pairs) {
    auto eq = p.find('=');
    std::string name = p.substr(0, eq);
    bool name_ok = eq != std::string::npos && !name.empty();
    for (unsigned char ch : name)
      if (!std::isalnum(ch) && ch != '_' && ch != '-' && ch != '.') name_ok = false;
    if (!name_ok)
      return make_error(EINVAL,
                        "--link wants NAME=URL with NAME of letters, digits, '_', '-' or "
                        "'.', e.g. BioProject=https://www.ncbi.nlm.nih.gov/bioproject/1; "
                        "got '" +
                            p + "'");
    out["link." + name] = p.substr(eq + 1);
  }
  return out;
}

int cmd_init(const std::string& archive, const std::string& prefix) {
  store::ArchivePaths paths{std::filesystem::absolute(archive)};
  if (auto s = store::init_archive(paths, prefix); !s) return fail(s.error().message);
  auto cat = index::Catalog::open(paths.catalog(), true, prefix);
  if (!cat) return fail(cat.error().message);
  std::cout << "initialised archive " << paths.root.string() << " (accession prefix " << prefix
            << ")\n";
  return 0;
}

int cmd_collection_create(const std::string& archive,
                          const std::map<std::string, std::string>& attrs) {
  auto a = open_archive(archive);
  if (!a) return fail(a.error().message);
  auto it = attrs.find("access");
  if (it != attrs.end() && it->second != "open" && it->second != "controlled")
    return fail("--access must be 'open' or 'controlled'");
  it = attrs.find("profile");
  if (it != attrs.end()) {
    auto p = deid::Profile::parse(it->second);
    if (!p) return fail("--profile: " + p.error().message);
  }
  std::map<std::string, std::string> a2 = attrs;
  if (!a2.count("access")) a2["access"] = "open";
  // Owner and curators are kept as numeric ids: the kernel and FUSE speak uids and gids.
  if (a2.count("owner")) {
    auto uid = resolve_user(a2["owner"]);
    if (!uid) return fail("--owner: " + uid.error().message);
    a2["owner_uid"] = std::to_string(*uid);
  } else {
    a2["owner_uid"] = std::to_string(::getuid());
  }
  if (a2.count("curators")) {
    auto gid = resolve_group(a2["curators"]);
    if (!gid) return fail("--curators: " + gid.error().message);
    a2["curators_gid"] = std::to_string(*gid);
  }
  if (!a2.count("profile")) a2["profile"] = "default";
  auto c = a->catalog->create_collection(a2, std::time(nullptr));
  if (!c) return fail(c.error().message);
  std::cout << c->accession << "\n";
  return 0;
}

int cmd_collection_set(const std::string& archive, const std::string& collection,
                       const std::map<std::string, std::string>& attrs) {
  if (attrs.empty()) return fail("collection set: nothing to change (see --help)");
  if (auto t = attrs.find("title"); t != attrs.end() && t->second.empty())
    return fail("collection set: a collection keeps a title");
  auto a = open_archive(archive);
  if (!a) return fail(a.error().message);
  auto c = find_collection(*a, collection);
  if (!c) return fail(c.error().message);
  // A running mount serves sidecars with one-second timeouts and re-indexes facets (disease) in
  // the same transaction, so no daemon round trip is needed.
  if (auto s = a->catalog->update_node_attrs(c->id, attrs); !s) return fail(s.error().message);
  std::cout << "updated " << c->accession << ":";
  for (auto& [k, v] : attrs) std::cout << " " << k << (v.empty() ? " (removed)" : "");
  std::cout << "\n";
  return 0;
}

int cmd_collection_list(const std::string& archive, bool json) {
  auto a = open_archive(archive);
  if (!a) return fail(a.error().message);
  auto colls = a->catalog->collections();
  if (!colls) return fail(colls.error().message);
  nlohmann::json out = nlohmann::json::array();
  for (auto& c : *colls) {
    auto counters = a->catalog->counters(c.id);
    uint64_t images = counters.ok() ? counters->archived : 0;
    if (json) {
      nlohmann::json j = {{"accession", c.accession}, {"images", images}};
      for (auto& [k, v] : c.attrs) j[k] = v;
      out.push_back(j);
    } else {
      std::cout << c.accession << "\t" << c.attr("title") << "\t" << c.attr("access") << "\t"
                << images << " images\n";
    }
  }
  if (json) std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  return 0;
}

}  // namespace obia::ctl
