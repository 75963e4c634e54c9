// The evidence in one column's values that it carries identifiers whatever its name: emails,
// phone numbers, postal addresses, DICOM person names, UIDs, record-number-like codes, person
// names in title case, free text, the row's own patient ID; and whether it holds exact dates.
// Messages name the kind of value and a line number, never the value itself.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "index/clinical_columns.h"
#include "index/csv.h"

namespace obia::index::clinical {

struct Hit {
  size_t count = 0;
  size_t first_line = 0;
  void add(size_t line) {
    if (count++ == 0) first_line = line;
  }
};

struct ValueEvidence {
  size_t values = 0;   // cells that are not missing()
  size_t distinct = 0;
  size_t dates = 0;    // exact calendar dates (any accepted form)
  size_t years = 0;    // bare four-digit years (a birth-year column)
  size_t numbers = 0;
  Hit non_date;        // first cell that is neither date nor year
  ColumnPlan::DateOrder order = ColumnPlan::DateOrder::YMD;
  bool ambiguous_order = false;  // DD/MM vs MM/DD cannot be told apart
  bool mixed_order = false;      // some cells can only be DD/MM, others only MM/DD
  // Hard evidence: refused whatever the options say (except --drop).
  Hit email, phone, caret_name, street_address, uid, own_id;
  // Heuristics: refused unless --allow.
  Hit postcode_town, id_like, long_digits, free_text, title_case;
  bool name_like = false;  // mostly distinct title-case words: looks like a list of names

  std::optional<std::string> hard_refusal() const;
  std::optional<std::string> soft_refusal() const;
};

// Examines column `column` of every row; `id_column` gives each row's own patient ID.
ValueEvidence examine(const csv::Table& table, size_t column, size_t id_column);

}  // namespace obia::index::clinical
