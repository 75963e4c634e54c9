// The verification pass on its own: an identifying value injected where the engine is not
// looking (an unlisted attribute, four sequences deep, free text, a private tag, the meta header,
// the preamble) is found, in the object and in the serialised bytes, reported by tag path.
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>

#include "deid/deidentifier.h"
#include "deid/dicom_value.h"
#include "deid/verify.h"
#include "support.h"

namespace obia::deid {
namespace {

using test::put;

const DcmTagKey kModel = DCM_ManufacturerModelName;  // not in Table E.1-1: kept as is

TEST(Verify, NameInAnUnlistedAttributeIsAResidual) {
  auto file = test::make_ct();
  put(*file->getDataset(), kModel, "Scanner of W. Smithers");
  const Outcome o = deidentify(*file, Profile::obia_default(), test::secret(), test::subject());
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.reason, "residual-phi");
  EXPECT_EQ(o.detail, "(0008,1090)");  // the tag path, never the value
}

TEST(Verify, NameFourSequencesDeepIsAResidual) {
  auto file = test::make_ct();
  DcmItem& a = test::add_item(*file->getDataset(), DCM_ReferencedSeriesSequence);
  DcmItem& b = test::add_item(a, DCM_ReferencedSOPSequence);
  DcmItem& c = test::add_item(b, DCM_PurposeOfReferenceCodeSequence);
  DcmItem& d = test::add_item(c, DCM_ConceptNameCodeSequence);
  put(d, DCM_CodeMeaning, "waylon");
  const Outcome o = deidentify(*file, Profile::obia_default(), test::secret(), test::subject());
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.reason, "residual-phi");
  EXPECT_EQ(o.detail, "(0008,1115)[1]/(0008,1199)[0]/(0040,A170)[0]/(0040,A043)[0]/(0008,0104)");
}

TEST(Verify, InjectedValuesAreRemovedByTheEngineAndTheOutputIsClean) {
  auto file = test::make_ct();
  DcmDataset& ds = *file->getDataset();
  ds.putAndInsertString(DcmTag(0x0019, 0x0010, EVR_LO), "ACME 1.0");
  ds.putAndInsertString(DcmTag(0x0019, 0x1001, EVR_LO), "Smithers^Waylon");  // private name
  ds.putAndInsertString(DcmTag(0x0019, 0x1002, EVR_DA), "19540317");         // private date
  ds.putAndInsertString(DcmTag(0x0019, 0x1003, EVR_DS), "2.5");              // private number
  DcmItem& orig = test::add_item(ds, DCM_OriginalAttributesSequence);
  DcmItem& mod = test::add_item(orig, DCM_ModifiedAttributesSequence);
  put(mod, DCM_PatientName, "Smithers^Waylon");
  put(ds, DCM_AdditionalPatientHistory, "Mr Smithers, tel 555-0113-2244");
  const Outcome o = deidentify(*file, Profile::obia_default(), test::secret(), test::subject());
  ASSERT_TRUE(o.ok) << o.reason << " " << o.detail;
  EXPECT_TRUE(ds.tagExists(DcmTagKey(0x0019, 0x1003)));
  EXPECT_FALSE(ds.tagExists(DcmTagKey(0x0019, 0x1001)));
  EXPECT_FALSE(ds.tagExists(DcmTagKey(0x0019, 0x1002)));
  EXPECT_FALSE(ds.tagExists(DCM_OriginalAttributesSequence));
  EXPECT_FALSE(ds.tagExists(DCM_AdditionalPatientHistory));
  bool noted = false;
  for (const std::string& n : o.notes)
    noted = noted || n == "retain-safe-private: kept (0019,1003)";
  EXPECT_TRUE(noted);
  EXPECT_EQ(find_residual(test::serialize(*file), o.identifying), "");
  // What the verification looks for: the original's identifying values, never the retained ones.
  const auto& t = o.identifying.tokens;
  for (const char* must : {"smithers", "waylon", "pid-12345", "acc99887766", "springfield",
                           "555-0113-2244", "19540317", "1.2.826.0.1.3680043.2.1125.1.1001"}) {
    EXPECT_NE(std::find(t.begin(), t.end(), must), t.end()) << must;
  }
  for (const char* not_identifying : {"m", "067y", "acme", "chest", "sn-778899", "ctstation07"}) {
    EXPECT_EQ(std::find(t.begin(), t.end(), not_identifying), t.end()) << not_identifying;
  }
  EXPECT_EQ(o.identifying.tokens.size(), o.identifying.tag_of.size());
}

// A name with letters outside ASCII, written in free text in another case, without its accents
// or in the other encoding, is still the patient's name: Clean Descriptors removes the text, and
// the verification catches it where the profile keeps text as is.
TEST(Verify, AccentedNamesInFreeTextAreRemovedOrCaughtInEitherCharacterSet) {
  struct Case {
    const char* charset;
    const char* name;
    const char* comment;  // ImageComments: Clean Descriptors
    const char* model;    // ManufacturerModelName: not in Table E.1-1, kept as is
  };
  for (const Case& c :
       {Case{"ISO_IR 192", "M\u00dcLLER^J\u00dcRGEN", "Patient J\u00fcrgen M\u00fcller reviewed",
             "Scanner of J. Mueller"},
        Case{"ISO_IR 100", "\xc5STR\xd6M^BJ\xd6RN", "reviewed with the \xe5str\xf6m family",
             "Scanner Bjorn"},
        Case{"ISO_IR 192", "O'BRIEN^SE\u00c1N", "seen with Sean", "OBrien scanner"}}) {
    SCOPED_TRACE(c.name);
    const TokenMatcher name(tokenize(c.name));
    {
      auto file = test::make_ct();
      DcmDataset& ds = *file->getDataset();
      put(ds, DCM_SpecificCharacterSet, c.charset);
      put(ds, DCM_PatientName, c.name);
      put(ds, DCM_ImageComments, c.comment);
      const Outcome o = deidentify(*file, Profile::obia_default(), test::secret(), test::subject());
      ASSERT_TRUE(o.ok) << o.reason << " " << o.detail;
      EXPECT_NE(test::get(ds, DCM_ImageComments), c.comment);
      const std::vector<uint8_t> bytes = test::serialize(*file);
      EXPECT_FALSE(name.find_in(
          std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size())));
    }
    auto file = test::make_ct();
    DcmDataset& ds = *file->getDataset();
    put(ds, DCM_SpecificCharacterSet, c.charset);
    put(ds, DCM_PatientName, c.name);
    put(ds, kModel, c.model);
    const Outcome o = deidentify(*file, Profile::obia_default(), test::secret(), test::subject());
    EXPECT_FALSE(o.ok);
    EXPECT_EQ(o.reason, "residual-phi");
    EXPECT_EQ(o.detail, "(0008,1090)");
  }
}

TEST(Verify, ShortNamesWrittenOutInFreeTextAreCaught) {
  auto file = test::make_ct();
  DcmDataset& ds = *file->getDataset();
  put(ds, DCM_PatientName, "LI^NA");
  put(ds, kModel, "scanner of Na Li");
  const Outcome o = deidentify(*file, Profile::obia_default(), test::secret(), test::subject());
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.reason, "residual-phi");
  EXPECT_EQ(o.detail, "(0008,1090)");
  auto clean = test::make_ct();
  put(*clean->getDataset(), DCM_PatientName, "LI^NA");
  put(*clean->getDataset(), DCM_ImageComments, "Li Na follow-up");
  const Outcome c = deidentify(*clean, Profile::obia_default(), test::secret(), test::subject());
  ASSERT_TRUE(c.ok) << c.reason << " " << c.detail;
  EXPECT_FALSE(test::has(*clean->getDataset(), DCM_ImageComments) &&
               test::get(*clean->getDataset(), DCM_ImageComments) == "Li Na follow-up");
}

IdentifyingValues values(std::vector<std::string> tokens) {
  IdentifyingValues v;
  v.tokens = std::move(tokens);
  v.tag_of.assign(v.tokens.size(), "(test)");
  return v;
}

// The byte search finds values wherever DCMTK wrote them, in every transfer syntax.
TEST(Verify, TagPathsAreFormattedAsInReports) {
  EXPECT_EQ(tag_text(DcmTagKey(0x7FE0, 0x0010)), "(7FE0,0010)");
  EXPECT_EQ(tag_text(DcmTagKey(0x0009, 0x10AB)), "(0009,10AB)");
  TagPath p;
  p.push(DcmTagKey(0x0040, 0xA730));
  p.set_item(1);
  p.push(DcmTagKey(0x0040, 0xA160));
  EXPECT_EQ(p.str(), "(0040,A730)[1]/(0040,A160)");
  p.pop();
  p.set_item(12);
  EXPECT_EQ(p.str(), "(0040,A730)[12]");
}

TEST(Verify, ByteSearchReportsTagPathsInEverySyntax) {
  for (const E_TransferSyntax xfer : {EXS_LittleEndianExplicit, EXS_LittleEndianImplicit,
                                      EXS_BigEndianExplicit, EXS_DeflatedLittleEndianExplicit}) {
    auto file = test::make_ct();
    DcmDataset& ds = *file->getDataset();
    DcmItem& a = test::add_item(ds, DCM_ReferencedStudySequence);
    DcmItem& b = test::add_item(a, DCM_ReferencedSeriesSequence);
    DcmItem& c = test::add_item(b, DCM_ReferencedSOPSequence);
    DcmItem& d = test::add_item(c, DCM_PurposeOfReferenceCodeSequence);
    put(d, DCM_CodeMeaning, "the hidden value");
    ds.putAndInsertString(DcmTag(0x0029, 0x0010, EVR_LO), "ACME");
    ds.putAndInsertString(DcmTag(0x0029, 0x1001, EVR_LT), "private words");
    ds.chooseRepresentation(xfer, nullptr);
    ASSERT_TRUE(file->saveFile("/tmp/obia-deid-verify.dcm", xfer).good());
    std::ifstream in("/tmp/obia-deid-verify.dcm", std::ios::binary);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                     std::istreambuf_iterator<char>());
    std::remove("/tmp/obia-deid-verify.dcm");
    EXPECT_EQ(find_residual(bytes, values({"hidden"})),
              "(0008,1110)[0]/(0008,1115)[0]/(0008,1199)[0]/(0040,A170)[0]/(0008,0104)")
        << xfer;
    EXPECT_EQ(find_residual(bytes, values({"PRIVATE"})), "(0029,1001)") << xfer;
    EXPECT_EQ(find_residual(bytes, values({"offis_dcmtk_367"})), "(0002,0013)") << xfer;  // meta
    EXPECT_EQ(find_residual(bytes, values({"nowhere"})), "") << xfer;
    EXPECT_EQ(find_residual(bytes, values({})), "") << xfer;
  }
}

TEST(Verify, ByteSearchCoversThePreambleAndUnparsableInput) {
  auto file = test::make_ct();
  std::vector<uint8_t> bytes = test::serialize(*file);
  const std::string hidden = "Smithers";
  std::copy(hidden.begin(), hidden.end(), bytes.begin() + 10);
  EXPECT_EQ(find_residual(bytes, values({"smithers"})), "preamble");
  const std::string raw = "no dicom here, just Smithers";
  EXPECT_EQ(find_residual(std::vector<uint8_t>(raw.begin(), raw.end()), values({"smithers"})),
            "offset 0");
}

TEST(Verify, ObjectSearchIncludesMetaAndPrivate) {
  auto file = test::make_ct();
  const TokenMatcher m({"springfield_ct"});
  EXPECT_EQ(find_residual_in_file(*file, m), "(0002,0016)");
  file->getDataset()->putAndInsertString(DcmTag(0x0029, 0x0010, EVR_LO), "ACME");
  DcmElement* raw = nullptr;
  ASSERT_TRUE(DcmItem::newDicomElementWithVR(raw, DcmTag(0x0029, 0x1001, EVR_UN)).good());
  std::unique_ptr<DcmElement> un(raw);
  ASSERT_TRUE(un->putUint8Array(reinterpret_cast<const Uint8*>("secret"), 6).good());
  ASSERT_TRUE(file->getDataset()->insert(un.get()).good());
  un.release();
  EXPECT_EQ(find_residual_in_file(*file, TokenMatcher({"secret"})), "(0029,1001)");
  EXPECT_FALSE(find_residual_in_file(*file, TokenMatcher({"absent"})));
}

}  // namespace
}  // namespace obia::deid

namespace obia::deid {
namespace {

// The byte parser never trusts its input: truncated and corrupted files are searched without
// crashing (run under OBIA_SANITIZE=ON to see it), and a value still present is still found.
TEST(Verify, ByteSearchSurvivesDamagedInput) {
  auto file = test::make_ct();
  DcmItem& a = test::add_item(*file->getDataset(), DCM_ReferencedStudySequence);
  test::put(a, DCM_CodeMeaning, "the hidden value");
  const std::vector<uint8_t> good = test::serialize(*file);
  const IdentifyingValues v = values({"hidden"});
  for (std::size_t len = 0; len < good.size(); len += 7) {
    const std::vector<uint8_t> cut(good.begin(), good.begin() + static_cast<long>(len));
    (void)find_residual(cut, v);
  }
  uint32_t state = 12345;
  for (int round = 0; round < 2000; ++round) {
    std::vector<uint8_t> bad = good;
    for (int k = 0; k < 4; ++k) {
      state = state * 1103515245u + 12345u;
      bad[132 + (state >> 8) % (bad.size() - 132)] = static_cast<uint8_t>(state >> 24);
    }
    (void)find_residual(bad, v);
  }
  EXPECT_NE(find_residual(good, v), "");
}

}  // namespace
}  // namespace obia::deid
