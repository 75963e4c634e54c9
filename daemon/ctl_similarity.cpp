// obiactl similarity train|install|reindex|eval: the model and codes behind similar/ folders.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>

#include "daemon/ctl.h"
#include "index/similarity/eval_run.h"
#include "index/similarity/hasher.h"
#include "index/similarity/model_store.h"
#include "index/similarity/reindex.h"
#include "index/similarity/train_run.h"

namespace obia::ctl {
namespace {

namespace sim = obia::similarity;

struct SimOpts {
  std::string archive, label = "disease", labels_tsv, model, output, hasher, index_kind;
  unsigned bits = sim::kDefaultBits, size = sim::kDefaultSize, epochs = 8, batch = 64;
  double lr = 2e-3, holdout = 0.2;
  size_t k = 30, max_images = 20000, latency_queries = 1000;
  int threads = 0;
  uint64_t seed = 1;
  bool training_free = false, no_install = false;
};

std::string f4(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}
std::string f3(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

void say(const std::string& line) { std::cerr << line << "\n"; }

int cmd_train(const SimOpts& o) {
  auto a = open_archive(o.archive);
  if (!a) return fail(a.error().message);
  sim::TrainRequest r;
  r.field = o.label;
  r.labels_tsv = o.labels_tsv;
  r.options.bits = o.bits;
  r.options.size = o.size;
  r.options.epochs = o.epochs;
  r.options.batch = o.batch;
  r.options.lr = o.lr;
  r.options.seed = o.seed;
  r.options.threads = o.threads;
  r.options.k = o.k;
  r.holdout = o.holdout;
  r.max_images = o.max_images;
  r.output = o.output;
  r.install = !o.no_install;
  if (!sim::valid_bits(o.bits)) return fail("--bits must be 32..256 and a multiple of 8");
  auto s = sim::train_archive(a->paths, *a->catalog, *a->objects, r, say);
  if (!s) return fail(s.error().message);
  std::cout << "trained on " << s->train << " images (" << s->classes << " labels of '"
            << (o.labels_tsv.empty() ? o.label : o.labels_tsv) << "'), " << s->heldout
            << " held out\n";
  if (s->heldout) {
    std::cout << "held-out mAP@" << o.k << ": model " << f4(s->final.heldout_map)
              << ", training-free " << f4(s->baseline_map) << "\n";
    std::cout << "held-out precision@" << o.k << ": model " << f4(s->final.heldout_precision)
              << ", training-free " << f4(s->baseline_precision) << "\n";
  }
  if (!s->model.empty()) std::cout << "model: " << s->model.string() << "\n";
  if (!s->spec.empty())
    std::cout << "installed as " << s->spec << "; run 'obiactl similarity reindex " << o.archive
              << "' to use it\n";
  return 0;
}

int cmd_install(const SimOpts& o) {
  auto paths = store::open_archive(o.archive);
  if (!paths) return fail(paths.error().message);
  Result<std::string> spec = std::string();
  if (o.training_free) {
    if (!sim::valid_bits(o.bits)) return fail("--bits must be 32..256 and a multiple of 8");
    std::string s = sim::HasherSpec{"projection", o.bits, o.size, {}}.str();
    if (auto st = sim::set_installed_spec(*paths, s); !st) return fail(st.error().message);
    spec = s;
  } else {
    if (o.model.empty()) return fail("give MODEL.pt, or --training-free");
    spec = sim::install_model(*paths, o.model, o.size);
    if (!spec) return fail(spec.error().message);
  }
  std::cout << "installed " << *spec << "; run 'obiactl similarity reindex " << o.archive
            << "' to recompute the codes\n";
  return 0;
}

int cmd_reindex(const SimOpts& o) {
  auto a = open_archive(o.archive);
  if (!a) return fail(a.error().message);
  sim::ReindexOptions r;
  r.spec = o.hasher;
  r.threads = o.threads;
  if (!o.index_kind.empty()) {
    auto k = sim::parse_index_kind(o.index_kind);
    if (!k) return fail(k.error().message);
    r.kind = *k;
  }
  size_t last = SIZE_MAX;
  auto rep = sim::reindex(a->paths, *a->catalog, *a->objects, r,
                          [&](const std::string& stage, size_t done, size_t total) {
                            size_t pct = total ? done * 100 / total : 100;
                            if (pct == last && done != total) return;
                            last = pct;
                            std::cerr << "\rreindex: " << stage << " " << done << "/" << total
                                      << " (" << pct << "%)   " << (done == total ? "\n" : "")
                                      << std::flush;
                          });
  if (!rep) return fail(rep.error().message);
  std::cout << "generation " << rep->generation << ": " << rep->coded << " of " << rep->images
            << " images coded with " << rep->spec << " (" << rep->no_pixels
            << " without decodable pixels, " << rep->failed << " failed), "
            << sim::to_string(rep->kind) << " index, " << f3(rep->seconds) << " s\n";
  return rep->failed ? 1 : 0;
}

int cmd_eval(const SimOpts& o) {
  auto a = open_archive(o.archive);
  if (!a) return fail(a.error().message);
  sim::EvalRequest r;
  r.field = o.label;
  r.labels_tsv = o.labels_tsv;
  r.k = o.k;
  r.spec = o.hasher;
  r.latency_queries = o.latency_queries;
  auto s = sim::eval_archive(a->paths, *a->catalog, *a->objects, r, say);
  if (!s) return fail(s.error().message);
  std::cout << "codes: " << s->spec << " (" << s->scored << " of " << s->labelled
            << " labelled images, " << s->classes << " labels";
  if (s->missing) std::cout << ", " << s->missing << " without a code: run reindex";
  std::cout << ")\n";
  std::cout << "mAP@" << o.k << ": " << f4(s->score.map) << "\n";
  std::cout << "precision@" << o.k << ": " << f4(s->score.precision) << "\n";
  std::cout << "query latency (" << s->latency_what << ", " << sim::to_string(s->kind)
            << " index of " << s->indexed << "): p50 " << f3(s->latency_ms.p50) << " ms, p99 "
            << f3(s->latency_ms.p99) << " ms\n";
  return 0;
}

}  // namespace

void register_similarity_commands(CLI::App& app, int& rc) {
  auto o = std::make_shared<SimOpts>();
  auto* sim = app.add_subcommand("similarity", "image similarity: train, install, reindex, eval");
  sim->require_subcommand(1);
  sim->footer(
      "Examples:\n"
      "  obiactl similarity reindex /srv/archive\n"
      "  obiactl similarity train /srv/archive --label modality --epochs 8\n"
      "  obiactl similarity eval /srv/archive --label modality --k 30");

  const char* fields =
      "label field: disease (of the collection), modality, bodypart, collection, title, "
      "description, manufacturer, clinical:<column>";

  auto* train = sim->add_subcommand(
      "train", "train the CNN hashing model on the archive's images (CPU) and install it");
  train->add_option("ARCHIVE", o->archive)->required();
  train->add_option("--label", o->label, fields);
  train->add_option("--labels", o->labels_tsv, "TSV of 'relative/path.dcm<TAB>label' lines instead");
  train->add_option("--bits", o->bits, "code length K: 32..256, a multiple of 8 (default 64)");
  train->add_option("--epochs", o->epochs, "passes over the training images (default 8)");
  train->add_option("--size", o->size, "input size N: images are resized to N×N (default 128)");
  train->add_option("--batch", o->batch, "batch size (default 64)");
  train->add_option("--lr", o->lr, "Adam learning rate (default 0.002, cosine decay)");
  train->add_option("--holdout", o->holdout, "fraction of each label held out for scoring (default 0.2)");
  train->add_option("--max-images", o->max_images, "stratified subsample above this (default 20000)");
  train->add_option("--k", o->k, "k of the held-out mAP@k (default 30)");
  train->add_option("--threads", o->threads, "CPU threads (default: all cores)");
  train->add_option("--seed", o->seed, "random seed (default 1)");
  train->add_option("--output", o->output, "also write the TorchScript model here");
  train->add_flag("--no-install", o->no_install, "do not make it the model of the next reindex");
  train->footer(
      "Example: obiactl similarity train /srv/archive --label modality --epochs 8 && "
      "obiactl similarity reindex /srv/archive");
  train->callback([&rc, o] { rc = cmd_train(*o); });

  auto* install = sim->add_subcommand(
      "install", "install a TorchScript hashing model (see docs/similarity.md for its contract)");
  install->add_option("ARCHIVE", o->archive)->required();
  install->add_option("MODEL", o->model, "TorchScript file: [B,1,N,N] in [0,1] -> [B,K], bit = value > 0");
  install->add_option("--size", o->size, "the model's input size N (default 128)");
  install->add_flag("--training-free", o->training_free,
                    "go back to the training-free code (with --bits, --size)");
  install->add_option("--bits", o->bits, "with --training-free: code length (default 64)");
  install->footer(
      "Example: obiactl similarity install /srv/archive effnet_hash64.pt --size 224 && "
      "obiactl similarity reindex /srv/archive");
  install->callback([&rc, o] { rc = cmd_install(*o); });

  auto* reindex = sim->add_subcommand(
      "reindex", "recompute every image's code with the installed model and rebuild the index");
  reindex->add_option("ARCHIVE", o->archive)->required();
  reindex->add_option("--hasher", o->hasher,
                      "use this hasher spec instead of the installed one, e.g. projection/128/128");
  reindex->add_option("--index", o->index_kind, "force the index kind: flat, hnsw or ivf");
  reindex->add_option("--threads", o->threads, "decoding threads (default: all cores)");
  reindex->footer(
      "Example: obiactl similarity reindex /srv/archive   (a mounted daemon switches to the new "
      "codes when it finishes)");
  reindex->callback([&rc, o] { rc = cmd_reindex(*o); });

  auto* eval = sim->add_subcommand(
      "eval", "mAP@k and precision@k (leave-one-out over labelled images) and query latency");
  eval->add_option("ARCHIVE", o->archive)->required();
  eval->add_option("--label", o->label, fields);
  eval->add_option("--labels", o->labels_tsv, "TSV of 'relative/path.dcm<TAB>label' lines instead");
  eval->add_option("--k", o->k, "k (default 30)");
  eval->add_option("--hasher", o->hasher,
                   "score codes of this hasher, computed in memory (e.g. projection/64/128, "
                   "'installed'), instead of the stored codes");
  eval->add_option("--latency-queries", o->latency_queries, "queries timed (default 1000)");
  eval->footer(
      "Example: obiactl similarity eval /srv/archive --label modality --k 30\n"
      "         obiactl similarity eval /srv/archive --label modality --hasher projection/64/128");
  eval->callback([&rc, o] { rc = cmd_eval(*o); });
}

}  // namespace obia::ctl
