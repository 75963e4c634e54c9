// Value patterns for clinical columns. Plain character tests rather than regular expressions:
// they run on every cell and have to be easy to read and to test.
#include "index/clinical_values.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <string_view>
#include <vector>

namespace obia::index::clinical {
namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }
bool upper(char c) { return c >= 'A' && c <= 'Z'; }
bool lower_or_utf8(char c) { return (c >= 'a' && c <= 'z') || static_cast<unsigned char>(c) >= 0x80; }
bool letter(char c) { return upper(c) || lower_or_utf8(c); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t j = i;
    while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j]))) ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

size_t longest_digit_run(std::string_view s) {
  size_t best = 0, run = 0;
  for (char c : s) {
    run = digit(c) ? run + 1 : 0;
    best = std::max(best, run);
  }
  return best;
}

size_t count_digits(std::string_view s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), digit));
}

// 12, -3.5, 1e-3, 70,5 is not a number here (it may be a list).
bool number(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t d = 0;
  while (i < s.size() && digit(s[i])) ++i, ++d;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && digit(s[i])) ++i, ++d;
  }
  if (d == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t e = 0;
    while (i < s.size() && digit(s[i])) ++i, ++e;
    if (e == 0) return false;
  }
  return i == s.size();
}

bool email(std::string_view s) {
  size_t at = s.find('@');
  if (at == 0 || at == std::string_view::npos) return false;
  size_t dot = s.find('.', at);
  return dot != std::string_view::npos && dot > at + 1 && dot + 1 < s.size() &&
         s.find(' ') == std::string_view::npos;
}

// +41-74-7251700, (555) 123-4567, 030 1234567: digits with separators, seven digits or more.
bool phone(std::string_view s) {
  if (count_digits(s) < 7) return false;
  bool separator = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (digit(c)) continue;
    if (c == '+' && i == 0) {
      separator = true;
      continue;
    }
    if (c == ' ' || c == '-' || c == '(' || c == ')' || c == '/' || c == '.') {
      separator = true;
      continue;
    }
    return false;
  }
  return separator;
}

// 1.2.840.10008.5.1: four or more dot-separated numbers.
bool dotted_uid(std::string_view s) {
  if (s.empty() || !digit(s.front()) || !digit(s.back())) return false;
  size_t dots = 0;
  for (char c : s) {
    if (c == '.') ++dots;
    else if (!digit(c)) return false;
  }
  return dots >= 3 && s.find("..") == std::string_view::npos;
}

// Kowalczyk^Ragnhildur: the DICOM PN form.
bool caret_name(std::string_view s) {
  size_t caret = s.find('^');
  return caret != std::string_view::npos && caret > 0 && letter(s[caret - 1]);
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// A digit and a street word ("Hungerbichlweg 13", "12 Baker Street").
bool street_address(std::string_view s) {
  if (count_digits(s) == 0) return false;
  static const char* const kWords[] = {"street", "road", "avenue", "lane", "boulevard", "blvd",
                                       "drive", "rue", "via", "calle", "ulica", "ul.", "st.",
                                       "rd.", "ave.", "gasse", "weg", "allee", "platz", "strasse",
                                       "str."};
  // German compounds end in the word: Bergbauernweg, Hauptstrasse.
  static const char* const kSuffixes[] = {"weg", "gasse", "allee", "platz", "strasse", "straße"};
  for (auto w : words(s)) {
    std::string l = lower(w);
    while (!l.empty() && (l.back() == ',' || l.back() == ';')) l.pop_back();
    for (const char* k : kWords)
      if (l == k) return true;
    for (const char* k : kSuffixes) {
      std::string_view sv(k);
      if (l.size() > sv.size() + 2 && l.compare(l.size() - sv.size(), sv.size(), sv) == 0)
        return true;
    }
  }
  return false;
}

// "51262 Kraljevica", "10115 Berlin": a 5-digit or dashed postcode before a capitalised word.
bool postcode_town(std::string_view s) {
  auto w = words(s);
  for (size_t i = 0; i + 1 < w.size(); ++i) {
    std::string_view p = w[i];
    bool code = (p.size() == 5 && count_digits(p) == 5) ||
                (p.size() == 6 && p[2] == '-' && count_digits(p) == 5);
    if (code && upper(w[i + 1].front()) && w[i + 1].size() >= 3 &&
        std::all_of(w[i + 1].begin() + 1, w[i + 1].end(), lower_or_utf8))
      return true;
  }
  return false;
}

// One to three words, each capitalised then lower case: "Anna", "Jan Kowalski", "Smith, John".
bool title_case_words(std::string_view s) {
  auto w = words(s);
  if (w.empty() || w.size() > 3) return false;
  for (auto x : w) {
    if (x.back() == ',') x.remove_suffix(1);
    if (x.size() < 2 || !upper(x.front())) return false;
    for (size_t i = 1; i < x.size(); ++i) {
      bool joined = x[i - 1] == '-' || x[i - 1] == '\'';  // Nowak-Kowalska, O'Brien
      if (!lower_or_utf8(x[i]) && x[i] != '-' && x[i] != '\'' && !(joined && upper(x[i])))
        return false;
    }
  }
  return true;
}

// Words that make a title-case column a list of categories rather than of names.
bool category_word(std::string_view s) {
  static const std::set<std::string> kWords = {
      "yes",      "no",       "true",    "false",   "male",     "female",  "positive",
      "negative", "present",  "absent",  "normal",  "abnormal", "left",    "right",
      "high",     "low",      "never",   "former",  "current",  "alive",   "dead",
      "deceased", "other",    "none",    "benign",  "malignant", "stable", "progression"};
  return kWords.count(lower(s)) > 0;
}

// "(2 cells, first on line 5)": where to look, without quoting the value.
std::string where(const Hit& h) {
  return "(" + std::to_string(h.count) + (h.count == 1 ? " cell" : " cells") + ", first on line " +
         std::to_string(h.first_line) + ")";
}

}  // namespace

ValueEvidence examine(const csv::Table& table, size_t column, size_t id_column) {
  ValueEvidence ev;
  std::set<std::string> seen;
  size_t dmy_only = 0, mdy_only = 0, either = 0, title = 0;
  bool categories = false;
  for (size_t r = 0; r < table.rows.size(); ++r) {
    const std::string& raw = table.rows[r][column];
    size_t line = table.lines[r];
    if (missing(raw)) continue;
    std::string_view v = trim(raw);
    ++ev.values;
    seen.emplace(v);
    std::string_view own = trim(table.rows[r][id_column]);
    if (own.size() >= 3 && v.find(own) != std::string_view::npos) ev.own_id.add(line);

    using O = ColumnPlan::DateOrder;
    auto as_dmy = parse_date(v, O::DMY, false), as_mdy = parse_date(v, O::MDY, false);
    if (as_dmy || as_mdy) {
      ++ev.dates;
      bool slash_form = v.size() >= 10 && (v[2] == '/' || v[2] == '-');
      if (slash_form) {
        if (as_dmy && !as_mdy) ++dmy_only;
        else if (as_mdy && !as_dmy) ++mdy_only;
        else if (as_dmy->d != as_dmy->m) ++either;  // 05/05/2020 reads the same both ways
      }
      continue;
    }
    if (v.size() == 4 && count_digits(v) == 4) ++ev.years;
    else ev.non_date.add(line);
    if (number(v)) {
      ++ev.numbers;
      if (longest_digit_run(v) >= 7 && v.find('.') == std::string_view::npos) ev.long_digits.add(line);
      continue;
    }
    if (email(v)) ev.email.add(line);
    if (phone(v) && !dotted_uid(v)) ev.phone.add(line);
    if (caret_name(v)) ev.caret_name.add(line);
    if (street_address(v)) ev.street_address.add(line);
    if (dotted_uid(v)) ev.uid.add(line);
    if (postcode_town(v)) ev.postcode_town.add(line);
    bool spaced = v.find(' ') != std::string_view::npos;
    if (!phone(v) && !dotted_uid(v) &&
        (longest_digit_run(v) >= 5 ||
         (!spaced && longest_digit_run(v) >= 4 && std::any_of(v.begin(), v.end(), letter))))
      ev.id_like.add(line);
    if (words(v).size() >= 8 || v.size() > 80) ev.free_text.add(line);
    if (title_case_words(v)) {
      ++title;
      ev.title_case.add(line);
    }
    if (category_word(v)) categories = true;
  }
  ev.distinct = seen.size();
  if (dmy_only && mdy_only) ev.mixed_order = true;
  else if (dmy_only) ev.order = ColumnPlan::DateOrder::DMY;
  else if (mdy_only) ev.order = ColumnPlan::DateOrder::MDY;
  else if (either) ev.ambiguous_order = true;
  if (ev.mixed_order) ev.ambiguous_order = true;
  // Names are mostly unique; categories repeat. Three values at least, or this says nothing.
  ev.name_like = !categories && ev.values >= 3 && title * 5 >= ev.values * 4 &&
                 ev.distinct * 5 >= ev.values * 4;
  return ev;
}

std::optional<std::string> ValueEvidence::hard_refusal() const {
  if (own_id.count) return "it holds the row's own patient ID " + where(own_id);
  if (email.count) return "its values look like email addresses " + where(email);
  if (phone.count) return "its values look like phone numbers " + where(phone);
  if (caret_name.count) return "its values look like DICOM person names " + where(caret_name);
  if (street_address.count) return "its values look like postal addresses " + where(street_address);
  if (uid.count) return "its values look like UIDs " + where(uid);
  if (dates > 0 && dates < values)
    return "it mixes exact dates with other values " + where(non_date);
  return std::nullopt;
}

std::optional<std::string> ValueEvidence::soft_refusal() const {
  if (name_like)
    return "its values look like person names (mostly distinct capitalised words) " +
           where(title_case);
  if (postcode_town.count) return "its values look like postcodes and towns " + where(postcode_town);
  if (long_digits.count)
    return "its values look like phone or record numbers (long digit strings) " + where(long_digits);
  if (id_like.count) return "its values look like identifiers (codes with long numbers) " + where(id_like);
  if (free_text.count) return "it holds free text, which can carry names and other identifiers " +
                              where(free_text);
  return std::nullopt;
}

}  // namespace obia::index::clinical
