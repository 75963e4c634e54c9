// Clean Descriptors: which free text may be kept.
#include <gtest/gtest.h>

#include "deid/text_clean.h"

namespace obia::deid {
namespace {

TEST(TextClean, KeepsOrdinaryDescriptions) {
  const TokenMatcher none({});
  for (const char* s :
       {"CT CHEST W CONTRAST", "AXIAL 5MM", "T1 MPRAGE 1.0 mm sag", "Series 2", "MR HEAD",
        "DR CHEST PA", "Localizer 3 planes", "0.5-1.0 mm", "512 x 512", "Mar reduction kernel B30f",
        "3 phase CT abdomen", "2 views DR chest", "Head 5 mm axial",
        "Localizer 3 planes way too dark", "Weg 1 test", "T2 FLAIR 3 mm", "CTA runoff 2 legs"}) {
    EXPECT_EQ(inspect_text(s, none), TextFinding::Clean) << s;
  }
}

TEST(TextClean, RejectsIdentifyingContent) {
  const TokenMatcher ids({"smithers", "springfield"});
  EXPECT_EQ(inspect_text("Patient Smithers moved", ids), TextFinding::IdentifyingValue);
  EXPECT_EQ(inspect_text("referred from SPRINGFIELD", ids), TextFinding::IdentifyingValue);
  const TokenMatcher none({});
  EXPECT_EQ(inspect_text("Doe^John", none), TextFinding::PersonName);
  EXPECT_EQ(inspect_text("per Dr. House", none), TextFinding::PersonName);
  EXPECT_EQ(inspect_text("Mrs Krabappel", none), TextFinding::PersonName);
  EXPECT_EQ(inspect_text("prior 2021-03-15", none), TextFinding::Date);
  EXPECT_EQ(inspect_text("prior 15/03/2021", none), TextFinding::Date);
  EXPECT_EQ(inspect_text("prior 20210315", none), TextFinding::Date);
  EXPECT_EQ(inspect_text("seen 15 March", none), TextFinding::Date);
  for (const char* date :
       {"DOB 14-Mar-1962", "14/MAR/62", "Mar-14-1962", "1962-Mar-14", "March 14, 1962", "14. März"})
    EXPECT_NE(inspect_text(date, none), TextFinding::Clean) << date;
  EXPECT_EQ(inspect_text("call 555-123-4567", none), TextFinding::PhoneNumber);
  EXPECT_EQ(inspect_text("call (555) 123 4567", none), TextFinding::PhoneNumber);
  EXPECT_EQ(inspect_text("MRN 3344556", none), TextFinding::Identifier);
  EXPECT_EQ(inspect_text("742 Evergreen Street", none), TextFinding::Address);
  for (const char* address :
       {"742 Evergreen Terrace", "lives at 12 Oak St.", "1600 Pennsylvania Avenue NW",
        "Rosenauerstrasse 12", "Lerchenfeldgasse 3a", "Kirchsteigweg 7, 6020 Innsbruck",
        "Hauptstr. 5", "Kastanienallee 40", "5 rue de la Paix", "ulica Polna 3", "Calle Mayor 1",
        "Keizersgracht straat 2", "viale Monza 10", "Strandvej 21"}) {
    EXPECT_EQ(inspect_text(address, none), TextFinding::Address) << address;
  }
  EXPECT_EQ(inspect_text("mail j@x.org", none), TextFinding::Address);
  EXPECT_EQ(inspect_text("St Mary Hospital", none), TextFinding::Institution);
  EXPECT_EQ(inspect_text("Universitätsklinikum", none), TextFinding::Institution);
  EXPECT_EQ(inspect_text("ref 1.2.840.113619.2.55", none), TextFinding::Uid);
}

}  // namespace
}  // namespace obia::deid
