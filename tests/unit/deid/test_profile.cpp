// Profile names: parsing, printing, the OBIA default and the exclusive date options.
#include <gtest/gtest.h>

#include "deid/profile.h"

namespace obia::deid {
namespace {

TEST(Profile, BasicIsNoOptions) {
  auto p = Profile::parse("basic");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->options.empty());
  EXPECT_EQ(p->to_string(), "basic");
}

TEST(Profile, DefaultIsTheArchitectureProfile) {
  const Profile d = Profile::obia_default();
  EXPECT_EQ(d.options,
            (std::set<Option>{Option::CleanPixelData, Option::CleanDescriptors,
                              Option::RetainLongModifiedDates, Option::RetainPatientCharacteristics,
                              Option::RetainDeviceIdentity, Option::RetainSafePrivate}));
  auto parsed = Profile::parse("default");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->options, d.options);
  auto round = Profile::parse(d.to_string());
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(round->options, d.options);
}

TEST(Profile, EveryOptionNameRoundTrips) {
  for (int i = 0; i <= static_cast<int>(Option::CleanPixelData); ++i) {
    const auto o = static_cast<Option>(i);
    if (o == Option::RetainLongFullDates) continue;
    auto p = Profile::parse(std::string(option_name(o)));
    ASSERT_TRUE(p.ok()) << option_name(o);
    EXPECT_EQ(p->options, std::set<Option>{o});
  }
  auto p = Profile::parse(" basic , retain-uids,clean-graphics ");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->options, (std::set<Option>{Option::RetainUIDs, Option::CleanGraphics}));
  EXPECT_EQ(p->to_string(), "retain-uids,clean-graphics");
}

TEST(Profile, Errors) {
  EXPECT_FALSE(Profile::parse("retain-long-full-dates,retain-long-modified-dates").ok());
  EXPECT_FALSE(Profile::parse("default,retain-long-full-dates").ok());
  EXPECT_FALSE(Profile::parse("retain-everything").ok());
  EXPECT_FALSE(Profile::parse("").ok());
  EXPECT_FALSE(Profile::parse("basic,,clean-graphics").ok());
  EXPECT_TRUE(Profile::parse("retain-long-full-dates").ok());
}

}  // namespace
}  // namespace obia::deid
