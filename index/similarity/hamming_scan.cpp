// Flat Hamming k-NN scan with a bounded max-heap; POPCNT-compiled variants picked at run time.
#include "index/similarity/hamming_scan.h"

#include <algorithm>
#include <cstring>

namespace obia::similarity {
namespace {

// Max-heap on (distance, position): the root is the current k-th best.
struct Worse {
  bool operator()(const ScanHit& a, const ScanHit& b) const {
    return a.distance != b.distance ? a.distance < b.distance : a.position < b.position;
  }
};

#define OBIA_INLINE inline __attribute__((always_inline))

template <size_t Words>
OBIA_INLINE uint32_t distance_fixed(const uint8_t* a, const uint64_t* q) {
  uint32_t d = 0;
  for (size_t w = 0; w < Words; ++w) {
    uint64_t x;
    std::memcpy(&x, a + 8 * w, 8);
    d += static_cast<uint32_t>(__builtin_popcountll(x ^ q[w]));
  }
  return d;
}

// Any length: whole words, then the remaining 1..7 bytes as one zero-padded word (the query is
// padded the same way, so the padding never counts).
OBIA_INLINE uint32_t distance_any(const uint8_t* a, const uint64_t* q, size_t bytes) {
  uint32_t d = 0;
  const size_t words = bytes / 8, tail = bytes % 8;
  for (size_t w = 0; w < words; ++w) {
    uint64_t x;
    std::memcpy(&x, a + 8 * w, 8);
    d += static_cast<uint32_t>(__builtin_popcountll(x ^ q[w]));
  }
  if (tail) {
    uint64_t x = 0;
    std::memcpy(&x, a + 8 * words, tail);
    d += static_cast<uint32_t>(__builtin_popcountll(x ^ q[words]));
  }
  return d;
}

// The scan itself, inlined into each instruction-set variant below.
// Words = 0: any length.
template <size_t Words>
OBIA_INLINE std::vector<ScanHit> scan(const uint8_t* codes, size_t n, size_t bytes, size_t k,
                                      const uint64_t* q) {
  std::vector<ScanHit> heap;
  heap.reserve(k + 1);
  uint32_t worst = UINT32_MAX;
  for (size_t i = 0; i < n; ++i) {
    uint32_t d = Words ? distance_fixed<Words>(codes + i * bytes, q)
                       : distance_any(codes + i * bytes, q, bytes);
    if (heap.size() < k) {
      heap.push_back({d, i});
      std::push_heap(heap.begin(), heap.end(), Worse{});
      if (heap.size() == k) worst = heap.front().distance;
    } else if (d < worst) {
      std::pop_heap(heap.begin(), heap.end(), Worse{});
      heap.back() = {d, i};
      std::push_heap(heap.begin(), heap.end(), Worse{});
      worst = heap.front().distance;
    }
  }
  std::sort_heap(heap.begin(), heap.end(), Worse{});
  return heap;
}

OBIA_INLINE std::vector<ScanHit> dispatch(const uint8_t* codes, size_t n, size_t bytes,
                                          const uint64_t* q, size_t k) {
  switch (bytes) {
    case 8:
      return scan<1>(codes, n, bytes, k, q);
    case 16:
      return scan<2>(codes, n, bytes, k, q);
    case 32:
      return scan<4>(codes, n, bytes, k, q);
    default:
      return scan<0>(codes, n, bytes, k, q);
  }
}

__attribute__((target("popcnt"))) std::vector<ScanHit> knn_popcnt(const uint8_t* codes, size_t n,
                                                                  size_t bytes, const uint64_t* q,
                                                                  size_t k) {
  return dispatch(codes, n, bytes, q, k);
}

std::vector<ScanHit> knn_generic(const uint8_t* codes, size_t n, size_t bytes, const uint64_t* q,
                                 size_t k) {
  return dispatch(codes, n, bytes, q, k);
}

}  // namespace

std::vector<ScanHit> hamming_knn(const uint8_t* codes, size_t n, size_t bytes, const uint8_t* query,
                                 size_t k) {
  if (k == 0 || n == 0 || bytes == 0) return {};
  k = std::min(k, n);
  std::vector<uint64_t> q((bytes + 7) / 8, 0);  // zero-padded to whole words
  std::memcpy(q.data(), query, bytes);
  static const bool has_popcnt = __builtin_cpu_supports("popcnt");
  return has_popcnt ? knn_popcnt(codes, n, bytes, q.data(), k)
                    : knn_generic(codes, n, bytes, q.data(), k);
}

}  // namespace obia::similarity
