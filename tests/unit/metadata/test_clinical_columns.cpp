// Column classification: identifier columns are refused by name and by values (the tricky
// ones: a column "ID" of small integers, a neutral "Subject" column holding names), safe ones
// kept, dates converted; options --drop, --allow, --rename.
#include <gtest/gtest.h>

#include "index/clinical_columns.h"

using namespace obia::index;
using namespace obia::index::clinical;

namespace {

csv::Table table(const std::string& text) {
  auto t = csv::parse(text, ',');
  if (!t) throw std::runtime_error(t.error().message);
  return *t;
}

std::map<std::string, ColumnPlan> plan(const csv::Table& t, ColumnOptions o = {}) {
  if (o.id_column.empty()) o.id_column = "PatientID";
  auto r = classify(t, o);
  if (!r) throw std::runtime_error(r.error().message);
  std::map<std::string, ColumnPlan> out;
  for (auto& p : *r) out[p.column] = p;
  return out;
}

const char* kRows =
    "PatientID,ID,Subject,smoking,valid,Thyroid volume,weight_kg,stage,birth_date,diagnosis_date\n"
    "MRN-1001,1,Anna Kowalska,never,yes,12.5,61.2,T2N0,1964-05-20,2019-03-01\n"
    "MRN-1002,2,Jan Nowak,former,no,10.1,80.0,T1N1,1950-01-02,2018-11-30\n"
    "MRN-1003,3,Piotr Wisniewski,current,yes,,72.4,T3N0,1971-12-31,2020-07-15\n"
    "MRN-1004,4,Maria Nowak-Lewandowska,never,yes,9.8,NA,T2N1,1980-06-06,2021-01-04\n";

}  // namespace

TEST(ClinicalColumns, TrickyIdAndSubjectColumns) {
  auto p = plan(table(kRows));
  EXPECT_EQ(p["PatientID"].action, Action::Id);
  // "ID" holds harmless-looking small integers, but its name says it is an identifier.
  EXPECT_EQ(p["ID"].action, Action::Refuse);
  EXPECT_NE(p["ID"].reason.find("identifiers"), std::string::npos);
  // "Subject" is a neutral name, but its values are distinct capitalised words: names.
  EXPECT_EQ(p["Subject"].action, Action::Refuse);
  EXPECT_NE(p["Subject"].reason.find("person names"), std::string::npos);
  EXPECT_TRUE(p["Subject"].overridable);
  // "valid" and "Thyroid volume" contain the letters "id" but not the word.
  EXPECT_EQ(p["valid"].action, Action::Keep);
  EXPECT_EQ(p["valid"].key, "clinical.valid");
  EXPECT_EQ(p["Thyroid volume"].action, Action::Keep);
  EXPECT_EQ(p["Thyroid volume"].key, "clinical.thyroid_volume");
  EXPECT_EQ(p["smoking"].action, Action::Keep);
  EXPECT_EQ(p["weight_kg"].action, Action::Keep);
  EXPECT_EQ(p["stage"].action, Action::Keep);
  EXPECT_EQ(p["birth_date"].action, Action::BirthDate);
  EXPECT_EQ(p["birth_date"].key, "age");
  EXPECT_EQ(p["diagnosis_date"].action, Action::Date);
  EXPECT_EQ(p["diagnosis_date"].key, "clinical.diagnosis_date");
}

TEST(ClinicalColumns, ReasonsNeverQuoteValues) {
  auto p = plan(table(kRows));
  for (auto& [name, c] : p) {
    EXPECT_EQ(c.reason.find("Kowalska"), std::string::npos) << name;
    EXPECT_EQ(c.reason.find("MRN"), std::string::npos) << name;
  }
}

TEST(ClinicalColumns, RefusedByName) {
  auto p = plan(table(
      "PatientID,Name,first_name,Surname,Address,zip,City,Phone,e-mail,MRN,SSN,patientId2,"
      "insurance number,record_no,Photo,dob,drug_name\n"
      "P1,x,x,x,x,x,x,x,x,x,x,x,x,x,x,1960-01-01,aspirin\n"));
  for (const char* c : {"Name", "first_name", "Surname", "Address", "zip", "City", "Phone",
                        "e-mail", "MRN", "SSN", "patientId2", "insurance number", "record_no",
                        "Photo"})
    EXPECT_EQ(p[c].action, Action::Refuse) << c;
  EXPECT_NE(p["Phone"].reason.find("phone"), std::string::npos);
  EXPECT_NE(p["Address"].reason.find("address"), std::string::npos);
  EXPECT_NE(p["e-mail"].reason.find("email"), std::string::npos);
  EXPECT_EQ(p["dob"].action, Action::BirthDate);
  EXPECT_EQ(p["drug_name"].action, Action::Keep);  // "name" of a drug, not of a person
}

TEST(ClinicalColumns, RefusedByValues) {
  auto p = plan(table(
      "PatientID,contact,reach,home,ref,person,code,note,other,uidcol,visit\n"
      "PT1,a.b@example.org,+41-74-7251700,Hungerbichlweg 13,MRN-53123398,Kowalczyk^Ragnhildur,"
      "12345678,fine,see PT1 notes,1.2.840.10008.1,1\n"
      "PT2,c@d.eu,(555) 123-4567,12 Baker Street,MRN-22222222,Smith^John,87654321,"
      "\"a long free text note that goes on and on about the visit and the findings\",x,1.2.3.4,2\n"));
  EXPECT_NE(p["contact"].reason.find("email"), std::string::npos);
  EXPECT_NE(p["reach"].reason.find("phone"), std::string::npos);
  EXPECT_NE(p["home"].reason.find("postal addresses"), std::string::npos);
  EXPECT_NE(p["ref"].reason.find("identifiers"), std::string::npos);
  EXPECT_NE(p["person"].reason.find("DICOM person names"), std::string::npos);
  EXPECT_NE(p["code"].reason.find("long digit"), std::string::npos);
  EXPECT_NE(p["note"].reason.find("free text"), std::string::npos);
  EXPECT_NE(p["other"].reason.find("own patient ID"), std::string::npos);
  EXPECT_NE(p["uidcol"].reason.find("UIDs"), std::string::npos);
  EXPECT_EQ(p["visit"].action, Action::Keep);
  for (const char* hard : {"contact", "reach", "home", "person", "other", "uidcol"})
    EXPECT_FALSE(p[hard].overridable) << hard;
  for (const char* soft : {"ref", "code", "note"}) EXPECT_TRUE(p[soft].overridable) << soft;
}

TEST(ClinicalColumns, CategoriesAreNotNames) {
  auto p = plan(table("PatientID,Response,Histology\nP1,Positive,Adenocarcinoma\n"
                      "P2,Negative,Adenocarcinoma\nP3,Positive,Squamous\nP4,Negative,Adenocarcinoma\n"));
  EXPECT_EQ(p["Response"].action, Action::Keep);
  EXPECT_EQ(p["Histology"].action, Action::Keep);  // repeats: a category, not names
}

TEST(ClinicalColumns, DatesAndTheirOrder) {
  auto p = plan(table("PatientID,eu,us,ambiguous,mixed,dotted,birth\n"
                      "P1,25/12/2019,12/25/2019,01/02/2019,2019-01-01,24.12.2019,1960\n"
                      "P2,01/02/2019,01/02/2019,03/04/2019,soon,01.02.2019,1970-05-05\n"));
  EXPECT_EQ(p["eu"].action, Action::Date);
  EXPECT_EQ(p["eu"].order, ColumnPlan::DateOrder::DMY);
  EXPECT_EQ(p["us"].action, Action::Date);
  EXPECT_EQ(p["us"].order, ColumnPlan::DateOrder::MDY);
  EXPECT_EQ(p["ambiguous"].action, Action::Refuse);
  EXPECT_NE(p["ambiguous"].reason.find("YYYY-MM-DD"), std::string::npos);
  EXPECT_EQ(p["mixed"].action, Action::Refuse);
  EXPECT_EQ(p["dotted"].action, Action::Date);
  EXPECT_EQ(p["birth"].action, Action::BirthDate);  // a year, or a full date
}

TEST(ClinicalColumns, BirthDateColumnThatIsNotDates) {
  auto p = plan(table("PatientID,date_of_birth,birth_weight\nP1,soon,3.2\nP2,1960-01-01,2.9\n"));
  EXPECT_EQ(p["date_of_birth"].action, Action::Refuse);
  EXPECT_EQ(p["birth_weight"].action, Action::Keep);
}

TEST(ClinicalColumns, Options) {
  ColumnOptions o;
  o.id_column = "patientid";  // case-insensitive when unique
  o.drop = {"Name"};
  o.allow = {"Subject"};
  o.rename = {{"sex", "reported sex"}};
  auto p = plan(table("PatientID,Name,Subject,sex\nP1,A,Anna Kowalska,F\nP2,B,Jan Nowak,M\n"
                      "P3,C,Piotr Wisniewski,F\n"),
                o);
  EXPECT_EQ(p["Name"].action, Action::Drop);
  EXPECT_EQ(p["Subject"].action, Action::Keep);
  EXPECT_EQ(p["sex"].action, Action::Keep);
  EXPECT_EQ(p["sex"].key, "clinical.reported_sex");
  // Without the rename, "sex" is a built-in search key.
  auto q = plan(table("PatientID,sex\nP1,F\n"));
  EXPECT_EQ(q["sex"].action, Action::Refuse);
  EXPECT_NE(q["sex"].reason.find("--rename"), std::string::npos);
  // --allow does not overrule hard evidence.
  ColumnOptions a;
  a.id_column = "PatientID";
  a.allow = {"mailbox"};
  auto r = plan(table("PatientID,mailbox\nP1,x@y.org\n"), a);
  EXPECT_EQ(r["mailbox"].action, Action::Refuse);
}

TEST(ClinicalColumns, Errors) {
  ColumnOptions o;
  o.id_column = "nope";
  EXPECT_FALSE(classify(table("PatientID,a\n1,2\n"), o).ok());
  o.id_column = "PatientID";
  auto clash = classify(table("PatientID,Smoking Status,smoking_status\n1,a,b\n"), o);
  ASSERT_FALSE(clash.ok());
  EXPECT_NE(clash.error().message.find("--rename"), std::string::npos);
}

TEST(ClinicalColumns, Names) {
  EXPECT_EQ(name_tokens("PatientID"), (std::vector<std::string>{"patient", "id"}));
  EXPECT_EQ(name_tokens("DOBDate"), (std::vector<std::string>{"dob", "date"}));
  EXPECT_EQ(name_tokens("date_of_birth"), (std::vector<std::string>{"date", "of", "birth"}));
  EXPECT_EQ(name_tokens("address2"), (std::vector<std::string>{"address", "2"}));
  EXPECT_EQ(name_tokens("valid"), (std::vector<std::string>{"valid"}));
  EXPECT_EQ(attribute_name("Smoking Status (pack-years)"), "smoking_status_pack_years");
  EXPECT_EQ(attribute_name("  "), "");
  EXPECT_TRUE(missing(" NA "));
  EXPECT_TRUE(missing("n/a"));
  EXPECT_TRUE(missing(""));
  EXPECT_FALSE(missing("0"));
}

TEST(ClinicalColumns, ParseDate) {
  using O = ColumnPlan::DateOrder;
  auto d = parse_date("2020-02-29", O::YMD, false);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->y, 2020);
  EXPECT_EQ(d->m, 2);
  EXPECT_EQ(d->d, 29);
  EXPECT_FALSE(parse_date("2019-02-29", O::YMD, false));
  EXPECT_TRUE(parse_date("20200317", O::YMD, false));
  EXPECT_TRUE(parse_date("2020-03-17T10:20:00", O::YMD, false));
  EXPECT_EQ(parse_date("03/04/2020", O::MDY, false)->m, 3);
  EXPECT_EQ(parse_date("03/04/2020", O::DMY, false)->m, 4);
  EXPECT_EQ(parse_date("03.04.2020", O::MDY, false)->m, 4);  // dotted: always day first
  EXPECT_FALSE(parse_date("1964", O::YMD, false));
  EXPECT_EQ(parse_date("1964", O::YMD, true)->m, 0);
  EXPECT_FALSE(parse_date("12345678", O::YMD, false));
  EXPECT_FALSE(parse_date("55", O::YMD, true));
}
