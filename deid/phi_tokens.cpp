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
char fold(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
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
  for (char& c : out) c = fold(c);
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
  if (!letter) return digits >= kMinTokenDigits;  // the placeholder words all have letters
  for (std::string_view w : kNoIdentity) {
    if (token.size() == w.size() && token == w) return false;
  }
  return true;
}

std::vector<std::string> tokenize(std::string_view value) {
  // Folded into a reused buffer: tokenize runs for every value the profile changes.
  thread_local std::string folded;
  folded.assign(value);
  for (char& c : folded) c = fold(c);
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < folded.size()) {
    const auto c = static_cast<unsigned char>(folded[i]);
    if (!is_word(c) && !is_joiner(c)) {
      ++i;
      continue;
    }
    std::size_t j = i;
    bool has_letter = false, has_joiner = false;
    for (; j < folded.size(); ++j) {
      const auto ch = static_cast<unsigned char>(folded[j]);
      if (is_joiner(ch)) {
        has_joiner = true;
      } else if (is_word(ch)) {
        has_letter = has_letter || is_letter(ch);
      } else {
        break;
      }
    }
    const std::string_view word(folded.data() + i, j - i);
    add_token(word, out);
    if (has_letter && has_joiner) {
      std::size_t k = 0;
      while (k < word.size()) {
        std::size_t e = k;
        while (e < word.size() && !is_joiner(static_cast<unsigned char>(word[e]))) ++e;
        add_token(word.substr(k, e - k), out);
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
  for (std::size_t t = 0; t < tokens_.size(); ++t)
    by_first_[static_cast<unsigned char>(tokens_[t].front())].push_back(t);
}

// One pass over the text: a match can only start where the previous byte is no word character,
// and only tokens beginning with the byte found there can start at it. Same result as searching
// each token in turn (the lowest-numbered token that occurs), without a scan per token.
std::optional<std::size_t> TokenMatcher::find_in(std::string_view text) const {
  if (tokens_.empty() || text.empty()) return std::nullopt;
  const std::string_view h = text;  // folded on the fly: tokens are folded already
  std::size_t best = tokens_.size();
  for (std::size_t pos = 0; pos < h.size(); ++pos) {
    const auto first = static_cast<unsigned char>(fold(h[pos]));
    const std::vector<std::size_t>& candidates = by_first_[first];
    if (candidates.empty() || candidates.front() >= best) continue;
    if (pos > 0) {
      const auto before = static_cast<unsigned char>(h[pos - 1]);
      if (is_word(before)) continue;
      if (is_digit(first) && before == '.' && pos > 1 &&
          is_digit(static_cast<unsigned char>(h[pos - 2])))
        continue;  // inside a dotted number
    }
    for (std::size_t t : candidates) {
      if (t >= best) break;
      const std::string_view tok = tokens_[t];
      if (h.size() - pos < tok.size()) continue;
      std::size_t i = 1;
      while (i < tok.size() && fold(h[pos + i]) == tok[i]) ++i;
      if (i < tok.size()) continue;
      const std::size_t end = pos + tok.size();
      if (end < h.size()) {
        const auto after = static_cast<unsigned char>(h[end]);
        if (is_word(after)) continue;
        if (is_digit(static_cast<unsigned char>(tok.back())) && after == '.' &&
            end + 1 < h.size() && is_digit(static_cast<unsigned char>(h[end + 1])))
          continue;
      }
      best = t;
      break;
    }
  }
  if (best == tokens_.size()) return std::nullopt;
  return best;
}

}  // namespace obia::deid
