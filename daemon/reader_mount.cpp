#include "daemon/reader_mount.h"

#include <memory>

#include "common/fd.h"
#include "common/log.h"
#include "daemon/catalog_watch.h"
#include "daemon/policy_watch.h"
#include "index/catalog.h"
#include "index/policy.h"
#include "store/object_store.h"

namespace obia::daemon {

int run_reader_mount(const store::ArchivePaths& paths, fs::MountOptions mo) {
  auto fail = [](const std::string& msg) {
    log::error(msg);
    return 1;
  };
  // No lock, no staging, no ingest: the writer daemon (if any) owns those. LMDB lets both
  // processes use the catalog; this one only reads it.
  auto catalog = index::Catalog::open(paths.catalog(), false);
  if (!catalog) return fail(catalog.error().message);
  auto objects = store::ObjectStore::open(paths.root);
  if (!objects) return fail(objects.error().message);
  auto policies = index::PolicyStore::open(**catalog);
  if (!policies) return fail(policies.error().message);

  fs::Context context;
  context.reader = true;
  context.paths = paths;
  context.catalog = catalog->get();
  context.objects = &*objects;
  context.policies = &*policies;
  context.policy_cache.set_store(&*policies);

  // The kernel refuses every write itself (EROFS) before the daemon sees it.
  mo.options.push_back("ro");
  std::unique_ptr<PolicyWatch> policy_watch;
  std::unique_ptr<CatalogWatch> catalog_watch;
  auto on_mounted = mo.on_mounted;
  mo.on_mounted = [&] {
    if (on_mounted) on_mounted();
    policy_watch = std::make_unique<PolicyWatch>(*policies, **catalog, context);
    catalog_watch = std::make_unique<CatalogWatch>(context);
  };
  mo.on_unmounting = [&] {
    catalog_watch.reset();
    policy_watch.reset();
  };
  log::info("reader mount of " + paths.root.string() + " at " + mo.mountpoint);
  return fs::run_mount(context, mo);
}

}  // namespace obia::daemon
