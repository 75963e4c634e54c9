// mAP@k / precision@k over a Faiss flat index, and percentiles.
#include "index/similarity/evaluate.h"

#include <algorithm>
#include <cmath>

#include "index/similarity/hash_index.h"

namespace obia::similarity {

double average_precision(const std::vector<bool>& relevant) {
  double sum = 0;
  size_t hits = 0;
  for (size_t r = 0; r < relevant.size(); ++r) {
    if (!relevant[r]) continue;
    ++hits;
    sum += static_cast<double>(hits) / static_cast<double>(r + 1);
  }
  return hits ? sum / static_cast<double>(hits) : 0.0;
}

Result<RetrievalScore> evaluate_retrieval(std::span<const Code> db, std::span<const int> db_labels,
                                          std::span<const Code> queries,
                                          std::span<const int> query_labels, size_t k,
                                          bool leave_one_out) {
  RetrievalScore score;
  if (db.empty() || queries.empty() || k == 0) return score;
  const size_t bytes = db[0].size();
  std::vector<uint8_t> flat;
  flat.reserve(db.size() * bytes);
  std::vector<uint64_t> ids(db.size());
  for (size_t i = 0; i < db.size(); ++i) {
    if (db[i].size() != bytes) return make_error(EINVAL, "codes of different lengths");
    flat.insert(flat.end(), db[i].begin(), db[i].end());
    ids[i] = i;
  }
  auto index = build_index(IndexKind::Flat, static_cast<unsigned>(bytes * 8), flat, ids);
  if (!index) return index.error();
  double map = 0, prec = 0;
  for (size_t q = 0; q < queries.size(); ++q) {
    auto hits = (*index)->search(queries[q], k + (leave_one_out ? 1 : 0));
    std::vector<bool> rel;
    for (const auto& h : hits) {
      if (leave_one_out && h.label == q) continue;
      if (rel.size() == k) break;
      rel.push_back(db_labels[h.label] == query_labels[q]);
    }
    map += average_precision(rel);
    prec += static_cast<double>(std::count(rel.begin(), rel.end(), true)) / static_cast<double>(k);
  }
  score.queries = queries.size();
  score.map = map / static_cast<double>(queries.size());
  score.precision = prec / static_cast<double>(queries.size());
  return score;
}

Percentiles percentiles(std::vector<double> s) {
  Percentiles p;
  if (s.empty()) return p;
  std::sort(s.begin(), s.end());
  auto at = [&](double q) {
    size_t i = static_cast<size_t>(std::ceil(q * static_cast<double>(s.size()))) ;
    return s[std::min(s.size() - 1, i == 0 ? 0 : i - 1)];
  };
  p.p50 = at(0.50);
  p.p99 = at(0.99);
  p.max = s.back();
  return p;
}

}  // namespace obia::similarity
