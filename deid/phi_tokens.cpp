// Tokenisation and whole-token matching for the residual-PHI search.
#include "deid/phi_tokens.h"

#include <algorithm>
#include <array>

#include "common/utf8.h"

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

// Latin letters U+00C0..U+017F folded to lower case without diacritics, one letter each; '*' marks
// the few that fold to two letters (multi_letter), '-' the signs × and ÷ (kept).
constexpr std::string_view kLatinFolds =
    "aaaaaa*ceeeeiiii"   // U+00C0
    "dnooooo-ouuuuy**"   // U+00D0
    "aaaaaa*ceeeeiiii"   // U+00E0
    "dnooooo-ouuuuy*y"   // U+00F0
    "aaaaaaccccccccdd"   // U+0100
    "ddeeeeeeeeeegggg"   // U+0110
    "gggghhhhiiiiiiii"   // U+0120
    "ii**jjkkklllllll"   // U+0130
    "lllnnnnnnnnnoooo"   // U+0140
    "oo**rrrrrrssssss"   // U+0150
    "ssttttttuuuuuuuu"   // U+0160
    "uuuuwwyyyzzzzzzs";  // U+0170
static_assert(kLatinFolds.size() == 0x180 - 0xC0);

// The letters that fold to two; with `german`, also ä ö ü as ae oe ue (Müller = Mueller).
std::string_view multi_letter(unsigned cp, bool german) {
  switch (cp) {
    case 0xC4:
    case 0xE4:
      return german ? "ae" : "";
    case 0xD6:
    case 0xF6:
      return german ? "oe" : "";
    case 0xDC:
    case 0xFC:
      return german ? "ue" : "";
    case 0xC6:
    case 0xE6:
      return "ae";
    case 0xDE:
    case 0xFE:
      return "th";
    case 0xDF:
      return "ss";
    case 0x132:
    case 0x133:
      return "ij";
    case 0x152:
    case 0x153:
      return "oe";
    default:
      return "";
  }
}

// Greek and Cyrillic capitals to small letters, accented Greek vowels to plain ones, ё to е.
unsigned fold_greek_cyrillic(unsigned cp) {
  switch (cp) {
    case 0x386:
    case 0x3AC:
      return 0x3B1;
    case 0x388:
    case 0x3AD:
      return 0x3B5;
    case 0x389:
    case 0x3AE:
      return 0x3B7;
    case 0x38A:
    case 0x390:
    case 0x3AA:
    case 0x3AF:
    case 0x3CA:
      return 0x3B9;
    case 0x38C:
    case 0x3CC:
      return 0x3BF;
    case 0x38E:
    case 0x3AB:
    case 0x3B0:
    case 0x3CB:
    case 0x3CD:
      return 0x3C5;
    case 0x38F:
    case 0x3CE:
      return 0x3C9;
    case 0x3C2:
      return 0x3C3;  // final sigma
    case 0x401:
    case 0x451:
      return 0x435;  // ё
    default:
      break;
  }
  if (cp >= 0x391 && cp <= 0x3A9) return cp + 0x20;
  if (cp >= 0x400 && cp <= 0x40F) return cp + 0x50;
  if (cp >= 0x410 && cp <= 0x42F) return cp + 0x20;
  return cp;
}

void append_folded(unsigned cp, bool german, std::string& out) {
  if (cp < 0x80) {
    out.push_back(fold(static_cast<char>(cp)));
    return;
  }
  if (cp >= 0xC0 && cp < 0x180) {
    const char f = kLatinFolds[cp - 0xC0];
    if (const std::string_view m = multi_letter(cp, german); !m.empty()) {
      out.append(m);
    } else if (f != '-') {
      out.push_back(f);
    } else {
      append_utf8(out, cp);
    }
    return;
  }
  if (cp >= 0x300 && cp <= 0x36F) return;  // combining accents (decomposed text)
  if (cp == 0x218 || cp == 0x219) {        // Romanian s and t with comma below
    out.push_back('s');
  } else if (cp == 0x21A || cp == 0x21B) {
    out.push_back('t');
  } else if ((cp >= 0x3000 && cp <= 0x3002) || cp == 0x30FB) {  // ideographic space, 、。・
    out.push_back(' ');
  } else if (cp == 0x2018 || cp == 0x2019 || cp == 0x2BC) {  // typographic apostrophes
    out.push_back('\'');
  } else if (cp >= 0xFF01 && cp <= 0xFF5E) {  // fullwidth ASCII
    out.push_back(fold(static_cast<char>(cp - 0xFEE0)));
  } else if (cp == 0x1E9E) {  // capital sharp s
    out.append("ss");
  } else if ((cp >= 0x1E00 && cp <= 0x1E95) ||
             (cp >= 0x1EA0 && cp <= 0x1EFF)) {  // Latin Extended Additional: lower case is odd
    append_utf8(out, cp | 1);
  } else {
    append_utf8(out, fold_greek_cyrillic(cp));
  }
}

}  // namespace

std::string fold_text(std::string_view s, bool german) {
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    const auto c = static_cast<unsigned char>(s.front());
    if (c < 0x80) {
      out.push_back(fold(static_cast<char>(c)));
      s.remove_prefix(1);
      continue;
    }
    // UTF-8 where the bytes form it; any other byte is read as ISO 8859-1 (ISO_IR 100), the most
    // common single-byte set, so Latin-1 and UTF-8 spellings of a name fold alike.
    const std::size_t n = utf8_sequence_length(s);
    append_folded(n ? utf8_decode(s.substr(0, n)) : c, german, out);
    s.remove_prefix(n ? n : 1);
  }
  return out;
}

namespace {
bool has_non_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  return false;
}
}  // namespace

std::string fold_case(std::string_view s) { return fold_text(s, false); }

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

namespace {

// A word and, if it has letters and joiners, its parts ("mary-jane", "mary", "jane").
void add_word(std::string_view word, bool has_letter, bool has_joiner,
              std::vector<std::string>& out) {
  add_token(word, out);
  if (!has_letter || !has_joiner) return;
  std::size_t k = 0;
  while (k < word.size()) {
    std::size_t e = k;
    while (e < word.size() && !is_joiner(static_cast<unsigned char>(word[e]))) ++e;
    add_token(word.substr(k, e - k), out);
    k = e + 1;
  }
}

void tokenize_folded(std::string_view folded, std::vector<std::string>& out) {
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
    add_word(folded.substr(i, j - i), has_letter, has_joiner, out);
    i = j;
  }
  if (folded.find('\'') == std::string_view::npos) return;
  // Names with an apostrophe are also written without it: O'Brien as OBrien, D'Angelo as DAngelo.
  // The glued spelling of each such run is a token too.
  for (i = 0; i < folded.size();) {
    std::size_t j = i;
    std::string glued;
    bool apostrophe = false, has_letter = false, has_joiner = false;
    for (; j < folded.size(); ++j) {
      const auto ch = static_cast<unsigned char>(folded[j]);
      if (ch == '\'' && j > i && j + 1 < folded.size() &&
          is_word(static_cast<unsigned char>(folded[j - 1])) &&
          is_word(static_cast<unsigned char>(folded[j + 1]))) {
        apostrophe = true;
        continue;
      }
      if (!is_word(ch) && !is_joiner(ch)) break;
      has_letter = has_letter || is_letter(ch);
      has_joiner = has_joiner || is_joiner(ch);
      glued.push_back(static_cast<char>(ch));
    }
    if (apostrophe) add_word(glued, has_letter, has_joiner, out);
    i = j + 1;
  }
}

}  // namespace

std::vector<std::string> tokenize(std::string_view value) {
  std::vector<std::string> out;
  if (!has_non_ascii(value)) {
    // Folded into a reused buffer: tokenize runs for every value the profile changes.
    thread_local std::string folded;
    folded.assign(value);
    for (char& c : folded) c = fold(c);
    tokenize_folded(folded, out);
    return out;
  }
  const std::string plain = fold_text(value, false);
  tokenize_folded(plain, out);
  const std::string german = fold_text(value, true);  // ä ö ü also as ae oe ue
  if (german != plain) tokenize_folded(german, out);
  return out;
}

namespace {

// Scripts written without spaces between words: Thai, CJK (radicals to unified ideographs, kana,
// Hangul syllables, compatibility ideographs, extensions).
bool unspaced(unsigned cp) {
  return (cp >= 0xE00 && cp <= 0xE7F) || (cp >= 0x2E80 && cp <= 0x9FFF) ||
         (cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
         (cp >= 0x20000 && cp <= 0x3FFFF);
}

// Code points of a folded token (a lone byte that is not UTF-8 counts as one).
std::vector<unsigned> code_points(std::string_view s) {
  std::vector<unsigned> out;
  while (!s.empty()) {
    const std::size_t n = utf8_sequence_length(s);
    out.push_back(n ? utf8_decode(s.substr(0, n)) : static_cast<unsigned char>(s.front()));
    s.remove_prefix(n ? n : 1);
  }
  return out;
}

}  // namespace

std::vector<std::string> name_phrases(std::string_view pn_value) {
  std::vector<std::string> out;
  auto trim = [](std::string_view v) {
    while (!v.empty() && (v.back() == ' ' || v.back() == '\0')) v.remove_suffix(1);
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    return v;
  };
  auto add = [&out](std::string phrase) {
    if (std::find(out.begin(), out.end(), phrase) == out.end()) out.push_back(std::move(phrase));
  };
  // Values split at backslashes, their representations (alphabetic, ideographic, phonetic) at
  // '='.
  for (std::string_view rest = pn_value; !rest.empty();) {
    const std::size_t end = rest.find_first_of("\\=");
    const std::string_view group = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    const std::size_t caret = group.find('^');
    if (caret == std::string_view::npos) continue;
    const std::string_view family = trim(group.substr(0, caret));
    std::string_view given = group.substr(caret + 1);
    given = trim(given.substr(0, given.find('^')));
    if (family.empty() || given.empty()) continue;
    const std::string f = fold_case(family), g = fold_case(given);
    if (f.empty() || g.empty()) continue;  // only combining marks
    if (code_points(f).size() >= kMinTokenLength && code_points(g).size() >= kMinTokenLength)
      continue;
    add(g + " " + f);
    add(f + " " + g);
    add(f + ", " + g);
    if (unspaced(code_points(f).front())) add(f + g);  // 王伟: written without a space
  }
  return out;
}

TokenMatcher::TokenMatcher(std::vector<std::string> tokens) : tokens_(std::move(tokens)) {
  // Tokens are normally normalised already; a caller's hand-made list need not be.
  for (std::string& t : tokens_) t = fold_case(t);
  std::erase_if(tokens_, [](const std::string& t) { return t.empty(); });
  unspaced_end_.assign(tokens_.size(), false);
  for (std::size_t t = 0; t < tokens_.size(); ++t) {
    const auto first = static_cast<unsigned char>(tokens_[t].front());
    by_first_[first].push_back(t);
    // One such character alone ("王") is too common to match inside longer text.
    const std::vector<unsigned> cps = code_points(tokens_[t]);
    if (cps.size() < 2) continue;
    if (unspaced(cps.front())) unspaced_by_first_[first].push_back(t);
    unspaced_end_[t] = unspaced(cps.back());
  }
}

// One pass over the text: a match can only start where the previous byte is no word character,
// and only tokens beginning with the byte found there can start at it. Same result as searching
// each token in turn (the lowest-numbered token that occurs), without a scan per token.
std::optional<std::size_t> TokenMatcher::find_in(std::string_view text) const {
  if (tokens_.empty() || text.empty()) return std::nullopt;
  if (has_non_ascii(text)) {
    // Accents and non-Latin case change byte lengths: fold the whole text first (ASCII text, by far
    // the most common, is folded on the fly below).
    return find_in_folded(fold_text(text, false));
  }
  return find_in_folded(text);
}

std::optional<std::size_t> TokenMatcher::find_in_folded(std::string_view h) const {
  std::size_t best = tokens_.size();
  for (std::size_t pos = 0; pos < h.size(); ++pos) {
    const auto first = static_cast<unsigned char>(fold(h[pos]));  // ASCII folded on the fly
    bool glued = false;                                           // to the character before
    if (pos > 0) {
      const auto before = static_cast<unsigned char>(h[pos - 1]);
      glued = is_word(before) || (is_digit(first) && before == '.' && pos > 1 &&
                                  is_digit(static_cast<unsigned char>(h[pos - 2])));  // dotted
    }
    const std::vector<std::size_t>& candidates =
        glued ? unspaced_by_first_[first] : by_first_[first];
    if (candidates.empty() || candidates.front() >= best) continue;
    for (std::size_t t : candidates) {
      if (t >= best) break;
      const std::string_view tok = tokens_[t];
      if (h.size() - pos < tok.size()) continue;
      std::size_t i = 1;
      while (i < tok.size() && fold(h[pos + i]) == tok[i]) ++i;
      if (i < tok.size()) continue;
      const std::size_t end = pos + tok.size();
      if (end < h.size() && !unspaced_end_[t]) {
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
