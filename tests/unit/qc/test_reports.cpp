// Tag report and contact sheets over a small archive built in the test: every element of the
// input is listed with PHI-like flags; sheets are valid PNGs with one tile per frame.
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <set>
#include <sstream>

#include "index/catalog.h"
#include "ingest/contact_sheet.h"
#include "ingest/dicom_io.h"
#include "ingest/pixel_font.h"
#include "ingest/pixel_png.h"
#include "ingest/tag_report.h"
#include "qc_support.h"
#include "store/object_store.h"

using namespace obia;
using namespace obia::ingest;
using namespace obia::qctest;

namespace {

uint32_t be32(const std::string& s, size_t at) {
  return (uint32_t(uint8_t(s[at])) << 24) | (uint32_t(uint8_t(s[at + 1])) << 16) |
         (uint32_t(uint8_t(s[at + 2])) << 8) | uint8_t(s[at + 3]);
}

// Checks signature, chunk CRCs and that IDAT inflates to height * (1 + width * channels).
void expect_valid_png(const std::string& png, uint32_t* w, uint32_t* h) {
  ASSERT_GE(png.size(), 33u);
  ASSERT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  std::string idat;
  size_t at = 8;
  uint32_t channels = 0;
  while (at + 12 <= png.size()) {
    const uint32_t len = be32(png, at);
    const std::string type = png.substr(at + 4, 4);
    const uint32_t crc = be32(png, at + 8 + len);
    EXPECT_EQ(crc, uint32_t(crc32(0, reinterpret_cast<const Bytef*>(png.data() + at + 4), len + 4))) << type;
    if (type == "IHDR") {
      *w = be32(png, at + 8);
      *h = be32(png, at + 12);
      channels = png[at + 17] == 2 ? 3 : 1;
    }
    if (type == "IDAT") idat += png.substr(at + 8, len);
    at += 12 + len;
    if (type == "IEND") break;
  }
  uLongf size = uLongf(*h) * (1 + *w * channels);
  std::string raw(size, '\0');
  ASSERT_EQ(uncompress(reinterpret_cast<Bytef*>(raw.data()), &size,
                       reinterpret_cast<const Bytef*>(idat.data()), idat.size()), Z_OK);
  EXPECT_EQ(size, uLongf(*h) * (1 + *w * channels));
}

struct Archive : ::testing::Test {
  TempDir dir;
  std::unique_ptr<index::Catalog> catalog;
  std::optional<store::ObjectStore> objects;
  index::NodeId coll = 0, series = 0;
  int images = 0;

  void SetUp() override {
    auto c = index::Catalog::open(dir.path / "catalog", true, "OBIA");
    ASSERT_TRUE(c.ok());
    catalog = std::move(*c);
    auto o = store::ObjectStore::open(dir.path);
    ASSERT_TRUE(o.ok());
    objects.emplace(std::move(*o));
    coll = catalog->create_collection({{"title", "Reports"}}, 1)->id;
  }

  void add(DcmFileFormat& f) {
    auto bytes = serialize_dicom(f);
    ASSERT_TRUE(bytes.ok()) << bytes.error().message;
    auto id = objects->put(*bytes);
    ASSERT_TRUE(id.ok());
    index::PatientKey key{};
    auto ind = catalog->individual_for(coll, key, 1);
    ASSERT_TRUE(ind.ok());
    index::ImageCommit c;
    c.collection = coll;
    c.individual = ind->id;
    c.study_uid = "2.25.100";
    c.series_uid = "2.25.200";
    c.sop_uid = "2.25.300." + std::to_string(++images);
    c.modality = "CT";
    c.series_number = 1;
    c.instance_number = images;
    c.object = *id;
    c.size = bytes->size();
    c.now = 1;
    auto r = catalog->commit_image(c);
    ASSERT_TRUE(r.ok() && r->status == index::CommitStatus::Archived);
    series = catalog->get(r->image)->parent;
  }
};

void collect_tags(DcmItem& item, const std::string& prefix, std::set<std::string>& out) {
  for (unsigned long i = 0; i < item.card(); ++i) {
    DcmElement* e = item.getElement(i);
    char buf[16];
    std::snprintf(buf, sizeof buf, "(%04X,%04X)", e->getTag().getGroup(), e->getTag().getElement());
    out.insert(prefix + buf);
    if (e->ident() == EVR_SQ) {
      auto* sq = static_cast<DcmSequenceOfItems*>(e);
      for (unsigned long k = 0; k < sq->card(); ++k) collect_tags(*sq->getItem(k), prefix + buf + ">", out);
    }
  }
}

}  // namespace

TEST(TagReportFlags, LookLikePhi) {
  EXPECT_NE(phi_flags("PN", "Kowalczyk^Ragnhildur").find("name"), std::string::npos);
  EXPECT_EQ(phi_flags("PN", "I000001"), "");  // our own pseudonym
  EXPECT_EQ(phi_flags("LO", "I000001"), "");
  EXPECT_EQ(phi_flags("DA", "20200317"), "date");
  EXPECT_NE(phi_flags("LO", "seen 2020-03-17 in clinic").find("date"), std::string::npos);
  EXPECT_NE(phi_flags("LO", "MRN-53123398").find("id"), std::string::npos);
  EXPECT_NE(phi_flags("LO", "Hungerbichlweg 13, 51262 Kraljevica").find("address"), std::string::npos);
  EXPECT_NE(phi_flags("SH", "+41-74-7251700").find("phone"), std::string::npos);
  EXPECT_EQ(phi_flags("DS", "0.4882812\\0.4882812"), "");
  EXPECT_EQ(phi_flags("UI", "1.2.840.10008.5.1.4.1.1.2"), "");
  EXPECT_EQ(phi_flags("CS", "AXIAL"), "");
}

TEST_F(Archive, TagReportListsEveryElementWithFlags) {
  for (int k = 0; k < 3; ++k) {
    auto f = mono16(8, 8, 1, [k](int x, int, uint32_t) { return uint16_t(x + k); });
    DcmDataset& ds = *f->getDataset();
    ds.putAndInsertString(DCM_PatientName, k == 2 ? "Oberhuber^Walburga" : "I000001");
    ds.putAndInsertString(DCM_StudyDate, "20200317");
    ds.putAndInsertString(DCM_PatientAddress, "Kastanienallee 4, 77704 Oberkirchbach");
    ds.putAndInsertString(DCM_StudyDescription, "CHEST");
    DcmItem* item = nullptr;
    ds.findOrCreateSequenceItem(DCM_ReferencedImageSequence, item, -2);
    item->putAndInsertString(DCM_ReferencedSOPInstanceUID, "2.25.9");
    ds.putAndInsertString(DcmTag(0x0009, 0x0010, EVR_LO), "ACME 1.0");
    ds.putAndInsertString(DcmTag(0x0009, 0x1001, EVR_LO), "MRN-12345678");
    add(*f);
  }
  auto tsv = tag_report_tsv(*catalog, *objects, coll);
  ASSERT_TRUE(tsv.ok()) << tsv.error().message;
  std::map<std::string, std::vector<std::string>> rows;
  std::istringstream in(*tsv);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "tag\tkeyword\tvr\tfiles\tdistinct\ttop_values\tflags");
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::stringstream ls(line);
    for (std::string c; std::getline(ls, c, '\t');) cols.push_back(c);
    while (cols.size() < 7) cols.emplace_back();
    rows[cols[0]] = cols;
  }
  // Every element of an archived object, file meta and nested items included.
  DcmFileFormat one;
  auto any = catalog->children(series);
  ASSERT_TRUE(one.loadFile(objects->path_of((*any)[0].object).c_str()).good());
  std::set<std::string> expected;
  collect_tags(*one.getMetaInfo(), "", expected);
  collect_tags(*one.getDataset(), "", expected);
  for (const auto& t : expected) EXPECT_TRUE(rows.count(t)) << t << " missing from the report";

  EXPECT_EQ(rows["(0010,0010)"][1], "PatientName");
  EXPECT_EQ(rows["(0010,0010)"][3], "3");  // files
  EXPECT_EQ(rows["(0010,0010)"][4], "2");  // distinct values
  EXPECT_NE(rows["(0010,0010)"][5].find("I000001 (2)"), std::string::npos) << rows["(0010,0010)"][5];
  EXPECT_NE(rows["(0010,0010)"][6].find("name"), std::string::npos);
  EXPECT_NE(rows["(0010,1040)"][6].find("address"), std::string::npos);
  EXPECT_EQ(rows["(0008,0020)"][6], "date");
  EXPECT_TRUE(rows.count("(0008,1140)>(0008,1155)"));
  EXPECT_NE(rows["(0009,1001)"][1].find("ACME 1.0"), std::string::npos) << rows["(0009,1001)"][1];
  EXPECT_NE(rows["(0009,1001)"][6].find("id"), std::string::npos);
  EXPECT_EQ(rows["(7FE0,0010)"][5].find("bytes>"), rows["(7FE0,0010)"][5].find("bytes>"));
}

TEST_F(Archive, ContactSheetHasATilePerFrame) {
  auto single = mono16(64, 48, 1, [](int x, int y, uint32_t) { return uint16_t(x * 40 + y); });
  add(*single);
  auto cine = mono16(32, 32, 5, [](int x, int y, uint32_t k) { return uint16_t((x + y) * 10 * (k + 1)); });
  add(*cine);
  auto png = contact_sheet_png(*catalog, *objects, series);
  ASSERT_TRUE(png.ok()) << png.error().message;
  uint32_t w = 0, h = 0;
  expect_valid_png(*png, &w, &h);
  // 6 tiles (1 + 5 frames): 3 columns x 2 rows of 130-pixel cells under a 14-row header.
  EXPECT_EQ(w, 3u * 130u);
  EXPECT_EQ(h, 2u * 130u + 14u);
  EXPECT_FALSE(contact_sheet_png(*catalog, *objects, coll).ok());  // not a series
}

TEST(Png, EncodesGreyAndRgb) {
  Image8 g(5, 3, 1, 7);
  auto a = encode_png(g);
  ASSERT_TRUE(a.ok());
  uint32_t w = 0, h = 0;
  expect_valid_png(*a, &w, &h);
  EXPECT_EQ(w, 5u);
  EXPECT_EQ(h, 3u);
  Image8 rgb(4, 4, 3, 0);
  const uint8_t yellow[3] = {255, 230, 40};
  draw_text(rgb, 0, 0, "1", 1, yellow);
  auto b = encode_png(rgb);
  ASSERT_TRUE(b.ok());
  expect_valid_png(*b, &w, &h);
  EXPECT_FALSE(encode_png(Image8()).ok());
}

TEST(Font, DrawsKnownGlyphsAndClips) {
  EXPECT_EQ(text_width("", 1), 0);
  EXPECT_EQ(text_width("12", 1), 11);
  EXPECT_EQ(text_width("12", 3), 33);
  Image8 img(12, 8, 1, 0);
  const uint8_t on = 255;
  draw_text(img, 0, 0, "1", 1, &on);
  EXPECT_EQ(img.row(0)[2], 255);  // the top of the 1's stem
  EXPECT_EQ(img.row(0)[0], 0);
  draw_text(img, 10, 5, "WWW", 2, &on);  // mostly outside: clipped, no crash
}
