// to_utf8(): DICOM text into the UTF-8 of the catalog, sidecars and JSON.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "common/utf8.h"

using obia::is_latin1_charset;
using obia::to_utf8;

TEST(Utf8, Latin1IsDecoded) {
  EXPECT_EQ(to_utf8("Th\xd6rax \xdc"
                    "bersicht",
                    true),
            "Th\xc3\x96rax \xc3\x9c"
            "bersicht");
  EXPECT_EQ(to_utf8("plain", true), "plain");
  EXPECT_TRUE(is_latin1_charset("ISO_IR 100"));
  EXPECT_TRUE(is_latin1_charset(" ISO 2022 IR 100\\ISO 2022 IR 87"));
  EXPECT_FALSE(is_latin1_charset(""));
  EXPECT_FALSE(is_latin1_charset("ISO_IR 192"));
  EXPECT_FALSE(is_latin1_charset("\\ISO_IR 100"));  // first set is the default repertoire
}

TEST(Utf8, ValidUtf8IsKeptAndInvalidBytesBecomeReplacementCharacters) {
  const std::string valid = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";  // a é € 😀
  EXPECT_EQ(to_utf8(valid, false), valid);
  const std::string fffd = "\xef\xbf\xbd";
  EXPECT_EQ(to_utf8("Th\xd6rax", false), "Th" + fffd + "rax");
  EXPECT_EQ(to_utf8("\xc0\xaf", false), fffd + fffd);             // overlong '/'
  EXPECT_EQ(to_utf8("\xed\xa0\x80", false), fffd + fffd + fffd);  // a surrogate
  EXPECT_EQ(to_utf8("\xe2\x82", false), fffd + fffd);             // cut short
}

// Whatever the bytes, the result is accepted by the JSON library that writes our sidecars.
TEST(Utf8, RandomBytesAlwaysGiveTextJsonAccepts) {
  std::mt19937 rng(7);
  for (int round = 0; round < 2000; ++round) {
    std::string bytes(rng() % 24, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    for (bool latin1 : {false, true}) {
      nlohmann::json j = to_utf8(bytes, latin1);
      EXPECT_NO_THROW((void)j.dump()) << round;
    }
  }
}

TEST(Utf8, EveryCodePointRoundTripsThroughAppendAndDecode) {
  for (unsigned cp = 0; cp < 0x110000; cp += (cp < 0x800 ? 1 : 7)) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;  // surrogates are not characters
    std::string s;
    obia::append_utf8(s, cp);
    ASSERT_EQ(obia::utf8_sequence_length(s), s.size()) << cp;
    ASSERT_EQ(obia::utf8_decode(s), cp) << cp;
  }
  EXPECT_EQ(obia::utf8_sequence_length(""), 0u);
  EXPECT_EQ(obia::utf8_sequence_length("\xc3"), 0u);              // cut short
  EXPECT_EQ(obia::utf8_sequence_length("\xc0\xaf"), 0u);          // overlong '/'
  EXPECT_EQ(obia::utf8_sequence_length("\xed\xa0\x80"), 0u);      // a surrogate
  EXPECT_EQ(obia::utf8_sequence_length("\xf4\x90\x80\x80"), 0u);  // above U+10FFFF
}
