// The training-free code: deterministic, fixed across versions, robust to small alterations
// (an altered copy ranks first among other images), specs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "index/similarity/decode.h"
#include "index/similarity/hasher.h"
#include "index/similarity/projection_hasher.h"
#include "support.h"

using namespace obia::similarity;
using namespace simtest;

#define GOLDEN_PHANTOM_1_1 "6a20a98e82bf513f"

namespace {

std::string hex(const Code& c) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (uint8_t b : c) {
    s.push_back(d[b >> 4]);
    s.push_back(d[b & 15]);
  }
  return s;
}

Code code_of(const Hasher& h, const GrayImage& img) {
  auto c = hash_image(h, img);
  EXPECT_TRUE(c.ok());
  return c ? *c : Code{};
}

// Rank of `target` among `db` by distance to `query`, ties counted against it.
size_t rank_of(const Code& query, const std::vector<Code>& db, size_t target) {
  uint32_t d = hamming(query, db[target]);
  size_t rank = 1;
  for (size_t i = 0; i < db.size(); ++i)
    if (i != target && hamming(query, db[i]) <= d) ++rank;
  return rank;
}

std::vector<uint8_t> read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST(ProjectionHasher, DeterministicAcrossInstancesAndCalls) {
  ProjectionHasher a(64, 128), b(64, 128);
  GrayImage img = phantom(11, 3);
  Code c1 = code_of(a, img), c2 = code_of(b, img), c3 = code_of(a, img);
  EXPECT_EQ(c1, c2);
  EXPECT_EQ(c1, c3);
  EXPECT_EQ(c1.size(), 8u);
}

// Stored codes depend on this exact definition: a change here needs a reindex of every
// archive, so it must be deliberate (update the golden value and bump the spec name).
TEST(ProjectionHasher, GoldenCode) {
  ProjectionHasher h(64, 128);
  EXPECT_EQ(hex(code_of(h, phantom(1, 1))), GOLDEN_PHANTOM_1_1);
}

TEST(ProjectionHasher, BitsAndFlatImages) {
  for (unsigned bits : {32u, 128u, 256u}) {
    ProjectionHasher h(bits, 64);
    EXPECT_EQ(code_of(h, phantom(2, 2, 64)).size(), bits / 8);
  }
  GrayImage flat;
  flat.width = flat.height = 128;
  flat.pixels.assign(128 * 128, 0.5f);
  ProjectionHasher h(64, 128);
  EXPECT_EQ(code_of(h, flat), Code(8, 0));
}

// Among 300 different images, the 64-bit code keeps an altered copy within a few bits and
// among the nearest; the 256-bit fingerprint (which the service uses to order candidates)
// puts it first.
TEST(ProjectionHasher, AlteredCopyIsNearAndTheFingerprintRanksItFirst) {
  ProjectionHasher h(64, 128);
  std::vector<GrayImage> images;
  for (uint64_t f = 0; f < 300; ++f) images.push_back(phantom(f, 0));
  std::vector<Code> db, fdb;
  for (const auto& img : images) {
    db.push_back(code_of(h, img));
    fdb.push_back(code_of(fingerprinter(), img));
  }
  uint32_t worst = 0;
  size_t first64 = 0, queries = 0;
  for (size_t q = 0; q < images.size(); q += 3, ++queries) {
    GrayImage copy = altered(images[q], q);
    Code c = code_of(h, copy);
    worst = std::max(worst, hamming(c, db[q]));
    size_t r = rank_of(c, db, q);
    first64 += r == 1;
    EXPECT_LE(r, 10u) << "query " << q;
    EXPECT_EQ(rank_of(code_of(fingerprinter(), copy), fdb, q), 1u) << "query " << q;
    EXPECT_LE(hamming(code_of(fingerprinter(), copy), fdb[q]), 32u) << "query " << q;
  }
  EXPECT_LE(worst, 10u);  // of 64 bits
  std::cout << "64-bit code alone: altered copy first for " << first64 << "/" << queries << "\n";
}

TEST(ProjectionHasher, EachAlterationAloneKeepsTheCodeClose) {
  ProjectionHasher h(64, 128);
  GrayImage img = phantom(3, 4);
  Code ref = code_of(h, img);
  EXPECT_LE(hamming(ref, code_of(h, altered(img, 1, 0.03f, 0, 0, 1, 0))), 6u);  // noise
  EXPECT_LE(hamming(ref, code_of(h, altered(img, 1, 0, 4, -3, 1, 0))), 6u);     // shift
  EXPECT_LE(hamming(ref, code_of(h, altered(img, 1, 0, 0, 0, 0.9f, 0.05f))), 2u);  // intensity
}

// Real images: each WG04 reference image and pydicom test image, altered, finds itself first.
TEST(ProjectionHasher, AlteredRealImagesRankFirst) {
  std::vector<std::filesystem::path> files;
  std::filesystem::path wg04 = std::filesystem::path(OBIA_SHARED_DICOM_DIR) / "wg04" / "REF";
  if (std::filesystem::exists(wg04))
    for (auto& e : std::filesystem::directory_iterator(wg04)) files.push_back(e.path());
  std::filesystem::path py = OBIA_PYDICOM_DIR;
  for (const char* n : {"CT_small.dcm", "MR_small.dcm", "JPEG-lossy.dcm", "liver_1frame.dcm",
                        "SC_rgb_jpeg_dcmtk.dcm", "rtdose_1frame.dcm", "SC_ybr_full_422_uncompressed.dcm"})
    if (std::filesystem::exists(py / n)) files.push_back(py / n);
  std::sort(files.begin(), files.end());
  ProjectionHasher h(64, 128);
  std::vector<GrayImage> images;
  for (const auto& f : files) {
    auto img = decode_any(read_bytes(f));
    if (img) images.push_back(resize(*img, 128, 128));
  }
  if (images.size() < 8) GTEST_SKIP() << "real test images not available";
  // The same picture in two encodings (pydicom's SC_* files, WG04's NM1 and JPEG-lossy.dcm)
  // counts once.
  std::vector<Code> db;
  std::vector<size_t> which;
  for (size_t i = 0; i < images.size(); ++i) {
    Code c = code_of(h, images[i]);
    bool dup = false;
    for (const auto& d : db) dup = dup || hamming(c, d) <= 2;
    if (dup) continue;
    db.push_back(c);
    which.push_back(i);
  }
  const size_t real = db.size();
  for (uint64_t f = 0; f < 100; ++f) db.push_back(code_of(h, phantom(f, 0)));  // distractors
  for (size_t q = 0; q < real; ++q) {
    Code copy = code_of(h, altered(images[which[q]], q + 1));
    EXPECT_EQ(rank_of(copy, db, q), 1u) << files[which[q]] << " at " << hamming(copy, db[q]);
  }
}

TEST(HasherSpec, RoundTripAndValidation) {
  auto s = HasherSpec::parse("model/128/96/abc.pt");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->kind, "model");
  EXPECT_EQ(s->bits, 128u);
  EXPECT_EQ(s->size, 96u);
  EXPECT_EQ(s->str(), "model/128/96/abc.pt");
  EXPECT_EQ(default_spec(), "projection/64/128");
  for (const char* bad : {"", "projection", "projection/63/128", "projection/264/128",
                          "projection/64/8", "model/64/128", "model/64/128/../x.pt", "foo/64/128",
                          "projection/64/128/x"})
    EXPECT_FALSE(HasherSpec::parse(bad).ok()) << bad;
  EXPECT_FALSE(make_hasher("model/64/128/missing.pt", "/nonexistent").ok());
}

TEST(Hamming, CountsDifferingBits) {
  Code a(32, 0), b(32, 0);
  EXPECT_EQ(hamming(a, b), 0u);
  b[0] = 0xFF;
  b[31] = 0x01;
  b[9] = 0x10;
  EXPECT_EQ(hamming(a, b), 10u);
}
