// Lookup over the generated Table E.1-1 rows and the option-override rule of E.1.1.
#include "deid/rule_table.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace obia::deid {
namespace {

#include "annex_e_rules.inc"

// Exact-tag rows sorted by (group, element) for binary search.
struct Index {
  std::vector<std::pair<uint32_t, const Rule*>> exact;
  const Rule* curve = nullptr;
  const Rule* overlay_data = nullptr;
  const Rule* overlay_comments = nullptr;
  const Rule* private_row = nullptr;
};

const Index& index() {
  static const Index idx = [] {
    Index i;
    for (const Rule& r : kGeneratedRules) {
      switch (r.scope) {
        case RuleScope::Tag:
          i.exact.emplace_back((uint32_t{r.group} << 16) | r.element, &r);
          break;
        case RuleScope::CurveGroup:
          i.curve = &r;
          break;
        case RuleScope::OverlayData:
          i.overlay_data = &r;
          break;
        case RuleScope::OverlayComments:
          i.overlay_comments = &r;
          break;
        case RuleScope::Private:
          i.private_row = &r;
          break;
      }
    }
    std::sort(i.exact.begin(), i.exact.end());
    return i;
  }();
  return idx;
}

// PS3.5 7.6: repeating groups are the even groups base..base+0x1E.
bool in_repeating_group(uint16_t group, uint16_t base) {
  return group >= base && group <= base + 0x1E && (group & 1) == 0;
}

}  // namespace

std::string_view annex_e_edition() { return kGeneratedEdition; }

std::span<const Rule> rules() { return kGeneratedRules; }

const Rule* find_rule(uint16_t group, uint16_t element) {
  const Index& idx = index();
  if (group & 1) return idx.private_row;
  const uint32_t key = (uint32_t{group} << 16) | element;
  auto it = std::lower_bound(idx.exact.begin(), idx.exact.end(), key,
                             [](const auto& entry, uint32_t k) { return entry.first < k; });
  if (it != idx.exact.end() && it->first == key) return it->second;
  if (in_repeating_group(group, 0x5000)) return idx.curve;
  if (in_repeating_group(group, 0x6000)) {
    if (element == 0x3000) return idx.overlay_data;
    if (element == 0x4000) return idx.overlay_comments;
  }
  return nullptr;
}

Action option_cell(const Rule& rule, Option o) {
  const auto column = static_cast<std::size_t>(o);
  return column < kOptionColumns ? rule.option[column] : Action::None;
}

Action effective_action(const Rule& rule, const Profile& profile) {
  bool keep = false;
  bool clean = false;
  for (Option o : profile.options) {
    const Action cell = option_cell(rule, o);
    keep = keep || cell == Action::K;
    clean = clean || cell == Action::C;
  }
  if (clean) return Action::C;
  if (keep) return Action::K;
  return rule.basic;
}

std::string_view action_code(Action a) {
  switch (a) {
    case Action::None:
      return "";
    case Action::D:
      return "D";
    case Action::Z:
      return "Z";
    case Action::X:
      return "X";
    case Action::K:
      return "K";
    case Action::C:
      return "C";
    case Action::U:
      return "U";
    case Action::Z_D:
      return "Z/D";
    case Action::X_Z:
      return "X/Z";
    case Action::X_D:
      return "X/D";
    case Action::X_Z_D:
      return "X/Z/D";
    case Action::X_Z_Ustar:
      return "X/Z/U*";
  }
  return "";
}

bool is_descriptor_row(const Rule& rule) {
  return option_cell(rule, Option::CleanDescriptors) != Action::None ||
         option_cell(rule, Option::CleanStructuredContent) != Action::None ||
         option_cell(rule, Option::CleanGraphics) != Action::None;
}

bool is_characteristic_row(const Rule& rule) {
  return option_cell(rule, Option::RetainPatientCharacteristics) != Action::None;
}

}  // namespace obia::deid
