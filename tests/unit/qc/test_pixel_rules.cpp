// Clean Pixel Data rules: parsing, matching, blanking native and compressed pixel data, and the
// burned-in text stage clearing BurnedInAnnotation once the rules have blanked the text.
#include <dcmtk/dcmdata/dcdeftag.h>
#include <gtest/gtest.h>

#include <fstream>

#include "index/catalog.h"
#include "ingest/dicom_io.h"
#include "ingest/pixel_decode.h"
#include "ingest/pixel_font.h"
#include "ingest/pixel_rules.h"
#include "ingest/qc_burned_in.h"
#include "ingest/qc_decode.h"
#include "ingest/qc_state.h"
#include "qc_support.h"

using namespace obia;
using namespace obia::ingest;
using namespace obia::qctest;

TEST(PixelRules, ParsesRulesAndReportsErrorsByLine) {
  auto r = PixelRules::parse(
      "# comment\n"
      "modality=US manufacturer=\"Acme Sonics\" rows=480 columns=640 : 0,0,640,40 500,440,140,40\n"
      "\n"
      "model=Vivid* : 10,10,5,5   # trailing comment\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->rules().size(), 2u);
  EXPECT_EQ(r->rules()[0].boxes.size(), 2u);
  EXPECT_EQ(r->rules()[0].match.at("manufacturer"), "acme sonics");
  EXPECT_EQ(r->rules()[1].line, 4);

  for (const char* bad : {"modality=US 0,0,10,10", "colour=red : 0,0,1,1", "modality=US : 0,0,10",
                          "modality=US : 0,0,-1,5", "modality=\"US : 0,0,1,1", "modality=US :"}) {
    auto e = PixelRules::parse(std::string("# ok\n") + bad + "\n");
    EXPECT_FALSE(e.ok()) << bad;
    if (!e.ok()) {
      EXPECT_NE(e.error().message.find("line 2"), std::string::npos) << e.error().message;
    }
  }
}

TEST(PixelRules, MatchesCaseInsensitivelyWithPrefixWildcards) {
  auto r = PixelRules::parse(
      "modality=us manufacturer=acme* : 0,0,10,10\n"
      "modality=CT rows=16 : 1,1,2,2\n");
  ASSERT_TRUE(r.ok());
  auto us = mono16(16, 16, 1, [](int, int, uint32_t) { return uint16_t(1); }, "US");
  us->getDataset()->putAndInsertString(DCM_Manufacturer, "ACME Sonics ");
  EXPECT_EQ(r->regions_for(*us->getDataset()).size(), 1u);
  us->getDataset()->putAndInsertString(DCM_Manufacturer, "Other");
  EXPECT_TRUE(r->regions_for(*us->getDataset()).empty());
  auto ct = mono16(16, 16, 1, [](int, int, uint32_t) { return uint16_t(1); }, "CT");
  EXPECT_EQ(r->regions_for(*ct->getDataset()).size(), 1u);
}

TEST(PixelRules, BlanksRegionsInEveryFrameWithTheDarkestValue) {
  auto f = mono16(8, 8, 2, [](int x, int y, uint32_t k) { return uint16_t(100 + x + y + k); });
  ASSERT_TRUE(blank_regions(*f->getDataset(), {{0, 0, 4, 2}, {6, 6, 10, 10}}).ok());
  auto px = decode_pixels(*f->getDataset());
  ASSERT_TRUE(px.ok() && px->has_value());
  auto at = [&](uint32_t k, int x, int y) {
    return reinterpret_cast<const uint16_t*>((*px)->frame(k))[y * 8 + x];
  };
  EXPECT_EQ(at(0, 0, 0), 100);
  EXPECT_EQ(at(0, 3, 1), 100);
  EXPECT_EQ(at(0, 4, 1), 105);  // outside the box
  EXPECT_EQ(at(0, 7, 7), 100);  // box clipped to the image
  EXPECT_EQ(at(1, 0, 0), 101);  // second frame: its own darkest value
  EXPECT_EQ(at(1, 2, 1), 101);
}

TEST(PixelRules, CompressedPixelDataIsDecodedAndStoredUncompressed) {
  const auto p = pydicom_files() / "MR_small_RLE.dcm";
  if (!present(p)) GTEST_SKIP() << "python3-pydicom test files not installed";
  auto f = load(p);
  ASSERT_TRUE(f);
  ASSERT_TRUE(blank_regions(*f->getDataset(), {{0, 0, 64, 8}}).ok());
  EXPECT_EQ(f->getDataset()->getOriginalXfer(), EXS_LittleEndianExplicit);
  auto bytes = serialize_dicom(*f);
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  TempDir dir;
  const auto out = dir.path / "blanked.dcm";
  std::ofstream(out, std::ios::binary).write(reinterpret_cast<const char*>(bytes->data()), bytes->size());
  auto again = load(out);
  ASSERT_TRUE(again);
  auto px = decode_pixels(*again->getDataset());
  ASSERT_TRUE(px.ok() && px->has_value());
  const auto* v = reinterpret_cast<const int16_t*>((*px)->data());
  for (int x = 1; x < 64; ++x) EXPECT_EQ(v[x], v[0]);
}

TEST(PixelRules, RuleFilesAreReReadWhenChanged) {
  TempDir dir;
  PixelRuleFiles files(dir.path);
  auto none = files.for_collection("OBIA0001");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  std::ofstream(PixelRuleFiles::path_for(dir.path, "OBIA0001")) << "modality=US : 0,0,1,1\n";
  auto one = files.for_collection("OBIA0001");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->rules().size(), 1u);
  std::ofstream(PixelRuleFiles::path_for(dir.path, "OBIA0001")) << "modality=US : 0,0,1,1\nmodality=CT : 1,1,1,1 bad\n";
  EXPECT_FALSE(files.for_collection("OBIA0001").ok());
}

TEST(PixelRules, BurnedInStageBlanksThenClearsTheFlag) {
  TempDir dir;
  auto catalog = index::Catalog::open(dir.path / "catalog", true, "OBIA");
  ASSERT_TRUE(catalog.ok());
  auto coll = (*catalog)->create_collection({{"title", "US"}}, 1);
  ASSERT_TRUE(coll.ok());
  std::filesystem::create_directories(dir.path / "rules");
  std::ofstream(PixelRuleFiles::path_for(dir.path / "rules", "OBIA0001"))
      << "modality=US manufacturer=\"Acme Sonics\" : 0,0,320,24\n";

  // Header text in rows 0..23 (the rule's box), a quiet image below.
  Image8 text(320, 240, 1, 0);
  const uint8_t on = 255;
  draw_text(text, 4, 4, "KOWALCZYK 53123398", 2, &on);
  auto make = [&] {
    auto f = mono16(240, 320, 1, [&](int x, int y, uint32_t) {
      return text.row(y)[x] ? uint16_t(4000) : uint16_t(200 + (x * 13 + y * 7) % 40);
    }, "US");
    f->getDataset()->putAndInsertString(DCM_BurnedInAnnotation, "YES");
    return f;
  };
  BurnedInSettings s;
  s.ocr = false;  // the detector alone decides here (no Tesseract dependency in this test)
  auto rules = std::make_shared<PixelRuleFiles>(dir.path / "rules");
  BurnedInTextCheck check(rules, s);
  std::vector<std::string> warnings;

  auto other = make();  // a manufacturer the rule does not name: quarantined
  other->getDataset()->putAndInsertString(DCM_Manufacturer, "Other");
  Job job{"OBIA0001", "us/a.dcm"};
  CheckContext ctx{job, **catalog, coll->id, warnings};
  ASSERT_EQ(check_decodable(*other, ctx).reason, Reason::None);
  EXPECT_EQ(check(*other, ctx).reason, Reason::BurnedInText);

  auto acme = make();
  acme->getDataset()->putAndInsertString(DCM_Manufacturer, "Acme Sonics");
  Job job2{"OBIA0001", "us/b.dcm"};
  CheckContext ctx2{job2, **catalog, coll->id, warnings};
  ASSERT_EQ(check_decodable(*acme, ctx2).reason, Reason::None);
  auto r = check(*acme, ctx2);
  EXPECT_EQ(r.reason, Reason::None) << r.detail;
  OFString flag;
  acme->getDataset()->findAndGetOFString(DCM_BurnedInAnnotation, flag);
  EXPECT_EQ(flag, "NO");
  ASSERT_FALSE(warnings.empty());
  EXPECT_EQ(warnings.back().rfind("pixel-rules", 0), 0u);
  clear_qc_scratch();
}
