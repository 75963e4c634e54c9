// Link names and relative targets of similar/ entries (ARCHITECTURE §3).
#include <gtest/gtest.h>

#include "index/similarity/link_name.h"

using obia::similarity::link_name;
using obia::similarity::link_target;

TEST(LinkName, MatchesTheContractExample) {
  EXPECT_EQ(link_name(1, 3, "OBIA0002/I000017/S00000042/002_MR/000007.dcm"),
            "01_d03_OBIA0002_I000017_S00000042_002_MR_000007.dcm");
}

TEST(LinkName, RankAndDistanceWidenBeyondTwoDigits) {
  EXPECT_EQ(link_name(30, 0, "A/B.dcm"), "30_d00_A_B.dcm");
  EXPECT_EQ(link_name(100, 128, "A/B.dcm"), "100_d128_A_B.dcm");
  EXPECT_EQ(link_name(7, 12, "/OBIA0001/I000001/S00000001/001_CT/000001.dcm"),
            "07_d12_OBIA0001_I000001_S00000001_001_CT_000001.dcm");
}

TEST(LinkName, NamesSortInRankOrder) {
  std::vector<std::string> names;
  for (size_t r = 1; r <= 30; ++r) names.push_back(link_name(r, static_cast<uint32_t>(40 - r), "X/Y.dcm"));
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
}

TEST(LinkTarget, ClimbsOutOfASeriesSimilarFolder) {
  EXPECT_EQ(link_target("OBIA0001/I000001/S00000001/001_CT/similar/000001",
                        "OBIA0002/I000017/S00000042/002_MR/000007.dcm"),
            "../../../../../../OBIA0002/I000017/S00000042/002_MR/000007.dcm");
}

TEST(LinkTarget, ClimbsOutOfAQueryResultsFolder) {
  EXPECT_EQ(link_target("similar/scan.png.results", "OBIA0001/I000001/S00000001/001_CT/000001.dcm"),
            "../../OBIA0001/I000001/S00000001/001_CT/000001.dcm");
  EXPECT_EQ(link_target("similar//q.dcm.results/", "A/b.dcm"), "../../A/b.dcm");
}
