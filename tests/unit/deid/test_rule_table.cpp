// Table E.1-1 as generated into the engine, checked against the TSV itself: every row, the
// code counts, and that each option changes exactly the rows its column names.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "deid/rule_table.h"

namespace obia::deid {
namespace {

struct TsvRow {
  std::vector<std::string> cells;
};

std::vector<TsvRow> read_tsv() {
  std::ifstream in(OBIA_ANNEX_E_TSV);
  std::vector<TsvRow> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    TsvRow r;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, '\t')) r.cells.push_back(cell);
    while (r.cells.size() < 16) r.cells.emplace_back();  // trailing empty cells
    rows.push_back(r);
  }
  return rows;
}

const Rule* rule_for(const std::string& tag) {
  for (const Rule& r : rules()) {
    if (r.tag == tag) return &r;
  }
  return nullptr;
}

constexpr Option kColumns[kOptionColumns] = {Option::RetainSafePrivate,
                                             Option::RetainUIDs,
                                             Option::RetainDeviceIdentity,
                                             Option::RetainInstitutionIdentity,
                                             Option::RetainPatientCharacteristics,
                                             Option::RetainLongFullDates,
                                             Option::RetainLongModifiedDates,
                                             Option::CleanDescriptors,
                                             Option::CleanStructuredContent,
                                             Option::CleanGraphics};

TEST(RuleTable, EditionAndSize) {
  EXPECT_EQ(annex_e_edition(), "PS3.15 2026c");
  EXPECT_EQ(rules().size(), 656u);
}

TEST(RuleTable, EveryTsvRowIsInTheEngine) {
  const auto tsv = read_tsv();
  ASSERT_EQ(tsv.size(), 656u);
  for (const TsvRow& row : tsv) {
    const Rule* r = rule_for(row.cells[0]);
    ASSERT_NE(r, nullptr) << row.cells[0];
    EXPECT_EQ(r->keyword, row.cells[1]);
    EXPECT_EQ(r->name, row.cells[2]);
    EXPECT_EQ(r->retired, row.cells[3] == "Y");
    EXPECT_EQ(r->in_std_comp_iod, row.cells[4] == "Y");
    EXPECT_EQ(action_code(r->basic), row.cells[5]) << row.cells[0];
    for (std::size_t c = 0; c < kOptionColumns; ++c) {
      EXPECT_EQ(action_code(option_cell(*r, kColumns[c])), row.cells[6 + c]) << row.cells[0];
    }
  }
}

TEST(RuleTable, BasicProfileCodeCounts) {
  std::map<std::string, int> counts;
  for (const Rule& r : rules()) ++counts[std::string(action_code(r.basic))];
  const std::map<std::string, int> expected{{"X", 416},   {"D", 93},   {"U", 55},
                                            {"Z", 42},    {"X/D", 23}, {"X/Z", 11},
                                            {"X/Z/D", 8}, {"Z/D", 6},  {"X/Z/U*", 2}};
  EXPECT_EQ(counts, expected);
}

// E.1.1: an option's code replaces the Basic Profile code in exactly its column's rows.
TEST(RuleTable, EachOptionChangesExactlyTheRowsOfItsColumn) {
  const auto tsv = read_tsv();
  for (std::size_t c = 0; c < kOptionColumns; ++c) {
    int named = 0, changed = 0;
    for (const TsvRow& row : tsv) {
      const Rule* r = rule_for(row.cells[0]);
      ASSERT_NE(r, nullptr);
      const bool in_column = !row.cells[6 + c].empty();
      const Action with = effective_action(*r, Profile{{kColumns[c]}});
      const bool differs = with != r->basic;
      EXPECT_EQ(differs, in_column) << option_name(kColumns[c]) << " " << row.cells[0];
      if (in_column) {
        EXPECT_EQ(action_code(with), row.cells[6 + c]);
      }
      named += in_column;
      changed += differs;
    }
    EXPECT_EQ(changed, named) << option_name(kColumns[c]);
  }
  // The README's published column counts, as a check on the TSV reader above.
  auto count = [&](Option o) {
    int n = 0;
    for (const Rule& r : rules()) n += option_cell(r, o) != Action::None;
    return n;
  };
  EXPECT_EQ(count(Option::RetainSafePrivate), 1);
  EXPECT_EQ(count(Option::RetainUIDs), 60);
  EXPECT_EQ(count(Option::RetainDeviceIdentity), 59);
  EXPECT_EQ(count(Option::RetainInstitutionIdentity), 10);
  EXPECT_EQ(count(Option::RetainPatientCharacteristics), 19);
  EXPECT_EQ(count(Option::RetainLongFullDates), 169);
  EXPECT_EQ(count(Option::RetainLongModifiedDates), 169);
  EXPECT_EQ(count(Option::CleanDescriptors), 140);
  EXPECT_EQ(count(Option::CleanStructuredContent), 4);
  EXPECT_EQ(count(Option::CleanGraphics), 4);
  EXPECT_EQ(count(Option::CleanPixelData), 0);  // no column (E.3.1)
}

TEST(RuleTable, LookupByTagAndRepeatingGroups) {
  ASSERT_NE(find_rule(0x0010, 0x0010), nullptr);
  EXPECT_EQ(find_rule(0x0010, 0x0010)->keyword, "PatientName");
  EXPECT_EQ(find_rule(0x6000, 0x3000)->scope, RuleScope::OverlayData);
  EXPECT_EQ(find_rule(0x601E, 0x4000)->scope, RuleScope::OverlayComments);
  EXPECT_EQ(find_rule(0x6001, 0x3000)->scope, RuleScope::Private);  // odd: private, not overlay
  EXPECT_EQ(find_rule(0x6020, 0x3000), nullptr);                    // beyond 601E
  EXPECT_EQ(find_rule(0x5012, 0x0005)->scope, RuleScope::CurveGroup);
  EXPECT_EQ(find_rule(0x0019, 0x1010)->scope, RuleScope::Private);
  EXPECT_EQ(find_rule(0x0028, 0x0010), nullptr);  // Rows: not in the table
}

TEST(RuleTable, OptionsNamingTheSameRow) {
  const Rule* cal = find_rule(0x0018, 0x1200);  // DateOfLastCalibration: device K, dates K/C
  ASSERT_NE(cal, nullptr);
  EXPECT_EQ(effective_action(*cal, Profile{}), Action::X);
  EXPECT_EQ(effective_action(*cal, Profile{{Option::RetainDeviceIdentity}}), Action::K);
  EXPECT_EQ(effective_action(
                *cal, Profile{{Option::RetainDeviceIdentity, Option::RetainLongModifiedDates}}),
            Action::C);  // C wins: an unshifted calibration date would date the study
  EXPECT_EQ(effective_action(*cal, Profile::obia_default()), Action::C);
}

}  // namespace
}  // namespace obia::deid
