// Which columns of a clinical table may enter the archive: each column is classified by its
// name AND its values as the patient-ID column (used for matching, never stored), kept as is,
// converted (a birth date becomes age at the first study; other exact dates are shifted like
// the images' dates), dropped on request, or refused because it carries identifiers (names,
// addresses, phone numbers, emails, exact birth dates, IDs).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "index/csv.h"

namespace obia::index::clinical {

enum class Action { Id, Keep, BirthDate, Date, Drop, Refuse };

struct ColumnPlan {
  std::string column;  // as in the header
  std::string key;     // node attribute: "clinical.<name>", or "age" for a birth date
  Action action = Action::Keep;
  std::string reason;  // why refused or converted; never quotes a value
  bool overridable = false;  // refused on a value heuristic that --allow may overrule
  enum class DateOrder { YMD, DMY, MDY } order = DateOrder::YMD;  // for BirthDate / Date
};

struct ColumnOptions {
  std::string id_column;
  std::set<std::string> drop;                 // --drop COL
  std::set<std::string> allow;                // --allow COL: overrule value heuristics
  std::map<std::string, std::string> rename;  // --rename COL=NAME
};

// One plan per header column, in header order. The caller checks for Refuse.
// Fails when the ID column is absent, or two columns end up with the same attribute name.
Result<std::vector<ColumnPlan>> classify(const csv::Table& table, const ColumnOptions& options);

// "Smoking Status" -> "smoking_status": lower case letters, digits and single '_', so that the
// name works as an attribute, a participants.tsv column and a query/ key.
std::string attribute_name(std::string_view column);
// "PatientID" -> {"patient", "id"}; "date_of_birth" -> {"date", "of", "birth"}.
std::vector<std::string> name_tokens(std::string_view column);

// Cells that mean "no value".
bool missing(std::string_view cell);

struct Ymd {
  int y = 0, m = 0, d = 0;  // m == 0 and d == 0: only the year is known
};
// A calendar date in `order` (ISO forms are always accepted): YYYY-MM-DD, YYYYMMDD,
// YYYY/MM/DD, YYYY.MM.DD, DD.MM.YYYY, DD/MM/YYYY or MM/DD/YYYY, optionally followed by a
// time; a bare year "YYYY" when `year_ok`.
std::optional<Ymd> parse_date(std::string_view s, ColumnPlan::DateOrder order, bool year_ok);

}  // namespace obia::index::clinical
