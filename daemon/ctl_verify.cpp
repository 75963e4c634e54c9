// obiactl verify: every catalog image has its object, every object hashes to its name,
// reference counts match, series totals (stats.json's source) match their images, no orphan
// objects, no leftovers of interrupted writes.
#include <iostream>
#include <map>
#include <set>

#include "daemon/ctl.h"

namespace obia::ctl {

int cmd_verify(const std::string& archive, bool repair) {
  auto a = open_archive(archive);
  if (!a) return fail(a.error().message);
  const store::ObjectStore& objects = *a->objects;
  uint64_t problems = 0, images = 0;
  auto problem = [&](const std::string& what) {
    ++problems;
    std::cout << "problem: " << what << "\n";
  };

  // 1. Catalog -> objects.
  std::map<std::string, uint64_t> expected_refs;
  auto s = a->catalog->for_each_image([&](const index::Node& n) {
    ++images;
    if (images % 1000 == 0) std::cerr << "verify: " << images << " images checked\n";
    expected_refs[n.object.name()]++;
    auto size = objects.size_of(n.object);
    if (!size)
      return problem("image " + std::to_string(n.id) + " (" + n.name + "): object " +
                     n.object.name() + " is missing");
    if (*size != n.size)
      problem("image " + std::to_string(n.id) + ": object size " + std::to_string(*size) +
              " differs from catalog size " + std::to_string(n.size));
    auto parent = a->catalog->get(n.parent);
    if (!parent) problem("image " + std::to_string(n.id) + ": its series is missing");
  });
  if (!s) return fail(s.error().message);

  // 2. Series totals against a recount of their images. A repair recounts and rewrites in one
  // write transaction, so an image archived meanwhile cannot be lost from the totals.
  if (repair) {
    auto fixed = a->catalog->repair_series_totals();
    if (!fixed) return fail(fixed.error().message);
    if (*fixed) std::cout << "repaired: recounted the totals of " << *fixed << " series\n";
  } else {
    auto bad = a->catalog->check_series_totals();
    if (!bad) return fail(bad.error().message);
    for (const index::TotalsMismatch& m : *bad)
      problem("series " + std::to_string(m.series) + ": totals " +
              (m.stored ? std::to_string(m.stored->images) + " images, " +
                              std::to_string(m.stored->bytes) + " bytes"
                        : std::string("missing")) +
              ", counted " + std::to_string(m.counted.images) + " images, " +
              std::to_string(m.counted.bytes) + " bytes (obiactl verify --repair recounts)");
  }

  // 2b. The statistics counters kept by every commit (stats.json) against a count of the nodes;
  // after the totals, since that count reads them.
  if (repair) {
    if (auto r = a->catalog->repair_aggregates(); !r) return fail(r.error().message);
  } else {
    auto differ = a->catalog->check_aggregates();
    if (!differ) return fail(differ.error().message);
    for (const std::string& d : *differ) problem(d + " (obiactl verify --repair recounts)");
  }

  // 3. Reference counts.
  std::map<std::string, uint64_t> refs;
  s = a->catalog->for_each_object_ref(
      [&](const store::ObjectId& id, uint64_t n) { refs[id.name()] = n; });
  if (!s) return fail(s.error().message);
  for (auto& [name, n] : expected_refs)
    if (refs[name] != n)
      problem("object " + name + ": reference count " + std::to_string(refs[name]) + ", expected " +
              std::to_string(n));

  // 4. Objects -> hashes, orphans.
  uint64_t checked = 0, orphans = 0;
  s = objects.for_each([&](const store::ObjectId& id, const std::filesystem::path& rel) {
    if (++checked % 1000 == 0) std::cerr << "verify: " << checked << " objects hashed\n";
    if (id.variant == UINT32_MAX) return problem("unexpected file in objects/: " + rel.string());
    if (!expected_refs.count(id.name())) {
      ++orphans;
      if (repair && objects.remove(id).ok()) {
        std::cout << "repaired: removed orphan object " << id.name() << "\n";
        return;
      }
      return problem("object " + id.name() + " is not referenced by the catalog (orphan)");
    }
    auto ok = objects.check(id);
    if (!ok) return problem("object " + id.name() + ": " + ok.error().message);
    if (!*ok) problem("object " + id.name() + " does not hash to its name (damaged)");
  });
  if (!s) return fail(s.error().message);

  std::cout << images << " images, " << checked << " objects checked (" << orphans << " orphan): "
            << (problems ? std::to_string(problems) + " problem(s)" : std::string("clean")) << "\n";
  return problems ? 1 : 0;
}

}  // namespace obia::ctl
