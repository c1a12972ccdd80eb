#include "tools/scenario/ratio.h"

#include "gtest/gtest.h"

namespace ravensim::tools {
namespace {

TEST(RatioTest, ParsesExactFractions) {
  auto r = ParseRatio("1/20");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->numerator, 1u);
  EXPECT_EQ(r->denominator, 20u);
  r = ParseRatio("0/7");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->never());
  r = ParseRatio("1000000000/1000000000");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->numerator, r->denominator);
  // Not reduced: what was written is what is drawn and what is formatted back.
  r = ParseRatio("2/4");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(FormatRatio(*r), "2/4");
}

TEST(RatioTest, RejectsWhatIsNotAProbability) {
  for (const char* bad : {"", "1", "0.5", "1/", "/2", "-1/2", "+1/2", "1/-2", " 1/2", "1/2 ",
                          "1//2", "1/2/3", "a/b", "1/0", "0/0", "3/2", "1/1000000001",
                          "12345678901/2"}) {
    EXPECT_FALSE(ParseRatio(bad).ok()) << "'" << bad << "'";
  }
  EXPECT_EQ(ParseRatio("3/2").status().message(), "'3/2' is above 1");
  EXPECT_EQ(ParseRatio("1/0").status().message(), "'1/0' divides by zero");
  EXPECT_NE(ParseRatio("0.05").status().message().find("not a fraction N/D"),
            std::string::npos);
}

TEST(RatioTest, EmptyMeansNeverOnlyInTheOrForm) {
  auto r = ParseRatioOr("");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->never());
  EXPECT_FALSE(ParseRatioOr("x").ok());
  r = ParseRatioOr("1/3");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->denominator, 3u);
}

TEST(RatioTest, FormatRoundTrips) {
  for (const sim::Ratio ratio : {sim::Ratio{0, 1}, sim::Ratio{1, 1}, sim::Ratio{3, 1000},
                                 sim::Ratio{999'999'999, 1'000'000'000}}) {
    auto back = ParseRatio(FormatRatio(ratio));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->numerator, ratio.numerator);
    EXPECT_EQ(back->denominator, ratio.denominator);
  }
}

}  // namespace
}  // namespace ravensim::tools
