// SimilarityService over a real (temporary) archive: codes at ingest, similar_to with the
// visibility filter, query by example, persistence and rebuild of the index, sync of missing
// codes, and reloading after a reindex.
#include <gtest/gtest.h>

#include <dcmtk/dcmdata/dcdeftag.h>

#include <fstream>
#include <iostream>
#include <set>

#include "index/similarity/code_store.h"
#include "index/similarity/model_store.h"
#include "index/similarity/reindex.h"
#include "index/similarity/similarity_service.h"
#include "support.h"

using namespace obia;
using namespace obia::similarity;
using namespace simtest;

namespace {

struct ServiceTest : ::testing::Test {
  TestArchive ar;
  index::NodeId coll = 0;
  std::vector<index::NodeId> ids;
  std::vector<GrayImage> images;

  void SetUp() override { coll = ar.collection("glioma"); }

  std::unique_ptr<SimilarityService> open(ServiceOptions o = {}) {
    o.sync_at_open = false;
    auto s = SimilarityService::open(ar.paths, *ar.catalog, *ar.objects, o);
    EXPECT_TRUE(s.ok()) << (s ? "" : s.error().message);
    return s ? std::move(*s) : nullptr;
  }

  // Archives phantoms of 6 families × 10 variants; with a service, as the pipeline hook would.
  void archive_images(SimilarityService* service, size_t families = 6, size_t variants = 10) {
    for (uint64_t f = 0; f < families; ++f)
      for (uint64_t v = 0; v < variants; ++v) add(service, phantom(f, v), "s" + std::to_string(f));
  }

  index::NodeId add(SimilarityService* service, const GrayImage& img, const std::string& series) {
    std::string uid = "1.2.826.0.1.3680043.8.498.9." + std::to_string(ids.size() + 1);
    auto file = make_dicom(img, {}, uid);
    index::NodeId id = ar.archive(coll, *file, series, "CT", uid);
    EXPECT_NE(id, 0u);
    if (service) service->on_archived(id, *file);
    ids.push_back(id);
    images.push_back(img);
    return id;
  }
};

// Nearest first (ties are ordered by fingerprint distance, not visible here).
bool sorted_hits(const std::vector<Hit>& hits) {
  for (size_t i = 1; i < hits.size(); ++i)
    if (hits[i - 1].distance > hits[i].distance || hits[i - 1].image == hits[i].image) return false;
  return true;
}

}  // namespace

TEST_F(ServiceTest, SimilarToListsKNearestWithoutItself) {
  auto s = open();
  archive_images(s.get(), 60, 1);  // different images: no near-duplicate goes first
  auto hits = s->similar_to(ids[3], 30, {});
  ASSERT_TRUE(hits.ok()) << hits.error().message;
  ASSERT_EQ(hits->size(), 30u);
  EXPECT_TRUE(sorted_hits(*hits));
  for (const auto& h : *hits) EXPECT_NE(h.image, ids[3]);
  // Asking for more than there is gives everything else.
  auto all = s->similar_to(ids[3], 1000, {});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), ids.size() - 1);
  EXPECT_EQ(s->similar_to(index::make_id(index::Kind::Image, 9999), 5, {}).error().code, ENOENT);
}

// Altered copies of some of 120 different images: the original's first hit is its copy and
// the copy's first hit is its original (nearly always with these smooth, look-alike phantoms;
// always with the real images of test_hasher.cpp), and never far down the list.
TEST_F(ServiceTest, AlteredCopyIsTheFirstHit) {
  auto s = open();
  archive_images(s.get(), 120, 1);
  size_t first = 0, top3 = 0, n = 0;
  for (size_t i = 0; i < 120; i += 4) {
    index::NodeId copy = add(s.get(), altered(images[i], i + 5), "copies");
    for (auto [from, to] : {std::pair{ids[i], copy}, std::pair{copy, ids[i]}}) {
      auto hits = s->similar_to(from, 3, {});
      ASSERT_TRUE(hits.ok()) << hits.error().message;
      ASSERT_FALSE(hits->empty());
      first += hits->front().image == to;
      for (const auto& h : *hits) top3 += h.image == to;
      ++n;
    }
  }
  std::cout << "altered copies: first for " << first << "/" << n << ", top 3 for " << top3 << "\n";
  EXPECT_GE(static_cast<double>(first) / static_cast<double>(n), 0.85);
  EXPECT_GE(static_cast<double>(top3) / static_cast<double>(n), 0.95);
}

// Near-identical images (10 variants per family, like neighbouring slices): the fingerprint
// orders equal distances, so the copy is first more often than the code alone would place it,
// and always among the first few.
TEST_F(ServiceTest, AlteredCopyAmongNearIdenticalImages) {
  auto s = open();
  archive_images(s.get(), 12, 10);
  size_t first = 0, top3 = 0, n = 0;
  for (size_t i = 0; i < 120; i += 4, ++n) {
    index::NodeId copy = add(s.get(), altered(images[i], i + 5), "copies");
    auto hits = s->similar_to(copy, 3, {});
    ASSERT_TRUE(hits.ok()) << hits.error().message;
    first += hits->at(0).image == ids[i];
    for (const auto& h : *hits) top3 += h.image == ids[i];
  }
  std::cout << "near-identical: original first for " << first << "/" << n << ", in the top 3 for "
            << top3 << "\n";
  EXPECT_GE(static_cast<double>(first) / static_cast<double>(n), 0.7);
  EXPECT_GE(static_cast<double>(top3) / static_cast<double>(n), 0.9);
}

TEST_F(ServiceTest, VisibilityFilterSearchesDeeperForKVisibleHits) {
  auto s = open();
  archive_images(s.get());
  // Only every fifth image is readable by this caller.
  std::set<index::NodeId> readable;
  for (size_t i = 0; i < ids.size(); i += 5) readable.insert(ids[i]);
  auto visible = [&](index::NodeId id) { return readable.count(id) > 0; };
  auto hits = s->similar_to(ids[1], 10, visible);
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(hits->size(), 10u);
  for (const auto& h : *hits) EXPECT_TRUE(readable.count(h.image)) << h.image;
  // Fewer readable than k: all of them.
  auto few = s->similar_to(ids[1], 30, visible);
  ASSERT_TRUE(few.ok());
  EXPECT_EQ(few->size(), readable.size());
  auto none = s->similar_to(ids[1], 30, [](index::NodeId) { return false; });
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(ServiceTest, QueryByExamplePngJpegAndDicom) {
  auto s = open();
  archive_images(s.get());
  GrayImage q = altered(images[42], 9);
  auto by_png = s->query(png_bytes(q), 3, {});
  ASSERT_TRUE(by_png.ok()) << by_png.error().message;
  ASSERT_FALSE(by_png->empty());
  EXPECT_EQ(by_png->front().image, ids[42]);
  auto by_jpeg = s->query(jpeg_bytes(q), 3, {});
  ASSERT_TRUE(by_jpeg.ok()) << by_jpeg.error().message;
  EXPECT_EQ(by_jpeg->front().image, ids[42]);
  auto file = make_dicom(q, {}, "1.2.3.999");
  auto by_dicom = s->query(dicom_bytes(*file), 3, {});
  ASSERT_TRUE(by_dicom.ok()) << by_dicom.error().message;
  EXPECT_EQ(by_dicom->front().image, ids[42]);
  std::vector<uint8_t> junk(500, 7);
  EXPECT_EQ(s->query(junk, 3, {}).error().code, EINVAL);
}

TEST_F(ServiceTest, ImagePathsForLinkNames) {
  auto s = open();
  archive_images(s.get(), 1, 2);
  auto p = s->image_path(ids[1]);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->substr(0, 18), "OBIA0001/I000001/S");
  EXPECT_EQ(p->substr(p->size() - 11), "/000002.dcm");
}

TEST_F(ServiceTest, IndexIsPersistedAndRebuiltWhenMissingOrDamaged) {
  std::vector<Hit> before;
  {
    auto s = open();
    archive_images(s.get());
    auto h = s->similar_to(ids[7], 10, {});
    ASSERT_TRUE(h.ok());
    before = *h;
  }  // closing writes pending codes and the index
  auto file = index_file(ar.paths);
  ASSERT_TRUE(std::filesystem::exists(file));
  auto check = [&](const char* what) {
    auto s = open();
    auto info = s->info();
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->indexed, ids.size()) << what;
    auto h = s->similar_to(ids[7], 10, {});
    ASSERT_TRUE(h.ok()) << what;
    ASSERT_EQ(h->size(), before.size()) << what;
    for (size_t i = 0; i < before.size(); ++i) {
      EXPECT_EQ((*h)[i].image, before[i].image) << what;
      EXPECT_EQ((*h)[i].distance, before[i].distance) << what;
    }
  };
  check("loaded");
  std::filesystem::remove(file);
  check("rebuilt after removal");
  ASSERT_TRUE(std::filesystem::exists(file));  // written again by the rebuild
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(40);
    f.put('\x7F');
  }
  check("rebuilt after damage");
}

TEST_F(ServiceTest, CodesArchivedAfterTheFileWasWrittenAreAddedAtLoad) {
  {
    auto s = open();
    archive_images(s.get(), 2, 5);
    ASSERT_TRUE(s->flush().ok());
    add(s.get(), phantom(9, 9), "late");  // code in the catalog, not in index.bin
  }
  auto s = open();
  EXPECT_EQ(s->info()->indexed, ids.size());
}

TEST_F(ServiceTest, SyncComputesMissingCodes) {
  archive_images(nullptr, 2, 5);  // archived while no service ran
  auto s = open();
  EXPECT_EQ(s->info()->indexed, 0u);
  size_t calls = 0;
  ASSERT_TRUE(s->sync([&](size_t, size_t) { ++calls; }).ok());
  EXPECT_EQ(calls, ids.size());
  EXPECT_EQ(s->info()->indexed, ids.size());
  ASSERT_TRUE(s->flush().ok());
  auto codes = CodeStore::open(*ar.catalog);
  ASSERT_TRUE(codes.ok());
  EXPECT_EQ(codes->count(codes->state()->generation).value(), ids.size());
  // similar_to also computes a missing code on the spot.
  index::NodeId late = add(nullptr, altered(images[3], 2), "late");
  auto hits = s->similar_to(late, 1, {});
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(hits->at(0).image, ids[3]);
}

TEST_F(ServiceTest, ImagesWithoutPixelsNeverMatch) {
  auto s = open();
  archive_images(s.get(), 1, 3);
  DcmFileFormat sr;
  sr.getDataset()->putAndInsertString(DCM_SOPClassUID, "1.2.840.10008.5.1.4.1.1.88.22");
  sr.getDataset()->putAndInsertString(DCM_SOPInstanceUID, "1.2.3.77");
  index::NodeId id = ar.archive(coll, sr, "sr", "SR", "1.2.3.77");
  s->on_archived(id, sr);
  auto hits = s->similar_to(id, 5, {});
  ASSERT_TRUE(hits.ok());
  EXPECT_TRUE(hits->empty());
  auto others = s->similar_to(ids[0], 10, {});
  ASSERT_TRUE(others.ok());
  EXPECT_EQ(others->size(), 2u);
}

TEST_F(ServiceTest, ReloadsAfterAReindexInAnotherProcess) {
  auto s = open();
  archive_images(s.get(), 3, 4);
  ASSERT_TRUE(s->flush().ok());
  ReindexOptions o;
  o.spec = "projection/128/64";
  auto r = reindex(ar.paths, *ar.catalog, *ar.objects, o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->coded, ids.size());
  EXPECT_EQ(r->generation, 2u);
  auto info = s->info();  // notices the new generation and reloads
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->generation, 2u);
  EXPECT_EQ(info->spec, "projection/128/64");
  EXPECT_EQ(info->indexed, ids.size());
  index::NodeId copy = add(s.get(), altered(images[5], 3), "copies");
  auto hits = s->similar_to(ids[5], 3, {});
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(hits->front().image, copy);
  // The old generation's codes are gone; a second reindex goes back to 64 bits.
  o.spec.clear();
  auto r2 = reindex(ar.paths, *ar.catalog, *ar.objects, o);
  ASSERT_TRUE(r2.ok()) << r2.error().message;
  EXPECT_EQ(r2->spec, "projection/64/128");
  EXPECT_EQ(r2->images, ids.size());
  EXPECT_EQ(s->info()->generation, 3u);
}
