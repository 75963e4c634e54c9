// Clinical import against a real catalog: rows reach the right individuals through the keyed
// hash, birth dates become ages at the (unshifted) first study, dates are shifted, unmatched
// rows are reported by line, refusals and dry runs write nothing, and no local ID is stored.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "deid/date_shift.h"
#include "deid/keyed_hash.h"
#include "index/clinical.h"
#include "support.h"

using namespace obia;
using namespace obia::index;
using namespace obia::index::clinical;
using obia::testing::CatalogBuilder;
using obia::testing::StudyFacts;

namespace {

deid::Secret secret() {
  deid::Secret s{};
  for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<uint8_t>(i * 7 + 3);
  return s;
}

struct ClinicalImport : ::testing::Test {
  CatalogBuilder b;
  deid::Secret key = secret();
  Keying keying{[this](std::string_view id) { return deid::keyed_hash(key, "patient", id); },
                [this](std::string_view id) { return deid::date_offset_days(key, id); }};
  NodeId coll = 0;
  std::map<std::string, NodeId> ind;  // local ID -> individual (the test knows; the archive doesn't)

  std::string shifted(const std::string& local_id, const std::string& da) {
    return *deid::shift_date_value(da, deid::date_offset_days(key, local_id));
  }
  void SetUp() override {
    coll = b.collection("Lungs");
    // Original study dates; the catalog holds them shifted, as ingest stores them.
    struct P {
      const char* id;
      const char* sex;
      const char* age;
      std::vector<const char*> dates;
    } people[] = {{"MRN-1001", "F", "055Y", {"20210101", "20200317"}},
                  {"MRN-1002", "M", "069Y", {"20190610"}},
                  {"MRN-1003", "F", "", {""}}};
    int n = 0;
    for (auto& p : people) {
      ind[p.id] = b.individual(coll, keying.patient_key(p.id));
      for (auto* d : p.dates) {
        std::string date = *d ? shifted(p.id, d) : "";
        b.image(coll, ind[p.id], std::string(p.id) + d, "1", "CT", "CHEST",
                StudyFacts{p.sex, p.age, date});
      }
      ++n;
    }
    // Reserved only (its files were rejected): not in the tree, so not matched.
    ind["MRN-1004"] = b.individual(coll, keying.patient_key("MRN-1004"));
  }
  Result<ImportReport> run(const std::string& text, ImportOptions o = {}) {
    auto t = csv::parse(text, ',');
    if (!t) return t.error();
    o.collection = "OBIA0001";
    if (o.columns.id_column.empty()) o.columns.id_column = "PatientID";
    return import_table(b.catalog(), *t, o, keying);
  }
  Node node(const std::string& id) { return *b.catalog().get(ind[id]); }
};

}  // namespace

TEST_F(ClinicalImport, MapsRowsConvertsAndReportsUnmatched) {
  auto r = run(
      "PatientID,smoking,birth_date,diagnosis_date,pack_years\n"
      "MRN-1001,never,1964-03-10,2019-03-01,0\n"
      "MRN-9999,former,1950-01-01,2019-01-01,10\n"
      "MRN-1002,current,1949-06-11,NA,40\n"
      ",former,1950-01-01,2019-01-01,10\n"
      "MRN-1004,never,1950-01-01,2019-01-01,1\n"
      "MRN-1003,never,1980-01-01,2018-12-24,2\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->refused());
  EXPECT_EQ(r->rows, 6u);
  EXPECT_EQ(r->matched, 3u);
  EXPECT_EQ(r->unmatched_lines, (std::vector<size_t>{3, 5, 6}));
  EXPECT_EQ(r->individuals_updated, 3u);

  Node a = node("MRN-1001");
  EXPECT_EQ(a.attr("clinical.smoking"), "never");
  EXPECT_EQ(a.attr("clinical.pack_years"), "0");
  // First study 2020-03-17 (original): born 1964-03-10, so 56 that day. The stored date is
  // shifted back by the offset; using it directly would give a younger age.
  EXPECT_EQ(a.attr("age"), "56");
  int offset = deid::date_offset_days(key, "MRN-1001");
  ASSERT_LT(offset, -7) << "pick an ID whose offset crosses the birthday";
  EXPECT_LT(age_on(Ymd{1964, 3, 10}, add_days(Ymd{2020, 3, 17}, offset)), 56);
  EXPECT_EQ(a.attr("clinical.diagnosis_date"), shifted("MRN-1001", "20190301"));
  EXPECT_EQ(a.attr("clinical.birth_date"), "");  // never stored

  Node m = node("MRN-1002");
  EXPECT_EQ(m.attr("age"), "69");  // 1949-06-11 -> 2019-06-10: the day before the 70th birthday
  EXPECT_EQ(m.attr("clinical.diagnosis_date"), "");
  EXPECT_EQ(r->ages_set, 2u);
  EXPECT_EQ(r->ages_unknown, 1u);  // MRN-1003 has no study date
  EXPECT_EQ(r->ages_differing_from_dicom, 1u);  // 055Y from DICOM vs 56 from the birth date
  EXPECT_EQ(node("MRN-1004").attr("clinical.smoking"), "");

  // The JSON report has no IDs either.
  std::string json = r->to_json().dump();
  EXPECT_EQ(json.find("MRN"), std::string::npos);
}

TEST_F(ClinicalImport, NoLocalIdOrBirthDateInTheCatalogFile) {
  ASSERT_TRUE(run("PatientID,smoking,birth_date\nMRN-1001,never,1964-03-10\n").ok());
  std::ifstream in(b.catalog_dir() / "data.mdb", std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string bytes = ss.str();
  ASSERT_NE(bytes.find("clinical.smoking"), std::string::npos);
  EXPECT_EQ(bytes.find("MRN-1001"), std::string::npos);
  EXPECT_EQ(bytes.find("1964"), std::string::npos);
}

TEST_F(ClinicalImport, RefusalWritesNothing) {
  auto r = run("PatientID,smoking,Name\nMRN-1001,never,x\n");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->refused());
  EXPECT_EQ(r->individuals_updated, 0u);
  EXPECT_EQ(node("MRN-1001").attr("clinical.smoking"), "");
  ImportOptions o;
  o.columns.drop = {"Name"};
  auto dropped = run("PatientID,smoking,Name\nMRN-1001,never,x\n", o);
  ASSERT_TRUE(dropped.ok());
  EXPECT_FALSE(dropped->refused());
  EXPECT_EQ(node("MRN-1001").attr("clinical.smoking"), "never");
  EXPECT_EQ(node("MRN-1001").attr("clinical.name"), "");
}

TEST_F(ClinicalImport, DryRunWritesNothing) {
  ImportOptions o;
  o.dry_run = true;
  auto r = run("PatientID,smoking\nMRN-1001,never\n", o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->matched, 1u);
  EXPECT_EQ(r->individuals_updated, 0u);
  EXPECT_EQ(node("MRN-1001").attr("clinical.smoking"), "");
}

TEST_F(ClinicalImport, SameIndividualTwiceIsAnError) {
  auto r = run("PatientID,smoking\nMRN-1001,never\nMRN-1002,x\n MRN-1001 ,former\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("lines 2 and 4"), std::string::npos);
  EXPECT_EQ(r.error().message.find("MRN"), std::string::npos);
  EXPECT_EQ(node("MRN-1001").attr("clinical.smoking"), "");
}

TEST_F(ClinicalImport, ReimportReplacesAndMissingClears) {
  ASSERT_TRUE(run("PatientID,smoking,stage\nMRN-1001,never,T1\n").ok());
  ASSERT_TRUE(run("PatientID,smoking,stage\nMRN-1001,former,NA\n").ok());
  EXPECT_EQ(node("MRN-1001").attr("clinical.smoking"), "former");
  EXPECT_EQ(node("MRN-1001").attr("clinical.stage"), "");
}

TEST_F(ClinicalImport, ValuesAreOneLine) {
  ASSERT_TRUE(run("PatientID,note\nMRN-1001,\"a\tb\r\nc\"\n").ok());
  EXPECT_EQ(node("MRN-1001").attr("clinical.note"), "a b c");
}

TEST_F(ClinicalImport, UnknownCollection) {
  auto t = csv::parse("PatientID\nx\n", ',');
  ImportOptions o;
  o.collection = "OBIA0042";
  o.columns.id_column = "PatientID";
  EXPECT_FALSE(import_table(b.catalog(), *t, o, keying).ok());
}

TEST(ClinicalDates, AgeOn) {
  EXPECT_EQ(age_on({1964, 5, 20}, {2020, 5, 19}), 55);
  EXPECT_EQ(age_on({1964, 5, 20}, {2020, 5, 20}), 56);
  EXPECT_EQ(age_on({2000, 2, 29}, {2001, 2, 28}), 0);
  EXPECT_EQ(age_on({2000, 2, 29}, {2001, 3, 1}), 1);
  EXPECT_EQ(age_on({1964, 0, 0}, {2020, 1, 1}), 56);  // year only
  Ymd d = add_days({2020, 3, 1}, -1);
  EXPECT_EQ(d.m, 2);
  EXPECT_EQ(d.d, 29);
  d = add_days({2019, 12, 31}, 1);
  EXPECT_EQ(d.y, 2020);
}
