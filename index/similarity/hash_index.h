// The HashIndex interface: k-nearest binary codes by Hamming distance, with Faiss behind it
// (no Faiss header leaks out of faiss_index.cpp). Implementations:
//   Flat  exact scan (IndexBinaryFlat): the default while a scan is fast enough
//   Hnsw  graph search (IndexBinaryHNSW): approximate, sub-linear, no training
//   Ivf   inverted lists (IndexBinaryIVF): approximate; centroids sampled from the codes
// Labels are the caller's 64-bit ids (image NodeIds). Concurrency: any number of search()
// calls may run together; add() must not overlap anything (the service holds a lock).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"

namespace obia::similarity {

enum class IndexKind : uint32_t { Flat = 1, Hnsw = 2, Ivf = 3 };
std::string to_string(IndexKind kind);
Result<IndexKind> parse_index_kind(const std::string& name);

struct IndexParams {
  int hnsw_m = 32;               // graph degree
  int hnsw_ef_construction = 80;
  int hnsw_ef_search = 128;      // raised to k when k is larger
  size_t ivf_nlist = 0;          // 0: about 4·sqrt(n), at least 16
  size_t ivf_nprobe = 0;         // 0: nlist / 8, at least 16
};

// Which kind to build for n codes: exact up to flat_max, then `large`.
struct IndexPolicy {
  size_t flat_max = 16'000'000;  // exact scan: ~1.7 ms per million codes (p99, one core)
  IndexKind large = IndexKind::Hnsw;
  IndexParams params;
  IndexKind choose(size_t n) const { return n <= flat_max ? IndexKind::Flat : large; }
};

struct Neighbor {
  uint64_t label = 0;
  uint32_t distance = 0;
};

class HashIndex {
 public:
  virtual ~HashIndex() = default;
  virtual IndexKind kind() const = 0;
  virtual unsigned bits() const = 0;
  virtual size_t size() const = 0;
  virtual const std::vector<uint64_t>& labels() const = 0;  // in insertion order
  // `codes` holds labels.size() codes of bits()/8 bytes each.
  virtual Status add(std::span<const uint8_t> codes, std::span<const uint64_t> labels) = 0;
  // Up to k nearest codes, nearest first (ties in insertion order for Flat).
  virtual std::vector<Neighbor> search(std::span<const uint8_t> code, size_t k) const = 0;
  // Writes the whole index to `file` atomically (temp + fsync + rename), stamped with
  // `generation` and a checksum.
  virtual Status save(const std::filesystem::path& file, uint64_t generation) const = 0;
};

// Builds an index over `codes` (IVF takes its centroids from them; with fewer than 8 codes per
// list it falls back to Flat).
Result<std::unique_ptr<HashIndex>> build_index(IndexKind kind, unsigned bits,
                                               std::span<const uint8_t> codes,
                                               std::span<const uint64_t> labels,
                                               const IndexParams& params = {});

struct LoadedIndex {
  std::unique_ptr<HashIndex> index;
  uint64_t generation = 0;
};
// Reads a file written by save(). EIO when it is damaged (bad magic, size or checksum),
// ENOENT when missing.
Result<LoadedIndex> load_index(const std::filesystem::path& file, const IndexParams& params = {});

// OpenMP threads each search() may use (default 1: a single query gains little from threads,
// and FUSE already runs many searches at once).
void set_search_threads(int threads);

}  // namespace obia::similarity
