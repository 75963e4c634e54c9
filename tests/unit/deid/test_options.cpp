// Each option changes exactly the rows its column names, measured on data: an instance holding
// every attribute of Table E.1-1 is de-identified with the Basic Profile and with Basic + one
// option, and the attributes whose output differs must be exactly the option column's rows.
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <set>

#include "deid/deidentifier.h"
#include "deid/rule_table.h"
#include "support.h"

namespace obia::deid {
namespace {

// A unique, harmless word per row: "Vaab", "Vaac", ... (no digits, dates or names in it).
std::string label(int i) {
  std::string s = "V";
  for (int k = 0; k < 3; ++k, i /= 26) s.insert(1, 1, static_cast<char>('a' + i % 26));
  return s;
}

DcmEVR vr_of(const Rule& r) {
  const DcmEVR known = DcmTag(r.group, r.element).getEVR();
  if (known != EVR_UNKNOWN && known != EVR_UN) return known;
  const std::string_view kw = r.keyword;  // tags newer than DCMTK 3.6.7's dictionary
  if (kw.ends_with("Sequence")) return EVR_SQ;
  if (kw.ends_with("DateTime")) return EVR_DT;
  if (kw.ends_with("Date")) return EVR_DA;
  if (kw.ends_with("Time")) return EVR_TM;
  if (kw.ends_with("UID")) return EVR_UI;
  if (kw.ends_with("URI")) return EVR_UR;
  return EVR_LO;
}

std::string value_for(DcmEVR vr, int i) {
  char buf[64];
  switch (vr) {
    case EVR_DA:
    case EVR_DT: {
      // A different date per row: 2019-01-01 + i days, roughly.
      std::snprintf(buf, sizeof buf, "2019%02d%02d", 1 + (i / 28) % 12, 1 + i % 28);
      return std::string(buf) + (vr == EVR_DT ? "101010" : "");
    }
    case EVR_TM:
      return "101010";
    case EVR_AS:
      return "045Y";
    case EVR_DS:
    case EVR_FL:
    case EVR_FD:
    case EVR_OF:
    case EVR_OD:
      return "1.5";
    case EVR_IS:
    case EVR_US:
    case EVR_SS:
    case EVR_UL:
    case EVR_SL:
    case EVR_SV:
    case EVR_UV:
    case EVR_OL:
    case EVR_OV:
      return "7";
    case EVR_UI:
      std::snprintf(buf, sizeof buf, "1.2.826.0.1.3680043.10.99.%d", i);
      return buf;
    case EVR_UR:
      return "urn:" + label(i);
    case EVR_PN:
      return label(i) + "^" + label(i + 1000);
    case EVR_CS: {
      std::string l = label(i);
      for (char& c : l) c = static_cast<char>(std::toupper(c));
      return l;
    }
    default:
      return label(i);
  }
}

// Inserts the row's attribute; false if DCMTK cannot hold it.
bool insert(DcmItem& target, const Rule& r, int i) {
  const DcmEVR vr = vr_of(r);
  const DcmTag tag(r.group, r.element, vr);
  if (vr == EVR_SQ) {
    DcmItem* item = nullptr;
    if (target.findOrCreateSequenceItem(tag, item, -2).bad() || item == nullptr) return false;
    return item->putAndInsertString(DCM_CodeValue, label(i + 2000).c_str()).good() &&
           item->putAndInsertString(DCM_CodeMeaning, label(i + 3000).c_str()).good();
  }
  if (vr == EVR_OB || vr == EVR_UN || vr == EVR_OW) {
    const std::string v = label(i);  // printable bytes, even length
    return target.putAndInsertUint8Array(tag, reinterpret_cast<const Uint8*>(v.data()), 4).good();
  }
  if (vr == EVR_AT) return target.putAndInsertTagKey(tag, DCM_StudyDate).good();
  return target.putAndInsertString(tag, value_for(vr, i).c_str()).good();
}

std::string render(DcmItem& item, const DcmTagKey& tag) {
  DcmElement* e = nullptr;
  if (item.findAndGetElement(tag, e).bad() || e == nullptr) return "<absent>";
  if (e->ident() == EVR_SQ) {
    auto* seq = static_cast<DcmSequenceOfItems*>(e);
    std::string out = "SQ[";
    for (unsigned long i = 0; i < seq->card(); ++i) {
      DcmItem* it = seq->getItem(i);
      for (unsigned long j = 0; j < it->card(); ++j) {
        out += test::get(*it, it->getElement(j)->getTag()) + ";";
      }
      out += "|";
    }
    return out + "]";
  }
  OFString s;
  e->getOFStringArray(s);
  return s.c_str();
}

struct Instance {
  std::unique_ptr<DcmFileFormat> file;
  std::vector<const Rule*> rows;  // rows present in it
};

const DcmTagKey kPrivateData(0x0019, 0x1001);

Instance every_row() {
  Instance in{std::make_unique<DcmFileFormat>(), {}};
  DcmDataset& ds = *in.file->getDataset();
  ds.putAndInsertString(DCM_SOPClassUID, UID_CTImageStorage);
  int i = 0;
  for (const Rule& r : rules()) {
    ++i;
    if (r.scope == RuleScope::Private) {
      ds.putAndInsertString(DcmTag(0x0019, 0x0010, EVR_LO), "ACME 1.0");
      ds.putAndInsertString(DcmTag(kPrivateData, EVR_DS), "2.5");
      in.rows.push_back(&r);
      continue;
    }
    if (r.scope != RuleScope::Tag) continue;  // repeating groups: see CleanGraphics below
    if (r.keyword == "PatientName" || r.keyword == "PatientID") continue;  // subject rule
    DcmItem& target = r.group == 0x0002 ? static_cast<DcmItem&>(*in.file->getMetaInfo())
                                        : static_cast<DcmItem&>(ds);
    if (insert(target, r, i)) in.rows.push_back(&r);
  }
  return in;
}

std::string output_of(DcmFileFormat& f, const Rule& r) {
  if (r.scope == RuleScope::Private) return render(*f.getDataset(), kPrivateData);
  DcmItem& where = r.group == 0x0002 ? static_cast<DcmItem&>(*f.getMetaInfo())
                                     : static_cast<DcmItem&>(*f.getDataset());
  return render(where, DcmTagKey(r.group, r.element));
}

std::set<std::string> changed_rows(const Profile& with) {
  Instance basic = every_row();
  Instance opt = every_row();
  const Outcome a = deidentify(*basic.file, Profile{}, test::secret(), test::subject());
  const Outcome b = deidentify(*opt.file, with, test::secret(), test::subject());
  EXPECT_TRUE(a.ok) << a.reason << " " << a.detail;
  EXPECT_TRUE(b.ok) << with.to_string() << ": " << b.reason << " " << b.detail;
  std::set<std::string> changed;
  for (const Rule* r : basic.rows) {
    if (output_of(*basic.file, *r) != output_of(*opt.file, *r)) changed.insert(std::string(r->tag));
  }
  return changed;
}

std::set<std::string> column_rows(Option o, const std::vector<const Rule*>& present) {
  std::set<std::string> rows;
  for (const Rule* r : present) {
    if (option_cell(*r, o) != Action::None) rows.insert(std::string(r->tag));
  }
  return rows;
}

class EachOption : public ::testing::TestWithParam<Option> {};

TEST_P(EachOption, ChangesExactlyTheRowsOfItsColumn) {
  const Option o = GetParam();
  const Instance probe = every_row();
  EXPECT_GT(probe.rows.size(), 640u);  // all single-tag rows but the subject rule, + private
  const std::set<std::string> expected = column_rows(o, probe.rows);
  const std::set<std::string> changed = changed_rows(Profile{{o}});
  std::string missing, extra;
  for (const std::string& t : expected) missing += changed.count(t) ? "" : t + " ";
  for (const std::string& t : changed) extra += expected.count(t) ? "" : t + " ";
  EXPECT_EQ(missing, "") << option_name(o) << ": rows of the column that did not change";
  EXPECT_EQ(extra, "") << option_name(o) << ": rows that changed outside the column";
  EXPECT_EQ(changed.size(), expected.size());
}

INSTANTIATE_TEST_SUITE_P(
    Options, EachOption,
    ::testing::Values(Option::RetainSafePrivate, Option::RetainUIDs, Option::RetainDeviceIdentity,
                      Option::RetainInstitutionIdentity, Option::RetainPatientCharacteristics,
                      Option::RetainLongFullDates, Option::RetainLongModifiedDates,
                      Option::CleanDescriptors, Option::CleanStructuredContent,
                      Option::CleanGraphics),
    [](const auto& info) {
      std::string n(option_name(info.param));
      for (char& c : n) c = c == '-' ? '_' : c;
      return n;
    });

// The three repeating-group rows of the Clean Graphics column (50xx curves, 60xx overlay data
// and comments) are still removed under the option: there is no bitmap cleaner (documented in
// docs/deid-conformance.md). Its fourth row, GraphicAnnotationSequence, is covered above.
TEST(CleanGraphics, OverlaysAndCurvesAreStillRemoved) {
  for (const Profile& p : {Profile{}, Profile{{Option::CleanGraphics}}}) {
    auto file = test::make_ct();
    DcmDataset& ds = *file->getDataset();
    const Uint16 bits[2] = {1, 0};
    ds.putAndInsertUint16Array(DcmTagKey(0x6000, 0x3000), bits, 2);
    ds.putAndInsertString(DcmTag(0x6000, 0x4000, EVR_LT), "overlay note");
    ds.putAndInsertUint16(DcmTagKey(0x5000, 0x0005), 1);
    ASSERT_TRUE(deidentify(*file, p, test::secret(), test::subject()).ok);
    EXPECT_FALSE(ds.tagExists(DcmTagKey(0x6000, 0x3000)));
    EXPECT_FALSE(ds.tagExists(DcmTagKey(0x6000, 0x4000)));
    EXPECT_FALSE(ds.tagExists(DcmTagKey(0x5000, 0x0005)));
  }
}

// Clean Pixel Data has no column: it changes only the marks (and refuses declared burned-in
// text, tested with the actions).
TEST(CleanPixelData, ChangesNoRow) {
  EXPECT_TRUE(changed_rows(Profile{{Option::CleanPixelData}}).empty());
}

}  // namespace
}  // namespace obia::deid
