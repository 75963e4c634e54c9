// The QC stages one by one: undecodable, blank image, duplicate pixels (warning and per-collection
// rejection), the per-submission log, and the hooks as the pipeline gets them.
#include <dcmtk/dcmdata/dcdeftag.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "index/catalog.h"
#include "ingest/qc_blank.h"
#include "ingest/qc_decode.h"
#include "ingest/qc_log.h"
#include "ingest/qc_pixel_duplicate.h"
#include "ingest/qc_stages.h"
#include "ingest/qc_state.h"
#include "qc_support.h"

using namespace obia;
using namespace obia::ingest;
using namespace obia::qctest;

namespace {

struct QcFixture : ::testing::Test {
  TempDir dir;
  std::unique_ptr<index::Catalog> catalog;
  index::NodeId coll = 0;
  Job job{"OBIA0001", "scans/a.dcm"};
  std::vector<std::string> warnings;

  void SetUp() override {
    auto c = index::Catalog::open(dir.path / "catalog", true, "OBIA");
    ASSERT_TRUE(c.ok()) << c.error().message;
    catalog = std::move(*c);
    auto n = catalog->create_collection({{"title", "QC"}}, 1);
    ASSERT_TRUE(n.ok());
    coll = n->id;
  }
  void TearDown() override { clear_qc_scratch(); }
  CheckContext context() { return CheckContext{job, *catalog, coll, warnings}; }
};

uint16_t ramp(int x, int y, uint32_t) { return uint16_t((x * 7 + y * 3) & 0xFFF); }

}  // namespace

TEST_F(QcFixture, DecodableFilePassesAndLeavesPixelsForLaterStages) {
  auto f = mono16(16, 16, 1, ramp);
  auto ctx = context();
  EXPECT_EQ(check_decodable(*f, ctx).reason, Reason::None);
  EXPECT_TRUE(scratch_matches(*f, ctx));
  EXPECT_TRUE(qc_scratch().pixel_hash.has_value());
  EXPECT_NE(decoded_pixels(*f, ctx), nullptr);
}

TEST_F(QcFixture, ShortNativePixelDataIsUndecodable) {
  auto f = mono16(16, 16, 1, ramp);
  Uint16 few[10] = {};
  f->getDataset()->putAndInsertUint16Array(DCM_PixelData, few, 10);
  auto ctx = context();
  auto r = check_decodable(*f, ctx);
  EXPECT_EQ(r.reason, Reason::Undecodable);
  EXPECT_NE(r.detail.find("shorter"), std::string::npos) << r.detail;
}

TEST_F(QcFixture, BlankImagesAreWarnedAbout) {
  auto blank = mono16(16, 16, 1, [](int, int, uint32_t) { return uint16_t(24); });
  auto ctx = context();
  ASSERT_EQ(check_decodable(*blank, ctx).reason, Reason::None);
  EXPECT_EQ(check_blank(*blank, ctx).reason, Reason::None);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warning_code(warnings[0]), "blank-image");

  warnings.clear();
  auto some = mono16(16, 16, 3, [](int x, int, uint32_t k) { return uint16_t(k == 1 ? 5 : x); });
  auto ctx2 = context();
  check_decodable(*some, ctx2);
  check_blank(*some, ctx2);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("1 of 3"), std::string::npos) << warnings[0];

  warnings.clear();
  auto fine = mono16(16, 16, 1, ramp);
  auto ctx3 = context();
  check_decodable(*fine, ctx3);
  check_blank(*fine, ctx3);
  EXPECT_TRUE(warnings.empty());
}

TEST_F(QcFixture, BlankIgnoresBitsAboveBitsStoredAndSeesFlatColour) {
  // 12 bits stored; the top bits differ (overlay data), the image does not.
  auto f = mono16(8, 8, 1, [](int x, int, uint32_t) { return uint16_t(0x0100 | (x % 2 ? 0x8000 : 0)); });
  auto px = decode_pixels(*f->getDataset());
  ASSERT_TRUE(px.ok() && px->has_value());
  EXPECT_EQ(constant_frames(**px), 1u);
  auto red = rgb8(8, 8, [](int, int) { return std::array<uint8_t, 3>{200, 10, 10}; });
  auto rpx = decode_pixels(*red->getDataset());
  EXPECT_EQ(constant_frames(**rpx), 1u);
  auto varied = rgb8(8, 8, [](int x, int) { return std::array<uint8_t, 3>{200, uint8_t(x), 10}; });
  auto vpx = decode_pixels(*varied->getDataset());
  EXPECT_EQ(constant_frames(**vpx), 0u);
}

TEST_F(QcFixture, PixelHashSeesOnePixelAndTheGeometry) {
  auto a = mono16(16, 16, 1, ramp);
  auto b = mono16(16, 16, 1, ramp);
  auto c = mono16(16, 16, 1, [](int x, int y, uint32_t k) { return uint16_t(x == 3 && y == 4 ? 1 : ramp(x, y, k)); });
  auto d = mono16(8, 32, 1, [](int x, int y, uint32_t k) { return ramp(x, y, k); });
  auto h = [](DcmFileFormat& f) { return hash_pixels(**decode_pixels(*f.getDataset())); };
  EXPECT_EQ(h(*a), h(*b));
  EXPECT_NE(h(*a), h(*c));
  EXPECT_NE(h(*a), h(*d));
}

TEST_F(QcFixture, IdenticalPixelsUnderAnotherUidWarnOrReject) {
  auto log = QcLog::open(*catalog);
  ASSERT_TRUE(log.ok());
  PixelDuplicateCheck check(*log);

  // The first image is archived: the finished hook records its pixels.
  auto first = mono16(16, 16, 1, ramp);
  auto ctx = context();
  ASSERT_EQ(check_decodable(*first, ctx).reason, Reason::None);
  EXPECT_EQ(check(*first, ctx).reason, Reason::None);
  Outcome archived;
  archived.disposition = Disposition::Archived;
  ASSERT_TRUE((*log)->record(coll, job, archived, PixelRecord{*qc_scratch().pixel_hash, "2.25.1"}, 10).ok());
  EXPECT_TRUE(warnings.empty());

  // Same pixels, another UID: a warning.
  Job second_job{"OBIA0001", "scans/b.dcm"};
  auto second = mono16(16, 16, 1, ramp);
  second->getDataset()->putAndInsertString(DCM_SOPInstanceUID, "2.25.2");
  CheckContext ctx2{second_job, *catalog, coll, warnings};
  ASSERT_EQ(check_decodable(*second, ctx2).reason, Reason::None);
  EXPECT_EQ(check(*second, ctx2).reason, Reason::None);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warning_code(warnings[0]), "duplicate-pixels");

  // The same UID again (a re-submission): the pipeline's duplicate, not ours.
  warnings.clear();
  auto again = mono16(16, 16, 1, ramp);
  again->getDataset()->putAndInsertString(DCM_SOPInstanceUID, "2.25.1");
  CheckContext ctx3{second_job, *catalog, coll, warnings};
  check_decodable(*again, ctx3);
  EXPECT_EQ(check(*again, ctx3).reason, Reason::None);
  EXPECT_TRUE(warnings.empty());

  // The collection rejects pixel copies.
  ASSERT_TRUE(catalog->update_node_attrs(coll, {{"reject_pixel_duplicates", "yes"}}).ok());
  CheckContext ctx4{second_job, *catalog, coll, warnings};
  check_decodable(*second, ctx4);
  auto r = check(*second, ctx4);
  EXPECT_EQ(r.reason, Reason::DuplicatePixels);
  EXPECT_EQ(reason_code(r.reason), "duplicate-pixels");
}

TEST_F(QcFixture, LogCountsSubmissionsByOutcomeAndReason) {
  auto log = QcLog::open(*catalog);
  ASSERT_TRUE(log.ok());
  auto rec = [&](const std::string& rel, Disposition d, Reason r, std::vector<std::string> w = {}) {
    Outcome o;
    o.disposition = d;
    o.reason = r;
    o.warnings = std::move(w);
    ASSERT_TRUE((*log)->record(coll, Job{"OBIA0001", rel}, o, std::nullopt, 100).ok());
  };
  rec("scans/a.dcm", Disposition::Archived, Reason::None);
  rec("scans/sub/b.dcm", Disposition::Archived, Reason::None, {"blank-image: every pixel"});
  rec("scans/c.dcm", Disposition::Duplicate, Reason::None);
  rec("scans/d.dcm", Disposition::Quarantined, Reason::Corrupt);
  rec("scans/e.dcm", Disposition::Quarantined, Reason::BurnedInText);
  rec("single.dcm", Disposition::Quarantined, Reason::Corrupt);
  auto subs = (*log)->submissions(coll);
  ASSERT_TRUE(subs.ok());
  ASSERT_EQ(subs->size(), 2u);
  const SubmissionCounts& scans = (*subs)[0].name == "scans" ? (*subs)[0] : (*subs)[1];
  const SubmissionCounts& single = (*subs)[0].name == "scans" ? (*subs)[1] : (*subs)[0];
  EXPECT_TRUE(scans.folder);
  EXPECT_FALSE(single.folder);
  EXPECT_EQ(scans.submitted, 5u);
  EXPECT_EQ(scans.archived, 2u);
  EXPECT_EQ(scans.duplicates, 1u);
  EXPECT_EQ(scans.quarantined_total(), 2u);
  EXPECT_EQ(scans.quarantined.at("corrupt"), 1u);
  EXPECT_EQ(scans.quarantined.at("burned-in-text"), 1u);
  EXPECT_EQ(scans.warnings.at("blank-image"), 1u);
  EXPECT_EQ(scans.archived + scans.duplicates + scans.quarantined_total(), scans.submitted);
  auto notes = (*log)->notes(coll);
  ASSERT_TRUE(notes.ok());
  ASSERT_EQ(notes->size(), 1u);
  EXPECT_EQ((*notes)[0].relpath, "scans/sub/b.dcm");
  // A clean re-submission of the same path clears its note.
  rec("scans/sub/b.dcm", Disposition::Archived, Reason::None);
  EXPECT_TRUE((*log)->notes(coll)->empty());
}

TEST_F(QcFixture, QueuedRecordsAreWrittenInBatchesAndFlushed) {
  auto log = QcLog::open(*catalog);
  ASSERT_TRUE(log.ok());
  (*log)->interval = std::chrono::milliseconds(50);
  Outcome o;
  o.disposition = Disposition::Archived;
  PixelRecord px{};
  px.hash[0] = 7;
  px.sop_uid = "2.25.77";
  for (int i = 0; i < 20; ++i)
    (*log)->enqueue(coll, Job{"OBIA0001", "batch/" + std::to_string(i) + ".dcm"}, o,
                    i == 0 ? std::optional<PixelRecord>(px) : std::nullopt, 5);
  // Queued pixels already count for the duplicate check.
  auto owner = (*log)->pixel_owner(coll, px.hash);
  ASSERT_TRUE(owner.ok() && owner->has_value());
  EXPECT_EQ(**owner, "2.25.77");
  ASSERT_TRUE((*log)->flush().ok());
  auto subs = (*log)->submissions(coll);
  ASSERT_EQ(subs->size(), 1u);
  EXPECT_EQ((*subs)[0].submitted, 20u);
}

TEST(QcLogNames, SubmissionIsTheFirstPathComponent) {
  EXPECT_EQ(submission_of("study1/series2/img.dcm"), "study1");
  EXPECT_EQ(submission_of("img.dcm"), "img.dcm");
  EXPECT_EQ(warning_code("blank-image: all"), "blank-image");
  EXPECT_EQ(warning_code("plain"), "plain");
}

TEST_F(QcFixture, HooksHaveSeparateStagesAndAFinishedLogger) {
  store::ArchivePaths paths{dir.path};
  PipelineHooks hooks = make_qc_hooks(paths, *catalog);
  EXPECT_EQ(hooks.before_deid.size(), 3u);  // decode, blank, burned-in text
  EXPECT_EQ(hooks.after_deid.size(), 1u);   // duplicate pixels
  ASSERT_TRUE(static_cast<bool>(hooks.finished));
  auto f = mono16(16, 16, 1, ramp);
  auto ctx = context();
  for (auto& check : hooks.before_deid) EXPECT_EQ(check(*f, ctx).reason, Reason::None);
  for (auto& check : hooks.after_deid) EXPECT_EQ(check(*f, ctx).reason, Reason::None);
  Outcome o;
  o.disposition = Disposition::Archived;
  hooks.finished(job, coll, o);
  EXPECT_FALSE(qc_scratch().decoded);  // cleared for the next file
  // The hooks' log writes in batches: the record shows up within its interval.
  auto log = QcLog::open(*catalog);
  for (int i = 0; i < 200 && (*log)->submissions(coll)->empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto subs = (*log)->submissions(coll);
  ASSERT_EQ(subs->size(), 1u);
  EXPECT_EQ((*subs)[0].archived, 1u);
}
