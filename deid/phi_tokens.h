// Identifying tokens: how values are normalised and split for the verification pass, and the
// boundary-aware matcher used on datasets, serialised bytes and free text alike.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace obia::deid {

// Tokens shorter than this are ignored: too common to mean anything ("M", "CT", "1").
inline constexpr std::size_t kMinTokenLength = 3;
// Tokens without any letter (numbers, dates, UIDs, phone numbers) need this many digits; shorter
// numbers ("120", "1.5") are everywhere in retained numeric attributes.
inline constexpr std::size_t kMinTokenDigits = 4;

// The spelling that identifying values are compared in: letters in lower case, Latin letters
// without diacritics (é -> e, ø -> o, ł -> l, ß -> ss, æ -> ae), Greek and Cyrillic in lower case,
// typographic apostrophes as ', ideographic spaces and 、。・ as spaces, fullwidth ASCII as ASCII;
// with `german`, ä ö ü become ae oe ue. Bytes that form UTF-8 are read as UTF-8, any other byte as
// ISO 8859-1, so the Latin-1 and UTF-8 spellings of a name fold alike. Other characters are kept
// (as UTF-8).
std::string fold_text(std::string_view s, bool german);

// fold_text(s, false).
std::string fold_case(std::string_view s);

// Splits a value into normalised tokens: folded (fold_text; values with ä ö ü also give the tokens
// of their ae oe ue spelling); split on spaces, '^', '\', '=', and any other punctuation except
// '.', '-', '_', '@' (kept inside UIDs, dates, IDs, e-mail addresses); leading/trailing '.', '-',
// '_', '@' trimmed. A token with letters that contains '.', '-', '_' or '@' also yields its parts
// ("mary-jane" -> "mary-jane", "mary", "jane"). Tokens failing is_useful_token() are dropped. A run
// of words joined by apostrophes also yields its glued spelling ("o'hara" -> "ohara").
std::vector<std::string> tokenize(std::string_view value);

// Person names whose family or given name is too short to be a token ("LI^NA", "NG^BO") as the
// phrases they are written in: "na li", "li na", "li, na" (folded), and glued in scripts written
// without spaces ("王伟"). Other names give none: their parts are tokens already.
std::vector<std::string> name_phrases(std::string_view pn_value);

// Long enough, enough digits if it has no letter, and not a word that carries no identity
// ("anonymous", "unknown", "test", "patient", ...: placeholders and our own dummies).
bool is_useful_token(std::string_view token);

// Finds whole-token occurrences of any of a fixed set of tokens in text. A match must not be glued
// to letters or digits on either side (so "tom" does not match "anatomy"), and a token that starts
// or ends with a digit must not continue a dotted number (so "10008" does not match inside
// "1.2.840.10008.5.1"). Scripts written without spaces (Chinese, Japanese, Korean, Thai) are the
// exception: a token of two or more such characters also matches glued to its neighbours on that
// side ("山田" in "山田太郎様").
class TokenMatcher {
 public:
  // Tokens are case-folded; empty ones are dropped.
  explicit TokenMatcher(std::vector<std::string> tokens);
  // Index into tokens() of the first token found in `text` (folded as by fold_case), or nullopt.
  std::optional<std::size_t> find_in(std::string_view text) const;
  const std::vector<std::string>& tokens() const { return tokens_; }
  bool empty() const { return tokens_.empty(); }

 private:
  std::optional<std::size_t> find_in_folded(std::string_view text) const;  // non-ASCII folded
  std::vector<std::string> tokens_;
  std::array<std::vector<std::size_t>, 256> by_first_;  // token indexes, ascending, by first byte
  std::array<std::vector<std::size_t>, 256> unspaced_by_first_;  // those that may follow a letter
  std::vector<bool> unspaced_end_;  // by token: may be followed by a letter
};

}  // namespace obia::deid
