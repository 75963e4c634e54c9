// similar/ folders and query by example over the similarity service.
#include "fs/similar.h"

#include <algorithm>

#include "common/log.h"
#include "fs/query.h"
#include "index/similarity/link_name.h"
#include "index/similarity/similarity_service.h"

namespace obia::fs {
namespace {

constexpr size_t kTopK = 30;

struct stat dir_stat(uint64_t ino) {
  struct stat st {};
  st.st_ino = ino;
  st.st_mode = S_IFDIR | 0555;
  st.st_nlink = 2;
  st.st_mtime = st.st_ctime = st.st_atime = time(nullptr);
  return st;
}

struct stat link_stat(uint64_t ino, size_t size) {
  struct stat st {};
  st.st_ino = ino;
  st.st_mode = S_IFLNK | 0777;
  st.st_nlink = 1;
  st.st_size = static_cast<off_t>(size);
  st.st_mtime = st.st_ctime = st.st_atime = time(nullptr);
  return st;
}

// What the caller may read, for the service's filter. The caller's groups cost a read of
// /proc, so they are fetched only when a controlled collection's hit needs them.
similarity::Visible visible_for(fuse_req_t req, Context& c) {
  struct Who {
    index::Caller caller;
    bool groups = false;
  };
  auto who = std::make_shared<Who>(Who{caller_of(req, false)});
  return [req, &c, who](index::NodeId image) {
    auto coll = collection_of(c, image);
    if (!coll || *coll == 0) return false;
    auto p = c.policy_cache.get(*coll);
    if (!p) return false;
    if (!p->controlled || index::may_read(*p, who->caller)) return true;
    if (who->groups) return false;
    who->caller = caller_of(req, true);
    who->groups = true;
    return index::may_read(*p, who->caller);
  };
}

void add_link(Context& c, std::string name, const std::string& target, DirHandle& d) {
  d.entries.push_back(DirEntry{std::move(name),
                               link_stat(c.path_table.ino_of(Area::Link, target), target.size()),
                               true, AreaPath{Area::Link, target}});
}

Status add_links(Context& c, const std::vector<similarity::Hit>& hits, const std::string& dir_rel,
                 DirHandle& d, Context::SimilarListing* remember = nullptr) {
  size_t rank = 0;
  for (const auto& h : hits) {
    auto path = node_path(c, h.image);
    if (!path) continue;
    std::string target = similarity::link_target(dir_rel, *path);
    std::string name = similarity::link_name(++rank, h.distance, *path);
    if (remember) {
      remember->hits.push_back(h.image);
      remember->links.emplace_back(name, target);
    }
    add_link(c, std::move(name), target, d);
  }
  return {};
}

}  // namespace

void Uploads::purge_locked() {
  auto now = std::chrono::steady_clock::now();
  for (auto it = uploads_.begin(); it != uploads_.end();)
    it = now - it->second.created > kUploadLifetime ? uploads_.erase(it) : std::next(it);
}

bool Uploads::create(const std::string& name, uint32_t uid) {
  std::lock_guard lock(mu_);
  purge_locked();
  auto [it, fresh] = uploads_.try_emplace(name);
  if (!fresh && it->second.uid != uid) return false;
  it->second = Upload{{}, uid, std::chrono::steady_clock::now(), false};
  return true;
}

bool Uploads::append(const std::string& name, uint64_t offset, std::string_view bytes) {
  std::lock_guard lock(mu_);
  auto it = uploads_.find(name);
  if (it == uploads_.end() || offset + bytes.size() > kUploadMaxBytes) return false;
  std::string& data = it->second.data;
  if (data.size() < offset + bytes.size()) data.resize(offset + bytes.size());
  data.replace(offset, bytes.size(), bytes);
  return true;
}

void Uploads::complete(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = uploads_.find(name);
  if (it != uploads_.end()) it->second.complete = true;
}

std::optional<Upload> Uploads::get(const std::string& name) {
  std::lock_guard lock(mu_);
  purge_locked();
  auto it = uploads_.find(name);
  if (it == uploads_.end()) return std::nullopt;
  return it->second;
}

bool Uploads::remove(const std::string& name, uint32_t uid) {
  std::lock_guard lock(mu_);
  auto it = uploads_.find(name);
  if (it == uploads_.end() || (uid != 0 && uid != it->second.uid)) return false;
  uploads_.erase(it);
  return true;
}

std::vector<std::pair<std::string, size_t>> Uploads::list() {
  std::lock_guard lock(mu_);
  purge_locked();
  std::vector<std::pair<std::string, size_t>> out;
  for (auto& [name, u] : uploads_) out.emplace_back(name, u.data.size());
  return out;
}

Status list_similar_root(Context& c, DirHandle& d) {
  for (auto& [name, size] : c.uploads.list()) {
    auto u = c.uploads.get(name);
    struct stat st {};
    st.st_mode = S_IFREG | 0644;
    st.st_nlink = 1;
    st.st_size = static_cast<off_t>(size);
    st.st_uid = u ? u->uid : 0;
    st.st_ino = c.path_table.ino_of(Area::Upload, name);
    d.entries.push_back(DirEntry{name, st, true, AreaPath{Area::Upload, name}});
    d.entries.push_back(DirEntry{name + ".results",
                                 dir_stat(c.path_table.ino_of(Area::Results, name)), true,
                                 AreaPath{Area::Results, name}});
  }
  return {};
}

Status list_series_similar(Context& c, index::NodeId series, DirHandle& d) {
  auto images = c.catalog->children(series);
  if (!images) return images.error();
  for (auto& img : *images) {
    std::string name = img.name.substr(0, img.name.rfind('.'));
    d.entries.push_back(DirEntry{name, dir_stat(with_kind(kImageSimilarKind, img.id)), false, {}});
  }
  return {};
}

Status list_image_similar(fuse_req_t req, Context& c, index::NodeId image, DirHandle& d) {
  if (!c.similarity) return make_error(ENOTSUP, "similarity search is not available");
  // A walk opens every similar/ folder: the last search of each image is remembered, and
  // served again while the tree and the index are unchanged and the caller may read every
  // hit in it (otherwise the caller gets a search of their own).
  auto info = c.similarity->info();
  if (!info) return info.error();
  const uint64_t version = c.tree_version.load();
  auto visible = visible_for(req, c);
  {
    std::unique_lock lock(c.similar_mu);
    auto it = c.similar_listings.find(image);
    if (it != c.similar_listings.end() && it->second.tree_version == version &&
        it->second.generation == info->generation && it->second.indexed == info->indexed) {
      Context::SimilarListing cached = it->second;
      lock.unlock();
      if (std::all_of(cached.hits.begin(), cached.hits.end(), visible)) {
        for (auto& [name, target] : cached.links) add_link(c, name, target, d);
        return {};
      }
    }
  }
  bool filtered = false;
  auto hits = c.similarity->similar_to(image, kTopK, [&](index::NodeId id) {
    bool ok = visible(id);
    filtered |= !ok;
    return ok;
  });
  if (!hits) return hits.error();
  auto img = c.catalog->get(image);
  if (!img) return img.error();
  auto series_path = node_path(c, img->parent);
  if (!series_path) return series_path.error();
  std::string dir_rel = *series_path + "/similar/" + img->name.substr(0, img->name.rfind('.'));
  Context::SimilarListing listing{version, info->generation, info->indexed, {}, {}};
  OBIA_TRY(add_links(c, *hits, dir_rel, d, filtered ? nullptr : &listing));
  if (!filtered) {
    std::lock_guard lock(c.similar_mu);
    if (c.similar_listings.size() >= 100000) c.similar_listings.clear();
    c.similar_listings[image] = std::move(listing);
  }
  return {};
}

Status list_results(fuse_req_t req, Context& c, const std::string& upload, DirHandle& d) {
  if (!c.similarity) return make_error(ENOTSUP, "similarity search is not available");
  auto u = c.uploads.get(upload);
  if (!u) return make_error(ENOENT, "no such query file");
  auto data = std::span(reinterpret_cast<const uint8_t*>(u->data.data()), u->data.size());
  auto hits = c.similarity->query(data, kTopK, visible_for(req, c));
  if (!hits) {
    log::info("similar/: a query file could not be decoded");
    return hits.error();
  }
  return add_links(c, *hits, "similar/" + upload + ".results", d);
}

Result<uint64_t> lookup_in_listing(const DirHandle& d, Context& c, const std::string& name) {
  for (auto& e : d.entries) {
    if (e.name != name) continue;
    if (e.area) return c.path_table.ref(e.path.area, e.path.rel);
    return static_cast<uint64_t>(e.attr.st_ino);
  }
  return make_error(ENOENT, "no such entry");
}

}  // namespace obia::fs
