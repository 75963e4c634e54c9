// Telling the kernel to forget cached attributes, ACLs and listings when the tree or the
// policies change.
#include "common/log.h"
#include "fs/context.h"
#include "fs/inodes.h"

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
  // The root lists the collections (one may have been created).
  fuse_lowlevel_notify_inval_inode(se, kRootIno, 0, 0);
  // A reader mount shows open collections only: a collection that became controlled must
  // vanish, including the kernel's cached name for it.
  if (reader)
    for (auto& coll : *colls)
      fuse_lowlevel_notify_inval_entry(se, kRootIno, coll.name.c_str(), coll.name.size());
  log::info("policies changed: invalidated " + std::to_string(n) + " folders");
}

void Context::tree_changed(index::NodeId image) {
  ++tree_version;
  fuse_session* se = session;
  if (!se || !catalog) return;
  // Archived folders are listed from the kernel's cache (opendir sets keep_cache): each
  // ancestor of the new image must drop its listing. An image has at most four.
  auto n = catalog->get(image);
  if (!n) return;
  for (index::NodeId id = n->parent; id != index::kRootId && id != 0;) {
    fuse_lowlevel_notify_inval_inode(se, id, 0, 0);
    if (index::kind_of(id) == index::Kind::Series)
      fuse_lowlevel_notify_inval_inode(se, with_kind(kSeriesSimilarKind, id), 0, 0);
    if (index::kind_of(id) == index::Kind::Collection) break;
    auto p = catalog->get(id);
    if (!p) return;
    id = p->parent;
  }
}

void Context::generated_changed() {
  std::unordered_set<uint64_t> served;
  {
    std::lock_guard lock(reader_mu);
    // A read that computed its content just before the change may reply just after this
    // notice: such files are dropped once more at the next change.
    served = reader_generated_before;
    served.insert(reader_generated.begin(), reader_generated.end());
    reader_generated_before.swap(reader_generated);
    reader_generated.clear();
  }
  fuse_session* se = session;
  if (!se) return;
  // Drops the attributes (size) and cached pages: the next read asks the daemon again.
  for (uint64_t ino : served) fuse_lowlevel_notify_inval_inode(se, ino, 0, 0);
}

}  // namespace obia::fs
