// Delimited text tables (clinical data import): CSV as RFC 4180 (quoted fields may hold the
// delimiter, doubled quotes and line breaks; CRLF or LF) and TSV with the same quoting.
// Errors name line numbers only, never cell contents: the cells may be identifiers.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace obia::index::csv {

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each as wide as the header
  std::vector<size_t> lines;                   // the line each row starts on (header: line 1)

  // Index of `column` in the header: exact match first, else the only case-insensitive one;
  // -1 when absent or ambiguous.
  int column(std::string_view name) const;
};

// Parses `text` with `delimiter` (',' or '\t'). A UTF-8 byte order mark is skipped and blank
// lines are ignored. Rows whose field count differs from the header's are errors.
Result<Table> parse(std::string_view text, char delimiter);

// Reads a file; the delimiter follows the extension (.tsv/.tab/.txt: tab, .csv: comma), or,
// for any other name, whichever of tab and comma the header line holds.
Result<Table> read_file(const std::filesystem::path& path);

}  // namespace obia::index::csv
