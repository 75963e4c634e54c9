// Pattern checks for free text kept under the Clean Descriptors and Clean Structured Content
// options. Deliberately eager: a false alarm only removes a description.
#include "deid/text_clean.h"

#include <algorithm>
#include <array>
#include <string>

namespace obia::deid {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Whole word (not glued to letters) occurrence of `word` in lower-cased `h`.
bool has_word(std::string_view h, std::string_view word) {
  for (auto p = h.find(word); p != std::string_view::npos; p = h.find(word, p + 1)) {
    const bool left = p == 0 || !is_alpha(h[p - 1]);
    const bool right = p + word.size() >= h.size() || !is_alpha(h[p + word.size()]);
    if (left && right) return true;
  }
  return false;
}

bool has_prefix_word(std::string_view h, std::string_view stem) {
  for (auto p = h.find(stem); p != std::string_view::npos; p = h.find(stem, p + 1)) {
    if (p == 0 || !is_alpha(h[p - 1])) return true;
  }
  return false;
}

// Runs of digits possibly joined by separators: the longest plain digit run, and whether some
// run looks like a telephone number (7-15 digits grouped by '-', '(', ')', '+', '/', or by
// spaces into groups of 3+ digits).
struct DigitRuns {
  std::size_t longest_plain = 0;
  bool phone = false;
};

bool is_number_joiner(char c) {
  return c == '-' || c == '(' || c == ')' || c == '+' || c == '/' || c == ' ' || c == '.';
}

DigitRuns scan_digits(std::string_view h) {
  DigitRuns r;
  std::size_t i = 0;
  while (i < h.size()) {
    if (!is_digit(h[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < h.size() && (is_digit(h[j]) || is_number_joiner(h[j]))) ++j;
    while (j > i && !is_digit(h[j - 1])) --j;  // end on a digit
    const std::string_view span = h.substr(i, j - i);
    std::size_t digits = 0, groups = 0, plain = 0, shortest = span.size();
    bool phone_sep = i > 0 && (h[i - 1] == '+' || h[i - 1] == '(');
    bool dot = false;
    for (std::size_t k = 0; k <= span.size(); ++k) {
      const char c = k < span.size() ? span[k] : ' ';
      if (is_digit(c)) {
        ++digits;
        ++plain;
        r.longest_plain = std::max(r.longest_plain, plain);
        continue;
      }
      if (plain > 0) {
        ++groups;
        shortest = std::min(shortest, plain);
      }
      plain = 0;
      phone_sep = phone_sep || (c != ' ' && c != '.');
      dot = dot || c == '.';
    }
    const bool spaced = groups >= 2 && shortest >= 3 && !dot;
    if (digits >= 7 && digits <= 15 && (phone_sep || spaced)) r.phone = true;
    i = j + 1;
  }
  return r;
}

bool looks_like_date(std::string_view h) {
  // d{1,4} sep d{1,2} sep d{2,4} with the same separator, e.g. 2020-01-31, 31/01/2020, 1.2.20
  for (std::size_t i = 0; i < h.size(); ++i) {
    if (!is_digit(h[i]) || (i > 0 && is_digit(h[i - 1]))) continue;
    std::size_t a = i;
    while (a < h.size() && is_digit(h[a])) ++a;
    const std::size_t n1 = a - i;
    if (n1 > 4 || a >= h.size()) continue;
    const char sep = h[a];
    if (sep != '-' && sep != '/' && sep != '.') continue;
    std::size_t b = a + 1;
    while (b < h.size() && is_digit(h[b])) ++b;
    const std::size_t n2 = b - a - 1;
    if (n2 < 1 || n2 > 2 || b >= h.size() || h[b] != sep) continue;
    std::size_t c = b + 1;
    while (c < h.size() && is_digit(h[c])) ++c;
    const std::size_t n3 = c - b - 1;
    if (n3 < 2 || n3 > 4) continue;
    if (c < h.size() && (h[c] == '.' || is_digit(h[c]))) continue;  // part of a longer number
    if (n1 == 4 || n3 == 4 || n3 == 2) return true;
  }
  // YYYYMMDD with a plausible century.
  for (std::size_t i = 0; i + 8 <= h.size(); ++i) {
    if ((i > 0 && is_digit(h[i - 1])) || (i + 8 < h.size() && is_digit(h[i + 8]))) continue;
    const std::string_view d = h.substr(i, 8);
    bool digits = true;
    for (char c : d) digits = digits && is_digit(c);
    if (!digits) continue;
    if (d.starts_with("19") || d.starts_with("20")) {
      const int month = (d[4] - '0') * 10 + (d[5] - '0');
      const int day = (d[6] - '0') * 10 + (d[7] - '0');
      if (month >= 1 && month <= 12 && day >= 1 && day <= 31) return true;
    }
  }
  // A month name next to a number: "jan 2020", "31 march", "14-mar-1962". English, German,
  // French, Spanish, Italian, Dutch and Polish (genitive) names and abbreviations, folded
  // ("März" is "marz").
  constexpr std::array<std::string_view, 83> kMonths{
      "jan",       "january",  "feb",      "february",     "mar",        "march",   "apr",
      "april",     "may",      "jun",      "june",         "jul",        "july",    "aug",
      "august",    "sep",      "sept",     "september",    "oct",        "october", "nov",
      "november",  "dec",      "december", "januar",       "februar",    "marz",    "mai",
      "juni",      "juli",     "oktober",  "dezember",     "okt",        "dez",     "janvier",
      "fevrier",   "mars",     "avril",    "juin",         "juillet",    "aout",    "septembre",
      "octobre",   "novembre", "decembre", "enero",        "febrero",    "marzo",   "abril",
      "mayo",      "junio",    "julio",    "agosto",       "septiembre", "octubre", "noviembre",
      "diciembre", "gennaio",  "febbraio", "aprile",       "maggio",     "giugno",  "luglio",
      "settembre", "ottobre",  "dicembre", "januari",      "februari",   "maart",   "mei",
      "augustus",  "stycznia", "lutego",   "marca",        "kwietnia",   "maja",    "czerwca",
      "lipca",     "sierpnia", "wrzesnia", "pazdziernika", "listopada",  "grudnia"};
  for (std::size_t p = 0; p < h.size();) {
    if (!is_alpha(h[p])) {
      ++p;
      continue;
    }
    std::size_t e = p;
    while (e < h.size() && is_alpha(h[e])) ++e;
    const std::string_view word = h.substr(p, e - p);
    bool month = false;
    for (std::string_view m : kMonths) month = month || word == m;
    if (month) {
      std::size_t after = e;
      auto sep = [](char c) { return c == ' ' || c == '.' || c == ',' || c == '-' || c == '/'; };
      while (after < h.size() && sep(h[after])) ++after;  // "mar 14", "mar-1962", "mar. 14"
      std::size_t before = p;
      while (before > 0 && sep(h[before - 1])) --before;  // "14 mar", "14-mar", "14/mar"
      if ((after < h.size() && is_digit(h[after])) ||
          (before < p && before > 0 && is_digit(h[before - 1]))) {
        return true;
      }
    }
    p = e;
  }
  return false;
}

// Matched against folded text (fold_case): no capitals, no diacritics ("Straße" is "strasse").
constexpr std::array<std::string_view, 13> kAddressWords{
    "street",   "road",   "avenue",   "boulevard", "blvd", "lane",    "strasse",
    "p.o. box", "po box", "postfach", "apartment", "zip",  "postcode"};
constexpr std::array<std::string_view, 11> kInstitutionStems{
    "hospital",  "clinic",    "klinik",   "clinique",     "hopital",      "ospedale",
    "infirmary", "universit", "institut", "medical cent", "health system"};
constexpr std::array<std::string_view, 6> kTitles{"dr.", "mrs", "mrs.", "miss", "prof.", "mr."};

// Street words of other languages, as whole words ("5 rue de la Paix", "ulica Polna 3",
// "Calle Mayor 1"). Not "via": too common in English.
constexpr std::array<std::string_view, 9> kStreetWords{"rue", "calle", "ulica",  "ul.",    "straat",
                                                       "rua", "viale", "piazza", "avenida"};
// Street names written as one word with their kind at the end, then the house number:
// "Rosenauerstrasse 12", "Lerchenfeldgasse 3a", "Kirchweg 7".
constexpr std::array<std::string_view, 11> kStreetSuffixes{
    "strasse", "str.", "gasse", "weg", "allee", "platz", "straat", "laan", "vej", "gatan", "veien"};
// Street kinds after a house number and one to three words: "742 Evergreen Terrace",
// "12 Oak St". Missing on purpose: CT and DR ("3 phase CT", "2 views DR"), way and place.
constexpr std::array<std::string_view, 16> kStreetKinds{
    "street", "st",    "avenue",  "ave",     "road",    "rd",     "drive", "lane",
    "ln",     "court", "terrace", "parkway", "highway", "circle", "blvd",  "boulevard"};

bool is_word_char(char c) { return is_alpha(c) || is_digit(c); }

// A word ending in a street suffix, then a house number.
bool has_compound_street(std::string_view h) {
  for (std::string_view suffix : kStreetSuffixes) {
    for (auto p = h.find(suffix); p != std::string_view::npos; p = h.find(suffix, p + 1)) {
      std::size_t e = p + suffix.size();
      if (suffix.back() != '.' && e < h.size() && is_alpha(h[e])) continue;  // inside a word
      if (p == 0 || !is_alpha(h[p - 1])) continue;  // a compound: letters before the suffix
      while (e < h.size() && (h[e] == ' ' || h[e] == '.' || h[e] == ',')) ++e;
      if (e < h.size() && is_digit(h[e])) return true;
    }
  }
  return false;
}

// A house number (1-5 digits), one to three words, then a street kind.
bool has_numbered_street(std::string_view h) {
  for (std::size_t i = 0; i < h.size(); ++i) {
    if (!is_digit(h[i]) || (i > 0 && is_word_char(h[i - 1]))) continue;
    std::size_t e = i;
    while (e < h.size() && is_digit(h[e])) ++e;
    if (e - i > 5 || e >= h.size() || h[e] != ' ') continue;
    std::size_t p = e;
    for (int words = 0; words < 4; ++words) {
      while (p < h.size() && h[p] == ' ') ++p;
      std::size_t w = p;
      while (w < h.size() && is_alpha(h[w])) ++w;
      if (w == p) break;
      const std::string_view word = h.substr(p, w - p);
      if (words > 0 && (w == h.size() || !is_digit(h[w]))) {
        for (std::string_view kind : kStreetKinds)
          if (word == kind) return true;
      }
      if (w < h.size() && h[w] != ' ') break;
      p = w;
    }
  }
  return false;
}

}  // namespace

TextFinding inspect_text(std::string_view text, const TokenMatcher& identifying) {
  if (identifying.find_in(text)) return TextFinding::IdentifyingValue;
  const std::string h = fold_case(text);
  if (h.find('^') != std::string::npos) return TextFinding::PersonName;
  for (std::string_view t : kTitles) {
    if (t.back() == '.' ? has_prefix_word(h, t) : has_word(h, t)) return TextFinding::PersonName;
  }
  if (h.find('@') != std::string::npos || h.find("http") != std::string::npos ||
      h.find("www.") != std::string::npos) {
    return TextFinding::Address;
  }
  for (std::string_view w : kAddressWords) {
    if (has_word(h, w)) return TextFinding::Address;
  }
  for (std::string_view w : kStreetWords) {
    if (has_word(h, w)) return TextFinding::Address;
  }
  if (has_compound_street(h) || has_numbered_street(h)) return TextFinding::Address;
  for (std::string_view s : kInstitutionStems) {
    if (has_prefix_word(h, s)) return TextFinding::Institution;
  }
  // Dotted numeric with 3+ dots: a UID (or part of one).
  for (std::size_t i = 0, dots = 0, run = 0; i <= h.size(); ++i) {
    const char c = i < h.size() ? h[i] : ' ';
    if (is_digit(c)) {
      ++run;
    } else if (c == '.' && run > 0) {
      ++dots;
      run = 0;
    } else {
      if (dots >= 3) return TextFinding::Uid;
      dots = 0;
      run = 0;
    }
  }
  if (looks_like_date(h)) return TextFinding::Date;
  const DigitRuns runs = scan_digits(h);
  if (runs.phone) return TextFinding::PhoneNumber;
  if (runs.longest_plain >= 6) return TextFinding::Identifier;
  return TextFinding::Clean;
}

}  // namespace obia::deid
