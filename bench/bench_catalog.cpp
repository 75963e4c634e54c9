// Catalog-scale benchmark (issue 7): builds a catalog of N images (catalog only, no objects),
// then times facet queries with two terms, value listings, stats.json (the statistics counters
// kept by every commit), and what `obiactl verify` recounts: every series' totals from the image
// nodes and the statistics from the nodes (also the cost of the one-time count on a catalog
// from before the counters).
//   bench_catalog DIR [--images N] [--per-series K] [--reuse] [--schema1]
// --schema1 then also strips every series' totals (a catalog from before them), times the
// count from the nodes that must then read every image node, and times the reopen that migrates it.
// Prints a Markdown table; nothing is asserted (see docs/performance.md).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "index/catalog.h"
#include "index/facets.h"
#include "index/statistics.h"

using namespace obia;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

template <typename F>
std::pair<double, double> time_runs(int runs, F&& f) {  // median, max in ms
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    auto s = Clock::now();
    f();
    t.push_back(ms_since(s));
  }
  std::sort(t.begin(), t.end());
  return {t[t.size() / 2], t.back()};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_catalog DIR [--images N] [--reuse]\n");
    return 1;
  }
  std::filesystem::path dir = argv[1];
  uint64_t images = 1000000;
  int per_series = 100;  // images per series
  bool reuse = false, schema1 = false;
  for (int i = 2; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--images") && i + 1 < argc) images = std::stoull(argv[++i]);
    if (!std::strcmp(argv[i], "--reuse")) reuse = true;
    if (!std::strcmp(argv[i], "--schema1")) schema1 = true;
    if (!std::strcmp(argv[i], "--per-series") && i + 1 < argc)
      per_series = std::max(1, std::atoi(argv[++i]));
  }
  if (!reuse) std::filesystem::remove_all(dir);
  auto cat = index::Catalog::open(dir, true, "OBIA", /*durable=*/false);
  if (!cat) {
    std::fprintf(stderr, "open: %s\n", cat.error().message.c_str());
    return 1;
  }
  auto& c = **cat;
  if (!reuse) {
    // 10 collections, K (100) images per series, 4 series per study, 2 studies per individual.
    std::mt19937_64 rng(42);
    const char* mods[] = {"CT", "MR", "CR", "US", "PT"};
    const char* parts[] = {"CHEST", "HEAD", "ABDOMEN", "PELVIS", "KNEE", "SPINE"};
    std::vector<index::NodeId> colls;
    for (int i = 0; i < 10; ++i)
      colls.push_back(
          c.create_collection({{"title", "bench"}, {"disease", "d" + std::to_string(i % 4)}}, 0)
              ->id);
    auto start = Clock::now();
    uint64_t n = 0, series_n = 0;
    while (n < images) {
      index::PatientKey key{};
      uint64_t who = series_n / 8;
      std::memcpy(key.data(), &who, sizeof who);
      auto coll = colls[who % colls.size()];
      auto ind = c.individual_for(coll, key, 0);
      std::string study = "1.2." + std::to_string(series_n / 4);
      std::string series = study + "." + std::to_string(series_n);
      const char* mod = mods[rng() % 5];
      for (int k = 0; k < per_series && n < images; ++k, ++n) {
        index::ImageCommit ic;
        ic.collection = coll;
        ic.individual = ind->id;
        ic.study_uid = study;
        ic.series_uid = series;
        ic.sop_uid = series + "." + std::to_string(k);
        ic.modality = mod;
        ic.series_number = 1;
        ic.instance_number = k + 1;
        ic.study_attrs = {{"sex", rng() % 2 ? "F" : "M"},
                          {"age", std::to_string(20 + who % 70) + "Y"},
                          {"date", std::to_string(2000 + who % 20) + "0101"}};
        ic.series_attrs = {{"modality", mod}, {"bodypart", parts[series_n % 6]}};
        ic.object.hash[0] = static_cast<uint8_t>(n);
        std::memcpy(ic.object.hash.data() + 1, &n, sizeof n);
        ic.size = 1000;
        if (!c.commit_image(ic)) return 1;
      }
      ++series_n;
      if (series_n % 1000 == 0)
        std::fprintf(stderr, "\r%llu images (%.0f/s)", static_cast<unsigned long long>(n),
                     n / (ms_since(start) / 1000));
    }
    std::fprintf(stderr, "\nbuilt %llu images in %.1f s\n", static_cast<unsigned long long>(n),
                 ms_since(start) / 1000);
  }
  std::vector<index::FacetTerm> two = *index::parse_query("modality=CT&bodypart=CHEST");
  std::vector<index::FacetTerm> three = *index::parse_query("modality=MR&sex=F&age=40-60");
  size_t hits2 = 0, hits3 = 0;
  auto q2 = time_runs(20, [&] { hits2 = c.query_series(two)->size(); });
  auto q3 = time_runs(20, [&] { hits3 = c.query_series(three)->size(); });
  auto v = time_runs(20, [&] { (void)c.facet_values("modality"); });
  auto st = time_runs(5, [&] { (void)index::compute_stats(c); });
  size_t bad = 0, differ = 0;
  auto rc = time_runs(3, [&] { bad = c.check_series_totals()->size(); });
  auto scan = time_runs(3, [&] { differ = c.check_aggregates()->size(); });
  std::printf("| measurement (%llu images) | median ms | max ms | target |\n|---|---|---|---|\n",
              static_cast<unsigned long long>(images));
  std::printf("| query modality=CT&bodypart=CHEST (%zu series) | %.2f | %.2f | < 50 |\n", hits2,
              q2.first, q2.second);
  std::printf("| query modality=MR&sex=F&age=40-60 (%zu series) | %.2f | %.2f | < 50 |\n", hits3,
              q3.first, q3.second);
  std::printf("| list query/modality=/ (values and counts) | %.2f | %.2f | < 50 |\n", v.first,
              v.second);
  std::printf("| stats.json (compute_stats) | %.2f | %.2f | < 100 |\n", st.first, st.second);
  std::printf("| recount series totals from images (verify; %zu mismatches) | %.0f | %.0f | - |\n",
              bad, rc.first, rc.second);
  std::printf(
      "| statistics counted from the nodes (verify's check; %zu differences) | %.0f | %.0f | - |\n",
      differ, scan.first, scan.second);
  if (schema1) {
    // Every series, through the tree: collections -> individuals -> studies -> series.
    std::vector<index::NodeId> level{index::kRootId};
    for (int depth = 0; depth < 4; ++depth) {
      std::vector<index::NodeId> next;
      for (auto id : level) {
        auto kids = c.children(id);  // kept: a range-for over *c.children() would dangle
        if (!kids) return 1;
        for (auto& n : *kids) next.push_back(n.id);
      }
      level.swap(next);
    }
    for (auto id : level) {
      auto st = c.update_node_attrs(id, {{"_images", ""}, {"_bytes", ""}});
      if (!st) {
        std::fprintf(stderr, "strip: %s\n", st.error().message.c_str());
        return 1;
      }
    }
    auto full = time_runs(3, [&] { (void)c.check_aggregates(); });
    std::printf(
        "| statistics counted from the nodes without series totals (every image node) | %.0f | "
        "%.0f | - |\n",
        full.first, full.second);
    {
      auto meta = c.table("meta");
      auto txn = index::lmdb::Txn::begin(c.env(), true);
      if (!meta || !txn || !txn->put(*meta, "schema", "1") || !txn->commit()) {
        std::fprintf(stderr, "cannot mark the catalog as schema 1\n");
        return 1;
      }
    }
    cat->reset();  // `c` is gone from here on
    auto s = Clock::now();
    auto reopened = index::Catalog::open(dir, false, "OBIA", /*durable=*/false);
    double migrate = ms_since(s);
    if (!reopened) {
      std::fprintf(stderr, "reopen: %s\n", reopened.error().message.c_str());
      return 1;
    }
    auto& m = **reopened;
    std::printf(
        "| open schema-1 catalog (migration: %zu series recounted, %zu left) | %.0f | - | - |\n",
        level.size(), m.check_series_totals()->size(), migrate);
    auto st2 = time_runs(5, [&] { (void)index::compute_stats(m); });
    std::printf("| stats.json after the migration | %.2f | %.2f | < 100 |\n", st2.first,
                st2.second);
  }
  return 0;
}
