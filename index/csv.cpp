// RFC 4180 parsing as a small state machine over the bytes; line numbers are tracked so that
// errors and unmatched rows can be reported without quoting any cell.
#include "index/csv.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace obia::index::csv {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool blank(const std::vector<std::string>& record) {
  return record.size() == 1 && record[0].empty();
}

}  // namespace

int Table::column(std::string_view name) const {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return static_cast<int>(i);
  int found = -1;
  for (size_t i = 0; i < header.size(); ++i) {
    if (lower(header[i]) != lower(name)) continue;
    if (found >= 0) return -1;
    found = static_cast<int>(i);
  }
  return found;
}

Result<Table> parse(std::string_view text, char delimiter) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  Table t;
  std::vector<std::string> record;
  std::string field;
  size_t line = 1, record_line = 1;
  bool quoted = false;      // inside a quoted field
  bool was_quoted = false;  // the current field was quoted and has closed
  bool have_header = false;

  auto end_record = [&]() -> Status {
    record.push_back(std::move(field));
    field.clear();
    was_quoted = false;
    if (!blank(record)) {
      if (!have_header) {
        t.header = std::move(record);
        have_header = true;
      } else if (record.size() != t.header.size()) {
        return make_error(EINVAL, "line " + std::to_string(record_line) + " has " +
                                      std::to_string(record.size()) + " fields; the header has " +
                                      std::to_string(t.header.size()));
      } else {
        t.rows.push_back(std::move(record));
        t.lines.push_back(record_line);
      }
    }
    record.clear();
    return {};
  };

  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          quoted = false;
          was_quoted = true;
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    if (c == delimiter) {
      record.push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      OBIA_TRY(end_record());
      ++line;
      record_line = line;
    } else if (was_quoted) {
      return make_error(EINVAL, "line " + std::to_string(line) +
                                    ": text after the closing quote of a field");
    } else if (c == '"') {
      if (!field.empty())
        return make_error(EINVAL, "line " + std::to_string(line) +
                                      ": a quote inside an unquoted field (quote the whole field "
                                      "and double the quote)");
      quoted = true;
    } else {
      field.push_back(c);
    }
  }
  if (quoted)
    return make_error(EINVAL, "line " + std::to_string(record_line) + ": a quoted field never ends");
  if (!field.empty() || !record.empty() || was_quoted) OBIA_TRY(end_record());
  if (!have_header) return make_error(EINVAL, "the file has no header line");
  return t;
}

Result<Table> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ENOENT, "cannot read " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  std::string ext = lower(path.extension().string());
  char delimiter = ',';
  if (ext == ".tsv" || ext == ".tab" || ext == ".txt") {
    delimiter = '\t';
  } else if (ext != ".csv") {
    std::string_view first(text);
    first = first.substr(0, first.find('\n'));
    if (first.find('\t') != std::string_view::npos) delimiter = '\t';
  }
  auto t = parse(text, delimiter);
  if (!t) return make_error(t.error().code, path.filename().string() + ": " + t.error().message);
  return t;
}

}  // namespace obia::index::csv
