// Retrieval quality of binary codes: mAP@k and precision@k, and latency percentiles.
// AP@k of one query = mean of precision@r over the ranks r <= k that hold a relevant item
// (same label), i.e. normalised by the relevant items retrieved (0 when none): the usual
// definition in the deep-hashing literature. precision@k = relevant items in the top k / k.
// Ranking: Hamming distance, ties in database order (exact Faiss flat scan).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "index/similarity/hasher.h"

namespace obia::similarity {

struct RetrievalScore {
  double map = 0;
  double precision = 0;
  size_t queries = 0;
};

// `leave_one_out`: queries are the database itself and each query's own entry is skipped.
Result<RetrievalScore> evaluate_retrieval(std::span<const Code> db, std::span<const int> db_labels,
                                          std::span<const Code> queries,
                                          std::span<const int> query_labels, size_t k,
                                          bool leave_one_out);

// AP@k of one ranked list of relevance flags (already cut to k).
double average_precision(const std::vector<bool>& relevant);

struct Percentiles {
  double p50 = 0, p99 = 0, max = 0;
};
Percentiles percentiles(std::vector<double> samples);

}  // namespace obia::similarity
