// Evaluation orchestration: labels, codes (stored or computed), scores, latency.
#include "index/similarity/eval_run.h"

#include <chrono>
#include <random>

#include "index/similarity/archived_images.h"
#include "index/similarity/code_store.h"
#include "index/similarity/image_info.h"
#include "index/similarity/labels.h"
#include "index/similarity/model_store.h"
#include "index/similarity/similarity_service.h"

namespace obia::similarity {
namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// Up to `n` positions of [0, size), spread evenly (deterministic).
std::vector<size_t> sample(size_t size, size_t n) {
  std::vector<size_t> out;
  if (size == 0) return out;
  n = std::min(n, size);
  for (size_t i = 0; i < n; ++i) out.push_back(i * size / n);
  return out;
}

}  // namespace

Result<EvalSummary> eval_archive(const store::ArchivePaths& paths, const index::Catalog& catalog,
                                 const store::ObjectStore& objects, const EvalRequest& req,
                                 const std::function<void(const std::string&)>& say) {
  ImageInfo info(catalog);
  auto labeled = collect_labels(catalog, info, req.field, req.labels_tsv);
  if (!labeled) return labeled.error();
  EvalSummary sum;
  sum.labelled = labeled->images.size();
  sum.classes = labeled->classes.size();
  std::vector<Code> codes;
  std::vector<int> labels;
  std::vector<index::NodeId> ids;

  if (req.spec.empty()) {
    auto store = CodeStore::open(catalog);
    if (!store) return store.error();
    auto st = store->state();
    if (!st) return st.error();
    sum.spec = st->spec;
    for (size_t i = 0; i < labeled->images.size(); ++i) {
      auto c = store->get(st->generation, labeled->images[i].id);
      if (!c) return c.error();
      if (!*c) {
        ++sum.missing;
        continue;
      }
      if ((*c)->empty()) continue;  // no pixels
      codes.push_back(std::move(**c));
      labels.push_back(labeled->labels[i]);
      ids.push_back(labeled->images[i].id);
    }
  } else {
    std::string spec = req.spec;
    if (spec == "installed") {
      auto s = installed_spec(paths);
      if (!s) return s.error();
      spec = *s;
    }
    auto hasher = make_hasher(spec, models_dir(paths));
    if (!hasher) return hasher.error();
    sum.spec = spec;
    say("eval: computing " + std::to_string(labeled->images.size()) + " codes with " + spec);
    std::vector<Code> all(labeled->images.size());
    int threads = HasherSpec::parse(spec)->kind == "model" ? 1 : 0;
    parallel_for(labeled->images.size(), threads, 16, [&](size_t i) {
      auto img = decode_archived(objects, labeled->images[i]);
      if (!img) return;
      auto c = hash_image(**hasher, *img);
      if (c) all[i] = std::move(*c);
    });
    for (size_t i = 0; i < all.size(); ++i) {
      if (all[i].empty()) continue;
      codes.push_back(std::move(all[i]));
      labels.push_back(labeled->labels[i]);
      ids.push_back(labeled->images[i].id);
    }
  }
  if (codes.empty())
    return make_error(ENOENT, "no labelled image has a code yet; run 'obiactl similarity reindex'");
  sum.scored = codes.size();
  auto score = evaluate_retrieval(codes, labels, codes, labels, req.k, true);
  if (!score) return score.error();
  sum.score = *score;

  std::vector<double> lat;
  auto which = sample(ids.size(), req.latency_queries);
  if (req.spec.empty()) {
    ServiceOptions so;
    so.sync_at_open = false;
    so.save_on_close = false;
    auto service = SimilarityService::open(paths, catalog, objects, so);
    if (!service) return service.error();
    auto i = (*service)->info();
    if (i) {
      sum.kind = i->kind;
      sum.indexed = i->indexed;
    }
    sum.latency_what = "similar_to (catalog code + index search)";
    for (size_t w : which) {
      auto t0 = std::chrono::steady_clock::now();
      auto hits = (*service)->similar_to(ids[w], req.k, {});
      lat.push_back(ms_since(t0));
      if (!hits) return hits.error();
    }
  } else {
    std::vector<uint8_t> flat;
    std::vector<uint64_t> labels64(ids.begin(), ids.end());
    for (const auto& c : codes) flat.insert(flat.end(), c.begin(), c.end());
    auto index = build_index(IndexKind::Flat, static_cast<unsigned>(codes[0].size() * 8), flat, labels64);
    if (!index) return index.error();
    sum.kind = IndexKind::Flat;
    sum.indexed = codes.size();
    sum.latency_what = "index search over the labelled images";
    for (size_t w : which) {
      auto t0 = std::chrono::steady_clock::now();
      auto hits = (*index)->search(codes[w], req.k + 1);
      lat.push_back(ms_since(t0));
      if (hits.empty()) return make_error(EIO, "index search returned nothing");
    }
  }
  sum.latency_ms = percentiles(lat);
  return sum;
}

}  // namespace obia::similarity
