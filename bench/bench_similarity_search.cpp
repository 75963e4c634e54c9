// Benchmark: top-k Hamming search over N synthetic codes with each HashIndex kind, one query
// at a time on one core: build time, latency p50/p99, recall@k against the exact flat scan.
//   bench_similarity_search --n 1000000 --kinds flat,hnsw,ivf [--bits 64] [--k 30]
//                           [--queries 1000] [--data clustered|uniform] [--hnsw-m 32]
//                           [--ef-search 128] [--nlist 0] [--nprobe 0] [--build-threads 2]
// Synthetic data: "clustered" draws each code from one of N/50 random centres with 8 of its
// bits flipped (image codes form such clusters: series, near-identical slices); "uniform" is
// the worst case (no structure). Queries are database codes with 4 bits flipped.
// Recall counts a hit when its distance is within the exact k-th distance (equal distances
// are interchangeable). Latency is printed as wall time and as the query thread's CPU time (the
// latter is what a query costs when the machine is shared and loaded).
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "index/similarity/evaluate.h"
#include "index/similarity/hash_index.h"

using namespace obia::similarity;

namespace {

struct Args {
  size_t n = 1000000, queries = 1000, k = 30, nlist = 0, nprobe = 0;
  unsigned bits = 64;
  std::string kinds = "flat,hnsw,ivf", data = "clustered";
  int hnsw_m = 32, ef_search = 128, ef_construction = 80, build_threads = 2;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--n")
      a.n = std::stoull(v);
    else if (k == "--queries")
      a.queries = std::stoull(v);
    else if (k == "--k")
      a.k = std::stoull(v);
    else if (k == "--bits")
      a.bits = static_cast<unsigned>(std::stoul(v));
    else if (k == "--kinds")
      a.kinds = v;
    else if (k == "--data")
      a.data = v;
    else if (k == "--hnsw-m")
      a.hnsw_m = std::stoi(v);
    else if (k == "--ef-search")
      a.ef_search = std::stoi(v);
    else if (k == "--ef-construction")
      a.ef_construction = std::stoi(v);
    else if (k == "--nlist")
      a.nlist = std::stoull(v);
    else if (k == "--nprobe")
      a.nprobe = std::stoull(v);
    else if (k == "--build-threads")
      a.build_threads = std::stoi(v);
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      std::exit(2);
    }
  }
  return a;
}

std::vector<uint8_t> make_codes(const Args& a, std::mt19937_64& rng) {
  const size_t bytes = a.bits / 8;
  std::vector<uint8_t> out(a.n * bytes);
  if (a.data == "uniform") {
    for (size_t i = 0; i < out.size(); i += 8) {
      uint64_t r = rng();
      std::memcpy(&out[i], &r, std::min<size_t>(8, out.size() - i));
    }
    return out;
  }
  const size_t centres = std::max<size_t>(1, a.n / 50);
  std::vector<uint8_t> c(centres * bytes);
  for (auto& b : c) b = static_cast<uint8_t>(rng());
  for (size_t i = 0; i < a.n; ++i) {
    std::memcpy(&out[i * bytes], &c[(rng() % centres) * bytes], bytes);
    for (int f = 0; f < 8; ++f) {
      unsigned b = static_cast<unsigned>(rng() % a.bits);
      out[i * bytes + b / 8] ^= static_cast<uint8_t>(1u << (b % 8));
    }
  }
  return out;
}

// CPU time of this thread: unlike wall time, not inflated when other processes take the core
// (a shared, loaded machine), so it shows the cost of a query itself.
double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  Args a = parse(argc, argv);
  std::mt19937_64 rng(42);
  const size_t bytes = a.bits / 8;
  auto t0 = std::chrono::steady_clock::now();
  auto codes = make_codes(a, rng);
  std::vector<uint64_t> labels(a.n);
  for (size_t i = 0; i < a.n; ++i) labels[i] = i;
  std::vector<std::vector<uint8_t>> queries;
  for (size_t q = 0; q < a.queries; ++q) {
    size_t at = rng() % a.n;
    std::vector<uint8_t> c(codes.begin() + static_cast<ptrdiff_t>(at * bytes),
                           codes.begin() + static_cast<ptrdiff_t>((at + 1) * bytes));
    for (int f = 0; f < 4; ++f) {
      unsigned b = static_cast<unsigned>(rng() % a.bits);
      c[b / 8] ^= static_cast<uint8_t>(1u << (b % 8));
    }
    queries.push_back(std::move(c));
  }
  std::printf("data: %zu %s %u-bit codes, %zu queries, k=%zu (generated in %.1f s)\n", a.n,
              a.data.c_str(), a.bits, a.queries, a.k, seconds_since(t0));

  IndexParams p;
  p.hnsw_m = a.hnsw_m;
  p.hnsw_ef_search = a.ef_search;
  p.hnsw_ef_construction = a.ef_construction;
  p.ivf_nlist = a.nlist;
  p.ivf_nprobe = a.nprobe;
  set_search_threads(1);  // one core per query

  std::vector<std::vector<Neighbor>> exact;
  std::string kinds = a.kinds + ",";
  for (size_t pos = 0; (pos = kinds.find(',')) != std::string::npos; kinds.erase(0, pos + 1)) {
    std::string name = kinds.substr(0, pos);
    auto kind = parse_index_kind(name);
    if (!kind) continue;
    omp_set_num_threads(a.build_threads);
    t0 = std::chrono::steady_clock::now();
    auto index = build_index(*kind, a.bits, codes, labels, p);
    if (!index) {
      std::fprintf(stderr, "%s: %s\n", name.c_str(), index.error().message.c_str());
      return 1;
    }
    double build = seconds_since(t0);
    omp_set_num_threads(1);
    std::vector<double> ms, cpu_ms;
    std::vector<std::vector<Neighbor>> results;
    for (const auto& q : queries) {
      auto t = std::chrono::steady_clock::now();
      double c = thread_cpu_ms();
      results.push_back((*index)->search(q, a.k));
      cpu_ms.push_back(thread_cpu_ms() - c);
      ms.push_back(seconds_since(t) * 1000);
    }
    if (*kind == IndexKind::Flat && (*index)->kind() == IndexKind::Flat) exact = results;
    double recall = -1;
    if (!exact.empty()) {
      double found = 0, wanted = 0;
      for (size_t q = 0; q < results.size(); ++q) {
        uint32_t kth = exact[q].back().distance;
        wanted += static_cast<double>(exact[q].size());
        for (const auto& h : results[q]) found += h.distance <= kth ? 1 : 0;
      }
      recall = found / wanted;
    }
    auto pc = percentiles(ms), cpu = percentiles(cpu_ms);
    double mean = 0;
    for (double m : ms) mean += m;
    mean /= static_cast<double>(ms.size());
    std::printf(
        "%-5s build %7.1f s  query p50 %7.3f ms  p99 %7.3f ms  mean %7.3f ms  "
        "(cpu p50 %7.3f ms  p99 %7.3f ms)  recall@%zu %s\n",
        to_string((*index)->kind()).c_str(), build, pc.p50, pc.p99, mean, cpu.p50, cpu.p99, a.k,
        recall < 0 ? "n/a (run flat first)" : std::to_string(recall).substr(0, 6).c_str());
    std::fflush(stdout);
  }
  return 0;
}
