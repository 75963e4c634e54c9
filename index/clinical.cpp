// Clinical import: classify columns, match rows to individuals, convert dates, then write.
// Nothing is written until every check has passed, so a refusal or error leaves the catalog
// as it was.
#include "index/clinical.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <tuple>

namespace obia::index::clinical {
namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// Stored values are one line of printable text: participants.tsv and query/ paths show them.
std::string clean_value(std::string_view s) {
  std::string out;
  for (char ch : trim(s)) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

std::string da(const Ymd& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d", d.y, d.m, d.d);
  return buf;
}

// The earliest study date (DA, shifted) of an individual, as stored in the catalog.
Result<std::optional<Ymd>> first_study_date(const Catalog& catalog, NodeId individual) {
  auto studies = catalog.children(individual);
  if (!studies) return studies.error();
  std::optional<Ymd> first;
  for (const Node& s : *studies) {
    auto d = parse_date(s.attr("date"), ColumnPlan::DateOrder::YMD, false);
    if (!d) continue;
    if (!first || std::tie(d->y, d->m, d->d) < std::tie(first->y, first->m, first->d)) first = d;
  }
  return first;
}

const char* action_name(Action a) {
  switch (a) {
    case Action::Id:
      return "id";
    case Action::Keep:
      return "keep";
    case Action::BirthDate:
      return "birth-date-to-age";
    case Action::Date:
      return "date-shifted";
    case Action::Drop:
      return "dropped";
    case Action::Refuse:
      return "refused";
  }
  return "?";
}

}  // namespace

int age_on(const Ymd& birth, const Ymd& on) {
  if (birth.m == 0) return on.y - birth.y;
  return on.y - birth.y - (std::tie(on.m, on.d) < std::tie(birth.m, birth.d) ? 1 : 0);
}

Ymd add_days(const Ymd& date, int days) {
  using namespace std::chrono;
  year_month_day ymd{year{date.y}, month{static_cast<unsigned>(date.m)},
                     day{static_cast<unsigned>(date.d)}};
  year_month_day r{sys_days{ymd} + std::chrono::days{days}};
  return Ymd{static_cast<int>(r.year()), static_cast<int>(static_cast<unsigned>(r.month())),
             static_cast<int>(static_cast<unsigned>(r.day()))};
}

bool ImportReport::refused() const {
  return std::any_of(columns.begin(), columns.end(),
                     [](const ColumnPlan& p) { return p.action == Action::Refuse; });
}

nlohmann::json ImportReport::to_json() const {
  nlohmann::json cols = nlohmann::json::array();
  for (auto& p : columns) {
    nlohmann::json c = {
        {"column", p.column}, {"action", action_name(p.action)}, {"reason", p.reason}};
    if (!p.key.empty()) c["attribute"] = p.key;
    if (p.overridable) c["overridable"] = true;
    cols.push_back(std::move(c));
  }
  return {{"collection", collection},
          {"dry_run", dry_run},
          {"refused", refused()},
          {"columns", cols},
          {"rows", rows},
          {"matched", matched},
          {"unmatched", {{"count", unmatched_lines.size()}, {"lines", unmatched_lines}}},
          {"individuals_updated", individuals_updated},
          {"ages",
           {{"set", ages_set},
            {"unknown", ages_unknown},
            {"differing_from_dicom", ages_differing_from_dicom}}}};
}

Result<ImportReport> import_table(Catalog& catalog, const csv::Table& table,
                                  const ImportOptions& options, const Keying& keying) {
  auto coll = catalog.collection_by_accession(options.collection);
  if (!coll) return coll.error();
  if (!*coll) return make_error(ENOENT, "no collection " + options.collection);
  NodeId collection = (*coll)->id;

  ImportReport report;
  report.collection = options.collection;
  report.dry_run = options.dry_run;
  report.rows = table.rows.size();
  auto plans = classify(table, options.columns);
  if (!plans) return plans.error();
  report.columns = std::move(*plans);
  size_t id_col = static_cast<size_t>(table.column(options.columns.id_column));

  // Match every row first: an individual named twice is an error, not a silent overwrite.
  std::map<NodeId, size_t> row_of;  // individual -> row index
  for (size_t r = 0; r < table.rows.size(); ++r) {
    std::string id = trim(table.rows[r][id_col]);
    std::optional<NodeId> ind;
    if (!id.empty()) {
      // Read-only: individual_for() would reserve a new individual for an unknown key.
      auto found = catalog.find_individual(collection, keying.patient_key(id));
      if (!found) return found.error();
      ind = *found;
    }
    if (ind) {
      // A reserved individual (its files were all rejected) is not in the tree.
      auto node = catalog.get(*ind);
      if (!node) return node.error();
      auto visible = catalog.lookup(collection, node->name);
      if (!visible) return visible.error();
      if (!*visible) ind.reset();
    }
    if (!ind) {
      report.unmatched_lines.push_back(table.lines[r]);
      continue;
    }
    auto [it, fresh] = row_of.emplace(*ind, r);
    if (!fresh)
      return make_error(EINVAL, "lines " + std::to_string(table.lines[it->second]) + " and " +
                                    std::to_string(table.lines[r]) + " are the same individual");
  }
  report.matched = row_of.size();
  if (report.refused()) return report;  // matched rows are still reported, nothing converted

  // Convert and collect each individual's attributes.
  std::vector<std::pair<NodeId, std::map<std::string, std::string>>> updates;
  for (auto& [ind, r] : row_of) {
    const auto& row = table.rows[r];
    std::string local_id = trim(row[id_col]);
    std::map<std::string, std::string> set;
    for (size_t c = 0; c < report.columns.size(); ++c) {
      const ColumnPlan& p = report.columns[c];
      const std::string& cell = row[c];
      switch (p.action) {
        case Action::Keep:
          set[p.key] = missing(cell) ? "" : clean_value(cell);  // "" clears an earlier import
          break;
        case Action::Date: {
          auto d = missing(cell) ? std::nullopt : parse_date(cell, p.order, false);
          set[p.key] = d ? da(add_days(*d, keying.date_offset_days(local_id))) : "";
          break;
        }
        case Action::BirthDate: {
          auto birth = missing(cell) ? std::nullopt : parse_date(cell, p.order, true);
          if (!birth) break;
          auto first = first_study_date(catalog, ind);
          if (!first) return first.error();
          if (!*first) {
            ++report.ages_unknown;
            break;
          }
          // Stored dates are shifted: original = stored - offset (offset = shifted - original).
          Ymd original = add_days(**first, -keying.date_offset_days(local_id));
          int age = age_on(*birth, original);
          if (age < 0 || age > 150) {
            ++report.ages_unknown;
            break;
          }
          auto node = catalog.get(ind);
          if (!node) return node.error();
          std::string before = node->attr("age");
          if (!before.empty() && before != std::to_string(age)) ++report.ages_differing_from_dicom;
          set["age"] = std::to_string(age);
          ++report.ages_set;
          break;
        }
        default:
          break;
      }
    }
    if (!set.empty()) updates.emplace_back(ind, std::move(set));
  }
  if (options.dry_run) return report;
  for (auto& [ind, set] : updates) {
    OBIA_TRY(catalog.update_node_attrs(ind, set));
    ++report.individuals_updated;
  }
  return report;
}

}  // namespace obia::index::clinical
