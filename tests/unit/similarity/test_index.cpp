// HashIndex: flat is exact, HNSW and IVF recall against flat, persistence and damage.
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "index/similarity/hash_index.h"
#include "index/similarity/hasher.h"
#include "support.h"

using namespace obia::similarity;

namespace {

// Clustered codes, like real ones: centres with a few bits flipped per member.
std::vector<uint8_t> clustered_codes(size_t n, unsigned bits, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const size_t bytes = bits / 8, centres = std::max<size_t>(1, n / 50);
  std::vector<uint8_t> c(centres * bytes);
  for (auto& b : c) b = static_cast<uint8_t>(rng());
  std::vector<uint8_t> out(n * bytes);
  std::uniform_int_distribution<unsigned> bit(0, bits - 1);
  for (size_t i = 0; i < n; ++i) {
    size_t centre = rng() % centres;
    std::copy_n(&c[centre * bytes], bytes, &out[i * bytes]);
    for (int f = 0; f < 8; ++f) {
      unsigned b = bit(rng);
      out[i * bytes + b / 8] ^= static_cast<uint8_t>(1u << (b % 8));
    }
  }
  return out;
}

std::vector<uint64_t> labels_for(size_t n) {
  std::vector<uint64_t> l(n);
  for (size_t i = 0; i < n; ++i) l[i] = 1000 + i * 3;
  return l;
}

// Recall by distance: a hit counts when it is within the exact k-th distance (ties are
// interchangeable).
double recall(const HashIndex& approx, const HashIndex& exact, std::span<const uint8_t> codes,
              unsigned bits, size_t queries, size_t k) {
  const size_t bytes = bits / 8, n = codes.size() / bytes;
  double found = 0, wanted = 0;
  for (size_t q = 0; q < queries; ++q) {
    auto query = codes.subspan((q * 7919 % n) * bytes, bytes);
    auto e = exact.search(query, k);
    auto a = approx.search(query, k);
    uint32_t kth = e.back().distance;
    wanted += static_cast<double>(e.size());
    for (const auto& h : a) found += h.distance <= kth ? 1 : 0;
  }
  return found / wanted;
}

}  // namespace

TEST(HashIndex, FlatIsExact) {
  const unsigned bits = 64;
  auto codes = clustered_codes(5000, bits, 1);
  auto labels = labels_for(5000);
  auto index = build_index(IndexKind::Flat, bits, codes, labels);
  ASSERT_TRUE(index.ok()) << index.error().message;
  EXPECT_EQ((*index)->size(), 5000u);
  for (size_t q = 0; q < 20; ++q) {
    std::span<const uint8_t> query(&codes[q * 97 * 8], 8);
    auto hits = (*index)->search(query, 30);
    ASSERT_EQ(hits.size(), 30u);
    std::vector<uint32_t> all;
    for (size_t i = 0; i < 5000; ++i) all.push_back(hamming(query, std::span(&codes[i * 8], 8)));
    std::sort(all.begin(), all.end());
    for (size_t i = 0; i < 30; ++i) EXPECT_EQ(hits[i].distance, all[i]);
    EXPECT_EQ(hits[0].distance, 0u);
    EXPECT_EQ((hits[0].label - 1000) % 3, 0u);
  }
  EXPECT_EQ((*index)->search(std::span(&codes[0], 8), 10000).size(), 5000u);
}

// Every valid width, including those that are not whole 64-bit words (32, 40, 72, ... bits):
// the scan must count the tail bytes (it once returned nothing for 32-bit codes).
TEST(HashIndex, FlatIsExactForEveryCodeWidth) {
  for (unsigned bits = 32; bits <= 256; bits += 8) {
    const size_t bytes = bits / 8, n = 600;
    auto codes = clustered_codes(n, bits, bits);
    auto labels = labels_for(n);
    auto index = build_index(IndexKind::Flat, bits, codes, labels);
    ASSERT_TRUE(index.ok()) << bits << ": " << index.error().message;
    for (size_t q = 0; q < 5; ++q) {
      std::span<const uint8_t> query(&codes[q * 101 * bytes], bytes);
      auto hits = (*index)->search(query, 30);
      ASSERT_EQ(hits.size(), 30u) << bits << " bits";
      std::vector<uint32_t> all;
      for (size_t i = 0; i < n; ++i)
        all.push_back(hamming(query, std::span(&codes[i * bytes], bytes)));
      std::sort(all.begin(), all.end());
      for (size_t i = 0; i < 30; ++i) EXPECT_EQ(hits[i].distance, all[i]) << bits << " bits";
      EXPECT_EQ(hits[0].distance, 0u) << bits << " bits";
    }
  }
}

TEST(HashIndex, ApproximateIndexesRecallAgainstFlat) {
  const unsigned bits = 64;
  const size_t n = 6000;
  auto codes = clustered_codes(n, bits, 2);
  auto labels = labels_for(n);
  IndexParams p;
  p.ivf_nlist = 64;
  auto flat = build_index(IndexKind::Flat, bits, codes, labels);
  ASSERT_TRUE(flat.ok());
  auto hnsw = build_index(IndexKind::Hnsw, bits, codes, labels, p);
  ASSERT_TRUE(hnsw.ok()) << hnsw.error().message;
  EXPECT_EQ((*hnsw)->kind(), IndexKind::Hnsw);
  EXPECT_GE(recall(**hnsw, **flat, codes, bits, 200, 30), 0.95);
  auto ivf = build_index(IndexKind::Ivf, bits, codes, labels, p);
  ASSERT_TRUE(ivf.ok()) << ivf.error().message;
  EXPECT_EQ((*ivf)->kind(), IndexKind::Ivf);
  EXPECT_GE(recall(**ivf, **flat, codes, bits, 200, 30), 0.90);
  // Deep searches (the visibility filter asks for more) stay accurate too.
  EXPECT_GE(recall(**hnsw, **flat, codes, bits, 50, 300), 0.95);
}

TEST(HashIndex, IvfWithTooFewCodesFallsBackToFlat) {
  auto codes = clustered_codes(100, 64, 3);
  auto index = build_index(IndexKind::Ivf, 64, codes, labels_for(100));  // 40 lists wanted
  ASSERT_TRUE(index.ok());
  EXPECT_EQ((*index)->kind(), IndexKind::Flat);
}

TEST(HashIndex, SaveLoadRoundTripForEveryKind) {
  simtest::TempDir dir;
  const unsigned bits = 128;
  auto codes = clustered_codes(3000, bits, 4);
  auto labels = labels_for(3000);
  for (IndexKind kind : {IndexKind::Flat, IndexKind::Hnsw, IndexKind::Ivf}) {
    IndexParams p;
    p.ivf_nlist = 32;
    auto index = build_index(kind, bits, codes, labels, p);
    ASSERT_TRUE(index.ok()) << index.error().message;
    auto file = dir.path / ("index-" + to_string(kind) + ".bin");
    ASSERT_TRUE((*index)->save(file, 42).ok());
    auto loaded = load_index(file, p);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    EXPECT_EQ(loaded->generation, 42u);
    EXPECT_EQ(loaded->index->kind(), kind);
    EXPECT_EQ(loaded->index->labels(), labels);
    std::span<const uint8_t> q(&codes[16 * 55], 16);
    auto a = (*index)->search(q, 30), b = loaded->index->search(q, 30);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].label, b[i].label);
      EXPECT_EQ(a[i].distance, b[i].distance);
    }
    // Still growing after a load.
    std::vector<uint8_t> extra(16, 0xAB);
    uint64_t id = 7;
    ASSERT_TRUE(loaded->index->add(extra, std::span<const uint64_t>(&id, 1)).ok());
    EXPECT_EQ(loaded->index->search(extra, 1).at(0).label, 7u);
  }
}

TEST(HashIndex, DamagedOrMissingFilesAreReported) {
  simtest::TempDir dir;
  auto codes = clustered_codes(1000, 64, 5);
  auto index = build_index(IndexKind::Flat, 64, codes, labels_for(1000));
  ASSERT_TRUE(index.ok());
  auto file = dir.path / "index.bin";
  ASSERT_TRUE((*index)->save(file, 1).ok());
  EXPECT_EQ(load_index(dir.path / "nope.bin").error().code, ENOENT);
  auto size = std::filesystem::file_size(file);
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size / 2));
    f.put('\x5A');
  }
  auto damaged = load_index(file);
  ASSERT_FALSE(damaged.ok());
  EXPECT_EQ(damaged.error().code, EIO);
  std::filesystem::resize_file(file, 20);
  EXPECT_EQ(load_index(file).error().code, EIO);
}

TEST(HashIndex, PolicyChoosesFlatUntilItsLimit) {
  IndexPolicy p;
  p.flat_max = 1000;
  EXPECT_EQ(p.choose(1000), IndexKind::Flat);
  EXPECT_EQ(p.choose(1001), IndexKind::Hnsw);
  EXPECT_EQ(parse_index_kind("ivf").value(), IndexKind::Ivf);
  EXPECT_FALSE(parse_index_kind("lsh").ok());
}
