// Training orchestration: labels, images, split, baseline, training, installation.
#include "index/similarity/train_run.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>

#include "index/similarity/archived_images.h"
#include "index/similarity/evaluate.h"
#include "index/similarity/image_info.h"
#include "index/similarity/labels.h"
#include "index/similarity/model_store.h"
#include "index/similarity/projection_hasher.h"

namespace obia::similarity {
namespace {

std::string fmt(const char* f, double a, double b) {
  char buf[128];
  std::snprintf(buf, sizeof buf, f, a, b);
  return buf;
}

// Per class: shuffle, keep `holdout` of it (at least one when the class has 2+) for testing.
void split(const std::vector<int>& labels, double holdout, uint64_t seed, std::vector<size_t>& train,
           std::vector<size_t>& test) {
  std::map<int, std::vector<size_t>> by_class;
  for (size_t i = 0; i < labels.size(); ++i) by_class[labels[i]].push_back(i);
  std::mt19937_64 rng(seed);
  for (auto& [label, members] : by_class) {
    std::shuffle(members.begin(), members.end(), rng);
    size_t nt = members.size() >= 2 ? std::max<size_t>(1, static_cast<size_t>(holdout * members.size())) : 0;
    if (holdout <= 0) nt = 0;
    test.insert(test.end(), members.begin(), members.begin() + static_cast<ptrdiff_t>(nt));
    train.insert(train.end(), members.begin() + static_cast<ptrdiff_t>(nt), members.end());
  }
  std::sort(train.begin(), train.end());
  std::sort(test.begin(), test.end());
}

TrainSet subset(const std::vector<std::vector<uint8_t>>& images, const std::vector<int>& labels,
                const std::vector<size_t>& which) {
  TrainSet s;
  for (size_t i : which) {
    s.images.push_back(images[i]);
    s.labels.push_back(labels[i]);
  }
  return s;
}

Result<std::vector<Code>> projection_codes(const TrainSet& set, unsigned bits, unsigned size) {
  ProjectionHasher h(bits, size);
  std::vector<GrayImage> imgs;
  for (const auto& px : set.images)
    imgs.push_back(from_u8(static_cast<int>(size), static_cast<int>(size), px));
  return h.hash(imgs);
}

}  // namespace

Result<TrainSummary> train_archive(const store::ArchivePaths& paths, const index::Catalog& catalog,
                                   const store::ObjectStore& objects, const TrainRequest& req,
                                   const std::function<void(const std::string&)>& say) {
  const TrainOptions& o = req.options;
  ImageInfo info(catalog);
  auto labeled = collect_labels(catalog, info, req.field, req.labels_tsv);
  if (!labeled) return labeled.error();
  // Stratified subsample when the archive is larger than one training run should read.
  std::vector<size_t> pick(labeled->images.size());
  for (size_t i = 0; i < pick.size(); ++i) pick[i] = i;
  if (pick.size() > req.max_images) {
    std::mt19937_64 rng(o.seed);
    std::shuffle(pick.begin(), pick.end(), rng);
    pick.resize(req.max_images);
    std::sort(pick.begin(), pick.end());
  }
  say("train: decoding " + std::to_string(pick.size()) + " labelled images at " +
      std::to_string(o.size) + " px (" + std::to_string(labeled->classes.size()) + " classes)");
  std::vector<std::vector<uint8_t>> images(pick.size());
  std::vector<char> ok(pick.size(), 0);
  const int n = static_cast<int>(o.size);
  parallel_for(pick.size(), 0, 16, [&](size_t i) {
    auto img = decode_archived(objects, labeled->images[pick[i]]);
    if (!img) return;
    images[i] = to_u8(resize(*img, n, n));
    ok[i] = 1;
  });
  std::vector<std::vector<uint8_t>> kept;
  std::vector<int> labels;
  TrainSummary sum;
  for (size_t i = 0; i < pick.size(); ++i) {
    if (!ok[i]) {
      ++sum.skipped;
      continue;
    }
    kept.push_back(std::move(images[i]));
    labels.push_back(labeled->labels[pick[i]]);
  }
  std::vector<size_t> tr, te;
  split(labels, req.holdout, o.seed, tr, te);
  TrainSet train = subset(kept, labels, tr), test = subset(kept, labels, te);
  std::vector<int> present(labeled->classes.size(), 0);
  for (int l : train.labels) present[static_cast<size_t>(l)] = 1;
  if (std::count(present.begin(), present.end(), 1) < 2)
    return make_error(EINVAL, "need at least two labels with images to train (field '" +
                                  req.field + "')");
  sum.images = kept.size();
  sum.classes = labeled->classes.size();
  sum.train = train.images.size();
  sum.heldout = test.images.size();
  say("train: " + std::to_string(sum.train) + " training, " + std::to_string(sum.heldout) +
      " held-out images; " + std::to_string(sum.skipped) + " without decodable pixels");
  if (!test.images.empty()) {
    auto db = projection_codes(train, o.bits, o.size);
    auto q = projection_codes(test, o.bits, o.size);
    if (!db) return db.error();
    if (!q) return q.error();
    auto base = evaluate_retrieval(*db, train.labels, *q, test.labels, o.k, false);
    if (!base) return base.error();
    sum.baseline_map = base->map;
    sum.baseline_precision = base->precision;
    say("train: training-free code on the held-out set: " +
        fmt("mAP@%.0f %.4f", static_cast<double>(o.k), base->map) +
        fmt(", precision@%.0f %.4f", static_cast<double>(o.k), base->precision));
  }
  std::filesystem::path tmp = models_dir(paths) / ("training." + std::to_string(::getpid()) + ".pt");
  OBIA_TRY(ensure_similarity_dirs(paths));
  size_t last_pct = 101;
  auto result = train_hash_model(
      train, test, labeled->classes.size(), o, tmp,
      [&](const EpochReport& r) {
        say("train: epoch " + std::to_string(r.epoch) + "/" + std::to_string(o.epochs) +
            fmt(": loss %.4f, %.1f s", r.loss, r.seconds) +
            (test.images.empty() ? std::string()
                                 : fmt(", held-out mAP@%.0f %.4f", static_cast<double>(o.k), r.heldout_map) +
                                       fmt(", precision@%.0f %.4f", static_cast<double>(o.k), r.heldout_precision)));
      },
      [&](size_t step, size_t total) {
        size_t pct = step * 100 / total;
        if (pct / 10 != last_pct / 10) say("train: " + std::to_string(pct) + "% of steps");
        last_pct = pct;
      });
  if (!result) {
    std::filesystem::remove(tmp);
    return result.error();
  }
  sum.final = *result;
  if (!req.output.empty()) {
    std::error_code ec;
    std::filesystem::copy_file(tmp, req.output, std::filesystem::copy_options::overwrite_existing, ec);
    if (ec) return make_error(EIO, "cannot write " + req.output.string() + ": " + ec.message());
    sum.model = req.output;
  }
  if (req.install) {
    auto spec = install_model(paths, tmp, o.size);
    if (!spec) return spec.error();
    sum.spec = *spec;
    sum.model = models_dir(paths) / HasherSpec::parse(*spec)->file;
  }
  std::filesystem::remove(tmp);
  return sum;
}

}  // namespace obia::similarity
