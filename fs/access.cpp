// Identity, policy cache and policy-derived attributes.
#define FUSE_USE_VERSION 314
#include "fs/access.h"

#include <fuse_lowlevel.h>

#include <algorithm>
#include <ctime>

#include "fs/context.h"

namespace obia::fs {

index::Caller caller_of(fuse_req_t req, bool with_groups) {
  const fuse_ctx* ctx = fuse_req_ctx(req);
  index::Caller c;
  c.uid = ctx->uid;
  c.gid = ctx->gid;
  if (with_groups) {
    gid_t groups[256];
    int n = fuse_req_getgroups(req, 256, groups);
    for (int i = 0; i < std::min(n, 256); ++i) c.groups.push_back(groups[i]);
  }
  return c;
}

Result<index::CollectionPolicy> PolicyCache::get(index::NodeId collection) {
  auto now = std::chrono::steady_clock::now();
  int64_t wall = std::time(nullptr);
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(collection);
    if (it != cache_.end() && now - it->second.fetched < std::chrono::seconds(5) &&
        (it->second.policy.next_expiry == 0 || wall < it->second.policy.next_expiry))
      return it->second.policy;
  }
  if (!store_) return make_error(EIO, "no policy store");
  auto p = store_->policy(collection, wall);
  if (!p) return p.error();
  std::lock_guard lock(mu_);
  cache_[collection] = Entry{*p, now};
  return *p;
}

void PolicyCache::invalidate_all() {
  std::lock_guard lock(mu_);
  cache_.clear();
}

Result<index::NodeId> collection_of(Context& c, index::NodeId node) {
  using index::Kind;
  index::NodeId id = node;
  for (int hops = 0; hops < 5; ++hops) {
    if (id == index::kRootId) return index::NodeId{0};
    Kind k = index::kind_of(id);
    if (k == Kind::Collection) return id;
    {
      std::lock_guard lock(c.ancestors_mu);
      auto it = c.ancestors.find(id);
      if (it != c.ancestors.end()) return it->second;
    }
    auto n = c.catalog->get(id);
    if (!n) return n.error();
    if (k == Kind::Image) {  // images are many: cache their series instead
      id = n->parent;
      continue;
    }
    auto up = collection_of(c, n->parent);
    if (!up) return up;
    std::lock_guard lock(c.ancestors_mu);
    c.ancestors[id] = *up;
    return up;
  }
  return make_error(EIO, "catalog ancestry too deep");
}

Perms archive_perms(const index::CollectionPolicy& p, bool below_collection) {
  Perms perms;
  perms.uid = p.owner_uid;
  perms.gid = p.curators_gid.value_or(0);
  if (p.controlled && below_collection) {
    perms.dir_mode = 0550;
    perms.file_mode = 0440;
    perms.acl = true;
  }
  return perms;
}

Perms curator_perms(const index::CollectionPolicy& p) {
  Perms perms;
  perms.uid = p.owner_uid;
  perms.gid = p.curators_gid.value_or(0);
  perms.dir_mode = 0770;
  perms.file_mode = 0660;
  return perms;
}

void apply(struct stat& st, const Perms& perms) {
  st.st_uid = perms.uid;
  st.st_gid = perms.gid;
  st.st_mode = (st.st_mode & S_IFMT) | (S_ISDIR(st.st_mode) ? perms.dir_mode : perms.file_mode);
}

std::string acl_xattr(const index::CollectionPolicy& p, bool directory) {
  // Linux xattr form: u32 version 2, then {u16 tag, u16 perm, u32 id} sorted by tag and id.
  enum : uint16_t { kUserObj = 1, kUser = 2, kGroupObj = 4, kGroup = 8, kMask = 16, kOther = 32 };
  uint16_t perm = directory ? 5 : 4;  // r-x or r--
  std::vector<std::pair<uint16_t, uint32_t>> users, groups;
  for (const auto& g : p.grants) (g.kind == 'u' ? users : groups).push_back({perm, g.id});
  std::sort(users.begin(), users.end(), [](auto& a, auto& b) { return a.second < b.second; });
  std::sort(groups.begin(), groups.end(), [](auto& a, auto& b) { return a.second < b.second; });
  std::string out;
  auto put16 = [&](uint16_t v) { out.append(reinterpret_cast<const char*>(&v), 2); };
  auto put32 = [&](uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); };
  auto entry = [&](uint16_t tag, uint16_t pm, uint32_t id) {
    put16(tag);
    put16(pm);
    put32(id);
  };
  put32(2);
  entry(kUserObj, perm, UINT32_MAX);
  for (auto& [pm, id] : users) entry(kUser, pm, id);
  entry(kGroupObj, perm, UINT32_MAX);
  for (auto& [pm, id] : groups) entry(kGroup, pm, id);
  entry(kMask, perm, UINT32_MAX);
  entry(kOther, 0, UINT32_MAX);
  return out;
}

}  // namespace obia::fs
