// Tokenisation and whole-token matching for the residual-PHI search.
#include "deid/phi_tokens.h"

#include <algorithm>
#include <array>

namespace obia::deid {
namespace {

bool is_alnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool is_letter(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}
// Letters of any script count as word characters: non-ASCII bytes never split a token.
bool is_word(unsigned char c) { return is_alnum(c) || c >= 0x80; }
bool is_joiner(unsigned char c) { return c == '.' || c == '-' || c == '_' || c == '@'; }

// Words that appear as values in many originals without identifying anyone: placeholders of
// test and teaching data, and the dummy values this engine writes itself (a previously
// de-identified file must not trip the check).
constexpr std::array<std::string_view, 16> kNoIdentity{
    "anonymous",     "anonymized", "anonymised", "anon",   "unknown",  "none",
    "null",          "nil",        "removed",    "dummy",  "redacted", "deidentified",
    "de-identified", "yes",        "test",       "patient"};

std::string_view trim_joiners(std::string_view t) {
  while (!t.empty() && is_joiner(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
  while (!t.empty() && is_joiner(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
  return t;
}

void add_token(std::string_view t, std::vector<std::string>& out) {
  t = trim_joiners(t);
  if (!is_useful_token(t)) return;
  std::string s(t);
  if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
}

}  // namespace

std::string fold_case(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool is_useful_token(std::string_view token) {
  if (token.size() < kMinTokenLength) return false;
  std::size_t digits = 0;
  bool letter = false;
  for (unsigned char c : token) {
    digits += is_digit(c) ? 1 : 0;
    letter = letter || is_letter(c);
  }
  if (!letter && digits < kMinTokenDigits) return false;
  for (std::string_view w : kNoIdentity) {
    if (token == w) return false;
  }
  return true;
}

std::vector<std::string> tokenize(std::string_view value) {
  const std::string folded = fold_case(value);
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < folded.size()) {
    const auto c = static_cast<unsigned char>(folded[i]);
    if (!is_word(c) && !is_joiner(c)) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < folded.size() && (is_word(static_cast<unsigned char>(folded[j])) ||
                                 is_joiner(static_cast<unsigned char>(folded[j])))) {
      ++j;
    }
    const std::string_view word(folded.data() + i, j - i);
    add_token(word, out);
    const bool has_letter = std::any_of(word.begin(), word.end(), [](char ch) {
      return is_letter(static_cast<unsigned char>(ch));
    });
    if (has_letter) {
      std::size_t k = 0;
      while (k < word.size()) {
        std::size_t e = k;
        while (e < word.size() && !is_joiner(static_cast<unsigned char>(word[e]))) ++e;
        if (e - k < word.size()) add_token(word.substr(k, e - k), out);
        k = e + 1;
      }
    }
    i = j;
  }
  return out;
}

TokenMatcher::TokenMatcher(std::vector<std::string> tokens) : tokens_(std::move(tokens)) {
  // Tokens are normally normalised already; a caller's hand-made list need not be.
  for (std::string& t : tokens_) t = fold_case(t);
  std::erase_if(tokens_, [](const std::string& t) { return t.empty(); });
}

std::optional<std::size_t> TokenMatcher::find_in(std::string_view text) const {
  if (tokens_.empty() || text.empty()) return std::nullopt;
  const std::string folded = fold_case(text);
  const std::string_view h(folded);
  for (std::size_t t = 0; t < tokens_.size(); ++t) {
    const std::string_view tok = tokens_[t];
    const bool starts_digit = is_digit(static_cast<unsigned char>(tok.front()));
    const bool ends_digit = is_digit(static_cast<unsigned char>(tok.back()));
    for (std::size_t pos = h.find(tok); pos != std::string_view::npos; pos = h.find(tok, pos + 1)) {
      const std::size_t end = pos + tok.size();
      if (pos > 0) {
        const auto before = static_cast<unsigned char>(h[pos - 1]);
        if (is_word(before)) continue;
        if (starts_digit && before == '.' && pos > 1 &&
            is_digit(static_cast<unsigned char>(h[pos - 2])))
          continue;
      }
      if (end < h.size()) {
        const auto after = static_cast<unsigned char>(h[end]);
        if (is_word(after)) continue;
        if (ends_digit && after == '.' && end + 1 < h.size() &&
            is_digit(static_cast<unsigned char>(h[end + 1]))) {
          continue;
        }
      }
      return t;
    }
  }
  return std::nullopt;
}

}  // namespace obia::deid
