// Exact k-nearest search by Hamming distance over a contiguous array of codes: the kernel of
// the Flat index. Our own because Debian's libfaiss is built for baseline x86-64 and counts
// bits with a libgcc call per word; this one uses the POPCNT instruction when the CPU has it
// (checked at run time), about 5-10× faster.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace obia::similarity {

struct ScanHit {
  uint32_t distance;
  uint64_t position;
};

// The k codes nearest to `query` among `n` codes of `bytes` bytes each (any length: a 32-bit
// code is 4 bytes) starting at `codes`, sorted by distance, then by position (equal distances:
// earliest first).
std::vector<ScanHit> hamming_knn(const uint8_t* codes, size_t n, size_t bytes, const uint8_t* query,
                                 size_t k);

}  // namespace obia::similarity
