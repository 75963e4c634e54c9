// Normalisation and whole-token matching of identifying values.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "common/utf8.h"
#include "deid/phi_tokens.h"

namespace obia::deid {
namespace {

using V = std::vector<std::string>;

TEST(Tokens, Tokenize) {
  EXPECT_EQ(tokenize("Smithers^Waylon^J"), (V{"smithers", "waylon"}));
  EXPECT_EQ(tokenize("  SMITHERS  WAYLON "), (V{"smithers", "waylon"}));
  EXPECT_EQ(tokenize("Yamada^Tarou=Yamada^Taro"), (V{"yamada", "tarou", "taro"}));
  EXPECT_EQ(tokenize("Mary-Jane O'Hara"), (V{"mary-jane", "mary", "jane", "hara", "ohara"}));
  EXPECT_EQ(tokenize("555-0113-2244"), (V{"555-0113-2244"}));
  EXPECT_EQ(tokenize("1.2.826.0.1.3680043"), (V{"1.2.826.0.1.3680043"}));
  EXPECT_EQ(tokenize("123\\1234\\1.5"), (V{"1234"}));  // short numbers carry no identity
  EXPECT_EQ(tokenize("ANONYMOUS^Test^Patient"), V{});  // placeholders and our own dummies
  EXPECT_EQ(tokenize("Dr. Hibbert."), (V{"hibbert"}));
}

TEST(Tokens, FoldingRemovesCaseAndAccentsInEveryEncoding) {
  EXPECT_EQ(fold_case("M\u00dcLLER^J\u00fcrgen"), "muller^jurgen");            // UTF-8
  EXPECT_EQ(fold_case("\xc5STR\xd6M^Bj\xf6rn"), "astrom^bjorn");               // ISO 8859-1 bytes
  EXPECT_EQ(fold_case("\u0141UKASZEWICZ \u017baneta"), "lukaszewicz zaneta");  // Latin Extended-A
  EXPECT_EQ(fold_case("Stra\u00dfe \u00c6r\u00f8 \u00de\u00f3r"), "strasse aero thor");
  EXPECT_EQ(fold_case("Mu\u0308ller"), "muller");  // decomposed: combining diaeresis
  EXPECT_EQ(fold_case("\uff33\uff2d\uff29\uff34\uff28"), "smith");  // fullwidth
  EXPECT_EQ(fold_case("O\u2019Brien"), "o'brien");                  // typographic apostrophe
  EXPECT_EQ(fold_case("\u0418\u0412\u0410\u041d\u041e\u0412"),
            "\u0438\u0432\u0430\u043d\u043e\u0432");  // Cyrillic capitals
  EXPECT_EQ(fold_case("\u03a3\u03a9\u03a4\u0397\u03a1"),
            fold_case("\u03c3\u03c9\u03c4\u03ae\u03c1"));  // Greek: accent, case
  EXPECT_EQ(fold_case("\u03c3\u03c2"), "\u03c3\u03c3");    // final sigma
  EXPECT_EQ(fold_text("M\u00fcller", true), "mueller");
  EXPECT_EQ(fold_case("1.2.840 ABC-9 \u00d7 \u00f7"), "1.2.840 abc-9 \u00d7 \u00f7");  // signs kept
}

TEST(Tokens, AccentedAndApostropheNamesGiveEverySpelling) {
  EXPECT_EQ(tokenize("O'BRIEN^SE\u00c1N"), (V{"brien", "sean", "obrien"}));
  EXPECT_EQ(tokenize("M\u00dcLLER^J\u00dcRGEN"), (V{"muller", "jurgen", "mueller", "juergen"}));
  EXPECT_EQ(tokenize("\xc5STR\xd6M^BJ\xd6RN"), (V{"astrom", "bjorn", "astroem", "bjoern"}));
}

TEST(Tokens, NamesAreFoundInAnySpellingOrEncoding) {
  const TokenMatcher m(tokenize("M\u00dcLLER^J\u00dcRGEN"));
  EXPECT_TRUE(m.find_in("Patient J\u00fcrgen M\u00fcller reviewed"));  // UTF-8, mixed case
  EXPECT_TRUE(m.find_in("reviewed by mueller"));                       // transliterated
  EXPECT_TRUE(m.find_in("reviewed by Muller"));                        // accent dropped
  EXPECT_TRUE(m.find_in("reviewed by M\xfcller"));                     // ISO 8859-1 bytes
  EXPECT_FALSE(m.find_in("Mullerian duct"));                           // still whole tokens
  const TokenMatcher latin1(tokenize("\xc5STR\xd6M^BJ\xd6RN"));        // the PN in ISO 8859-1
  EXPECT_TRUE(latin1.find_in("with the \xe5str\xf6m family"));
  EXPECT_TRUE(latin1.find_in("with the \u00e5str\u00f6m family"));
  EXPECT_TRUE(latin1.find_in("Bjorn"));
  const TokenMatcher irish(tokenize("O'BRIEN^SE\u00c1N"));
  EXPECT_TRUE(irish.find_in("Sean OBrien ok"));
  EXPECT_TRUE(irish.find_in("mr OBrien"));
  EXPECT_TRUE(irish.find_in("O\u2019Brien"));
  const TokenMatcher polish(tokenize("\u0141UKASZEWICZ^\u017bANETA"));
  EXPECT_TRUE(polish.find_in("Pani \u017caneta \u0142ukaszewicz"));
  const TokenMatcher russian(
      tokenize("\u0418\u0412\u0410\u041d\u041e\u0412^\u041f\u0401\u0422\u0420"));
  EXPECT_TRUE(russian.find_in(
      "\u043f\u0430\u0446\u0438\u0435\u043d\u0442 \u0438\u0432\u0430\u043d\u043e\u0432"));
  EXPECT_TRUE(russian.find_in("\u043f\u0435\u0442\u0440"));  // ё written as е
}

TEST(Tokens, NamesInScriptsWithoutSpacesMatchInsideText) {
  const V yamada = tokenize("Yamada^Tarou=山田^太郎=やまだ^たろう");
  EXPECT_EQ(yamada, (V{"yamada", "tarou", "山田", "太郎", "やまだ", "たろう"}));
  const TokenMatcher m(yamada);
  EXPECT_TRUE(m.find_in("山田太郎様の検査"));  // glued on both sides
  EXPECT_TRUE(m.find_in("担当 やまだたろう さん"));
  EXPECT_TRUE(m.find_in("患者：山田"));
  EXPECT_FALSE(m.find_in("頭部単純CT"));
  EXPECT_EQ(tokenize("山田　太郎"), (V{"山田", "太郎"}));  // ideographic space
  EXPECT_TRUE(TokenMatcher(tokenize("홍길동")).find_in("홍길동님 검사"));
  EXPECT_TRUE(TokenMatcher(tokenize("李小龙")).find_in("李小龙先生"));
  // One character alone is too common to match glued; spaced, it still matches.
  const TokenMatcher wang(tokenize("王^伟"));
  EXPECT_FALSE(wang.find_in("王府井医院"));
  EXPECT_TRUE(wang.find_in("王 伟"));
  // Latin tokens keep their boundaries next to these scripts' letters.
  EXPECT_FALSE(TokenMatcher({"tom"}).find_in("anatomy山田"));
}

// Tokens are folded once by tokenize() and again by TokenMatcher: folding must be idempotent, and
// its output valid UTF-8 whatever the input bytes.
TEST(Tokens, FoldingAnyBytesGivesStableValidUtf8) {
  uint32_t state = 777;
  auto next = [&state] { return state = state * 1664525u + 1013904223u; };
  const std::string seeds[] = {"Ä", "ß", "Ł",  "Σ", "ς",  "Ё",    "ａ",
                               "ẞ", "Ạ", "　", "’", "山", "\xc5", "e\u0301"};
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    for (std::size_t n = next() % 12; n > 0; --n) {
      if (next() % 3 == 0) {
        text += seeds[next() % std::size(seeds)];
      } else {
        text.push_back(static_cast<char>(next() & 0xFF));
      }
    }
    // Any bytes are safe to tokenize and match (run under ASan/UBSan in CI); a name's own tokens
    // and phrases are found in it.
    const std::string pn = text + "^" + text.substr(0, text.size() / 2);
    std::vector<std::string> tokens = tokenize(pn);
    for (std::string& p : name_phrases(pn)) tokens.push_back(std::move(p));
    const TokenMatcher m(tokens);
    if (!m.empty()) {
      ASSERT_TRUE(m.find_in(" " + m.tokens().front() + " ")) << round;
    }
    for (bool german : {false, true}) {
      const std::string once = fold_text(text, german);
      ASSERT_EQ(fold_text(once, false), once) << round;
      for (std::string_view rest = once; !rest.empty();) {
        const std::size_t n = utf8_sequence_length(rest);
        ASSERT_NE(n, 0u) << round;
        rest.remove_prefix(n);
      }
    }
  }
}

TEST(Tokens, ShortNamesAreSearchedAsPhrases) {
  EXPECT_EQ(name_phrases("LI^NA"), (V{"na li", "li na", "li, na"}));
  EXPECT_EQ(name_phrases("Ng^Bo^^Dr"), (V{"bo ng", "ng bo", "ng, bo"}));
  EXPECT_EQ(name_phrases("SMITHERS^WAYLON"), V{});  // its parts are tokens
  EXPECT_EQ(name_phrases("Wang^Wei=王^伟"), (V{"伟 王", "王 伟", "王, 伟", "王伟"}));
  EXPECT_EQ(name_phrases("LI"), V{});
  EXPECT_EQ(name_phrases("\u0301^NA"), V{});  // a family name that folds to nothing
  EXPECT_TRUE(tokenize("LI^NA").empty());
  const TokenMatcher m(name_phrases("LI^NA\\Wang^Wei=王^伟"));
  EXPECT_TRUE(m.find_in("Patient Li Na, follow-up"));
  EXPECT_TRUE(m.find_in("LI, NA"));
  EXPECT_TRUE(m.find_in("王伟医生"));
  EXPECT_FALSE(m.find_in("Lina"));
  EXPECT_FALSE(m.find_in("Li-ion battery"));
}

TEST(Tokens, WholeTokenMatching) {
  const TokenMatcher m({"tom", "10008", "smith", "555-0113-2244"});
  EXPECT_FALSE(m.find_in("ANATOMY"));
  EXPECT_FALSE(m.find_in("tomography"));
  EXPECT_TRUE(m.find_in("Tom Jones"));
  EXPECT_TRUE(m.find_in("seen by TOM."));
  EXPECT_FALSE(m.find_in("1.2.840.10008.5.1.4"));  // inside a dotted number
  EXPECT_TRUE(m.find_in("code 10008 "));
  EXPECT_TRUE(m.find_in("SMITH^JOHN"));
  EXPECT_TRUE(m.find_in("Smith-Jones"));
  EXPECT_FALSE(m.find_in("Smithers"));
  EXPECT_TRUE(m.find_in(std::string("\x00\x10smith\x00", 9)));  // bytes around it
  EXPECT_TRUE(m.find_in("call 555-0113-2244 now"));
  EXPECT_FALSE(m.find_in("555-0113-22445"));
  EXPECT_EQ(*m.find_in("smith tom"), 0u);  // index of the first token in the list
  EXPECT_FALSE(TokenMatcher({}).find_in("anything"));
}

// The matcher before its one-pass rewrite: each token searched in turn, boundaries checked per
// occurrence. The rewrite must answer exactly as this does.
std::optional<std::size_t> reference_find(const std::vector<std::string>& tokens,
                                          std::string_view text) {
  auto word = [](unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
  };
  auto digit = [](unsigned char c) { return c >= '0' && c <= '9'; };
  const std::string h = fold_case(text);
  for (std::size_t t = 0; t < tokens.size(); ++t) {
    const std::string tok = fold_case(tokens[t]);
    if (tok.empty()) continue;
    for (std::size_t pos = h.find(tok); pos != std::string::npos; pos = h.find(tok, pos + 1)) {
      const std::size_t end = pos + tok.size();
      if (pos > 0) {
        const auto b = static_cast<unsigned char>(h[pos - 1]);
        if (word(b)) continue;
        if (digit(tok.front()) && b == '.' && pos > 1 && digit(h[pos - 2])) continue;
      }
      if (end < h.size()) {
        const auto a = static_cast<unsigned char>(h[end]);
        if (word(a)) continue;
        if (digit(tok.back()) && a == '.' && end + 1 < h.size() && digit(h[end + 1])) continue;
      }
      return t;
    }
  }
  return std::nullopt;
}

TEST(Tokens, OnePassMatcherAgreesWithTokenByTokenSearch) {
  // Small alphabet so that tokens, prefixes of each other, dots and digits collide often.
  const std::string alphabet = "ab1.2- ^C\x80";
  uint32_t state = 12345;
  auto next = [&state] { return state = state * 1664525u + 1013904223u; };
  auto random_text = [&](std::size_t max_len) {
    std::string s(next() % (max_len + 1), ' ');
    for (char& c : s) c = alphabet[next() % alphabet.size()];
    return s;
  };
  for (int round = 0; round < 3000; ++round) {
    std::vector<std::string> tokens;
    for (std::size_t n = next() % 6; n > 0; --n) tokens.push_back(random_text(4));
    const TokenMatcher m(tokens);
    std::vector<std::string> kept;  // the matcher's indexes count non-empty tokens only
    for (const std::string& t : tokens)
      if (!t.empty()) kept.push_back(t);
    for (int k = 0; k < 10; ++k) {
      const std::string text = random_text(24);
      ASSERT_EQ(m.find_in(text), reference_find(kept, text)) << "text '" << text << "'";
    }
  }
}

}  // namespace
}  // namespace obia::deid
