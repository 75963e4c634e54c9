// Table E.1-1 of PS3.15 as the engine sees it: one Rule per row, generated at build time from
// the shared TSV, plus lookup by tag and the per-profile effective action code.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "deid/profile.h"

namespace obia::deid {

// Action codes of Table E.1-1a. None is an empty option cell ("use the Basic Profile code").
enum class Action : uint8_t { None, D, Z, X, K, C, U, Z_D, X_Z, X_D, X_Z_D, X_Z_Ustar };

// How a row names its attributes: one tag, a repeating group, or every odd-group attribute.
enum class RuleScope : uint8_t { Tag, CurveGroup, OverlayData, OverlayComments, Private };

// The ten option columns of E.1-1, in the TSV's (and Option's) order. Clean Pixel Data has none.
inline constexpr std::size_t kOptionColumns = 10;

struct Rule {
  uint16_t group;  // for repeating groups: the first group (0x5000, 0x6000)
  uint16_t element;
  RuleScope scope;
  std::string_view tag;      // as written in the table, e.g. "0010,0010", "60xx,3000"
  std::string_view keyword;  // empty for 50xx,xxxx and the private row
  std::string_view name;
  bool retired;
  bool in_std_comp_iod;
  Action basic;
  std::array<Action, kOptionColumns> option;  // indexed by static_cast<size_t>(Option)
};

// "PS3.15 2026c": the edition the table was generated from.
std::string_view annex_e_edition();

std::span<const Rule> rules();

// The row governing (group,element): an exact row, a repeating-group row, or the private row
// for odd groups. nullptr when the table does not list the attribute.
const Rule* find_rule(uint16_t group, uint16_t element);

// The option column's cell for `o` (None for Clean Pixel Data, which has no column).
Action option_cell(const Rule& rule, Option o);

// The code the profile applies to the row: an option's cell overrides the Basic Profile code.
// When two selected options both name the row, C (change/clean) wins over K (keep), because
// keeping an unshifted date under Retain Device Identity would undo Modified Dates.
Action effective_action(const Rule& rule, const Profile& profile);

// "X/Z/U*" and so on, as written in the table; "" for None.
std::string_view action_code(Action a);

// Row families used by the verification pass to tell identity from description.
bool is_descriptor_row(const Rule& rule);      // Clean Descriptors/Structured Content/Graphics
bool is_characteristic_row(const Rule& rule);  // Retain Patient Characteristics names it

}  // namespace obia::deid
