// Clinical data import (`obiactl clinical import`): rows of a table keyed by the local patient
// ID are matched to a collection's individuals through the keyed HMAC, and the columns that
// clinical_columns.h lets in are stored as attributes "clinical.<name>" of the individuals
// (a birth date as "age" at the first study). The local ID is used for the lookup only: it is
// never stored, printed or put in a message.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "index/catalog.h"
#include "index/clinical_columns.h"
#include "index/csv.h"

namespace obia::index::clinical {

// The archive's keyed functions (deid/), passed in so that index/ does not depend on deid/.
struct Keying {
  // keyed_hash(secret, "patient", id): the key of the "individuals" table.
  std::function<PatientKey(std::string_view local_id)> patient_key;
  // date_offset_days(secret, id): days added to every date of that individual (negative).
  std::function<int(std::string_view local_id)> date_offset_days;
};

struct ImportOptions {
  std::string collection;  // accession, e.g. OBIA0001
  ColumnOptions columns;
  bool dry_run = false;
};

struct ImportReport {
  std::string collection;
  bool dry_run = false;
  std::vector<ColumnPlan> columns;
  size_t rows = 0;
  size_t matched = 0;
  std::vector<size_t> unmatched_lines;  // rows with no (visible) individual, or no ID
  size_t individuals_updated = 0;       // 0 on a dry run or a refusal
  // Birth dates: ages stored; ages not computable (no study date, or an impossible age);
  // stored ages that disagree with the one the DICOM PatientAge gave.
  size_t ages_set = 0, ages_unknown = 0, ages_differing_from_dicom = 0;

  bool refused() const;  // some column is refused: nothing was imported
  nlohmann::json to_json() const;
};

// Plans the import and, unless refused or a dry run, writes it: one update per individual,
// written only after every row and column has been checked. Errors (unknown collection, a
// missing ID column, the same individual on two rows) write nothing.
Result<ImportReport> import_table(Catalog& catalog, const csv::Table& table,
                                  const ImportOptions& options, const Keying& keying);

// Whole years from `birth` to `on` (a birthday not reached yet does not count). With only a
// birth year known (m == 0), the difference of the years.
int age_on(const Ymd& birth, const Ymd& on);

// The date `days` after `date` (negative: before).
Ymd add_days(const Ymd& date, int days);

}  // namespace obia::index::clinical
