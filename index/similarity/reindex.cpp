// Reindex: codes of every image under the next generation, index file, then the switch.
#include "index/similarity/reindex.h"

#include <fcntl.h>
#include <sys/file.h>

#include <algorithm>
#include <chrono>
#include <mutex>

#include "common/fd.h"
#include "common/log.h"
#include "index/similarity/archived_images.h"
#include "index/similarity/code_store.h"
#include "index/similarity/model_store.h"
#include "index/similarity/projection_hasher.h"

namespace obia::similarity {
namespace {

constexpr size_t kChunk = 32;         // images per worker step (one model batch)
constexpr size_t kWriteBatch = 1024;  // codes per LMDB transaction

struct Outcome {
  Code code, fingerprint;
  enum { Pending, Coded, NoPixels, Failed } state = Pending;
};

// Codes for `images[i]`, computed chunk by chunk so that a model sees whole batches.
void compute(const Hasher& hasher, const store::ObjectStore& objects,
             const std::vector<index::Node>& images, std::vector<Outcome>& out, int threads,
             const std::function<void(size_t, size_t)>& progress) {
  const size_t chunks = (images.size() + kChunk - 1) / kChunk;
  const int n = static_cast<int>(hasher.input_size());
  parallel_for(
      chunks, threads, 1,
      [&](size_t c) {
        size_t begin = c * kChunk, end = std::min(images.size(), begin + kChunk);
        std::vector<GrayImage> batch;
        std::vector<size_t> which;
        for (size_t i = begin; i < end; ++i) {
          auto img = decode_archived(objects, images[i]);
          if (!img) {
            out[i].state = Outcome::NoPixels;
            continue;
          }
          GrayImage small = resize(*img, static_cast<int>(kDefaultSize), static_cast<int>(kDefaultSize));
          if (auto fp = fingerprint(small)) out[i].fingerprint = std::move(*fp);
          batch.push_back(n == static_cast<int>(kDefaultSize) ? std::move(small) : resize(*img, n, n));
          which.push_back(i);
        }
        if (batch.empty()) return;
        auto codes = hasher.hash(batch);
        for (size_t j = 0; j < which.size(); ++j) {
          if (codes) {
            out[which[j]].code = std::move((*codes)[j]);
            out[which[j]].state = Outcome::Coded;
          } else {
            out[which[j]].state = Outcome::Failed;
          }
        }
      },
      progress ? [&](size_t done, size_t) { progress(std::min(done * kChunk, images.size()), images.size()); }
               : std::function<void(size_t, size_t)>{});
}

Status store_codes(const CodeStore& store, uint64_t generation,
                   const std::vector<index::Node>& images, std::vector<Outcome>& out,
                   ReindexReport& report) {
  std::vector<CodeEntry> batch;
  for (size_t i = 0; i < images.size(); ++i) {
    switch (out[i].state) {
      case Outcome::Coded: ++report.coded; break;
      case Outcome::NoPixels: ++report.no_pixels; break;
      default: ++report.failed; continue;  // retried by the daemon's sync
    }
    batch.push_back({images[i].id, std::move(out[i].code), std::move(out[i].fingerprint)});
    if (batch.size() == kWriteBatch) {
      OBIA_TRY(store.put(generation, batch));
      batch.clear();
    }
  }
  if (!batch.empty()) OBIA_TRY(store.put(generation, batch));
  return {};
}

}  // namespace

Result<ReindexReport> reindex(const store::ArchivePaths& paths, const index::Catalog& catalog,
                              const store::ObjectStore& objects, const ReindexOptions& options,
                              const std::function<void(const std::string&, size_t, size_t)>& progress) {
  auto t0 = std::chrono::steady_clock::now();
  OBIA_TRY(ensure_similarity_dirs(paths));
  auto lock = open_fd(reindex_lock_file(paths), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (!lock) return lock.error();
  if (::flock(lock->get(), LOCK_EX | LOCK_NB) != 0)
    return make_error(EBUSY, "another similarity reindex is running on this archive");

  auto store = CodeStore::open(catalog);
  if (!store) return store.error();
  auto state = store->state();
  if (!state) return state.error();
  ReindexReport report;
  report.generation = state->generation + 1;
  if (!options.spec.empty()) {
    report.spec = options.spec;
  } else {
    auto s = installed_spec(paths);
    if (!s) return s.error();
    report.spec = *s;
  }
  auto hasher = make_hasher(report.spec, models_dir(paths));
  if (!hasher) return hasher.error();
  OBIA_TRY(store->clear(report.generation));  // leftovers of an interrupted run

  std::vector<index::Node> images;
  OBIA_TRY(catalog.for_each_image([&](const index::Node& n) { images.push_back(n); }));
  report.images = images.size();
  // A model parallelises inside LibTorch; the training-free code wants one thread per core.
  int threads = options.threads;
  if (threads == 0 && HasherSpec::parse(report.spec)->kind == "model") threads = 1;
  std::vector<Outcome> out(images.size());
  compute(**hasher, objects, images, out, threads,
          progress ? [&](size_t d, size_t t) { progress("codes", d, t); }
                   : std::function<void(size_t, size_t)>{});
  OBIA_TRY(store_codes(*store, report.generation, images, out, report));

  // The index file first, then the switch: a daemon that reloads finds it ready.
  std::vector<uint8_t> codes;
  std::vector<uint64_t> ids;
  const unsigned bits = (*hasher)->bits();
  OBIA_TRY(store->for_each(report.generation, [&](index::NodeId id, std::span<const uint8_t> c) {
    if (c.size() != bits / 8) return;
    codes.insert(codes.end(), c.begin(), c.end());
    ids.push_back(id);
  }));
  if (progress) progress("index", 0, ids.size());
  IndexKind kind = options.kind ? *options.kind : options.policy.choose(ids.size());
  auto index = build_index(kind, bits, codes, ids, options.policy.params);
  if (!index) return index.error();
  report.kind = (*index)->kind();
  OBIA_TRY((*index)->save(index_file(paths), report.generation));
  if (progress) progress("index", ids.size(), ids.size());
  OBIA_TRY(store->activate(report.generation, report.spec));

  // Images archived while we worked got codes of the old generation only: catch them up.
  std::vector<index::NodeId> have;
  OBIA_TRY(store->for_each(report.generation, [&](index::NodeId id, std::span<const uint8_t>) {
    have.push_back(id);
  }));
  std::vector<index::Node> late;  // images not in our snapshot (for_each_image is in id order)
  OBIA_TRY(catalog.for_each_image([&](const index::Node& n) {
    bool known = std::binary_search(images.begin(), images.end(), n,
                                    [](const index::Node& a, const index::Node& b) { return a.id < b.id; });
    if (!known && !std::binary_search(have.begin(), have.end(), n.id)) late.push_back(n);
  }));
  if (!late.empty()) {
    std::vector<Outcome> lo(late.size());
    compute(**hasher, objects, late, lo, threads, {});
    ReindexReport extra;
    OBIA_TRY(store_codes(*store, report.generation, late, lo, extra));
    report.images += late.size();
    report.coded += extra.coded;
    report.no_pixels += extra.no_pixels;
    report.failed += extra.failed;
  }
  OBIA_TRY(store->clear(report.generation - 1));  // the old generation's codes
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

}  // namespace obia::similarity
