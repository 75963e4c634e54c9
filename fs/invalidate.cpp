// Telling the kernel to forget cached attributes and ACLs after a policy change.
#include "common/log.h"
#include "fs/context.h"

namespace obia::fs {

void Context::policies_changed() {
  policy_cache.invalidate_all();
  fuse_session* se = session;
  if (!se || !catalog) return;
  auto colls = catalog->collections();
  if (!colls) return;
  size_t n = 0;
  // Every path to content passes through the collection's individual, study and series
  // folders, whose ACLs the kernel checks on each lookup: invalidating them (not the many
  // images) is enough to end access at once. Opens are re-checked by the daemon as well.
  std::vector<index::NodeId> pending;
  for (auto& coll : *colls) pending.push_back(coll.id);
  while (!pending.empty()) {
    index::NodeId id = pending.back();
    pending.pop_back();
    fuse_lowlevel_notify_inval_inode(se, id, 0, 0);  // -ENOENT for inodes the kernel lacks: fine
    fuse_lowlevel_notify_inval_inode(se, sidecar_ino(id), 0, 0);
    ++n;
    if (index::kind_of(id) == index::Kind::Series) continue;
    auto kids = catalog->children(id);
    if (!kids) continue;
    for (auto& k : *kids) pending.push_back(k.id);
  }
  log::info("policies changed: invalidated " + std::to_string(n) + " folders");
}

}  // namespace obia::fs
