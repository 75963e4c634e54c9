// Normalisation and whole-token matching of identifying values.
#include <gtest/gtest.h>

#include "deid/phi_tokens.h"

namespace obia::deid {
namespace {

using V = std::vector<std::string>;

TEST(Tokens, Tokenize) {
  EXPECT_EQ(tokenize("Smithers^Waylon^J"), (V{"smithers", "waylon"}));
  EXPECT_EQ(tokenize("  SMITHERS  WAYLON "), (V{"smithers", "waylon"}));
  EXPECT_EQ(tokenize("Yamada^Tarou=Yamada^Taro"), (V{"yamada", "tarou", "taro"}));
  EXPECT_EQ(tokenize("Mary-Jane O'Hara"), (V{"mary-jane", "mary", "jane", "hara"}));
  EXPECT_EQ(tokenize("555-0113-2244"), (V{"555-0113-2244"}));
  EXPECT_EQ(tokenize("1.2.826.0.1.3680043"), (V{"1.2.826.0.1.3680043"}));
  EXPECT_EQ(tokenize("123\\1234\\1.5"), (V{"1234"}));  // short numbers carry no identity
  EXPECT_EQ(tokenize("ANONYMOUS^Test^Patient"), V{});  // placeholders and our own dummies
  EXPECT_EQ(tokenize("Dr. Hibbert."), (V{"hibbert"}));
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

}  // namespace
}  // namespace obia::deid
