#include "tools/scenario/duration.h"

#include "gtest/gtest.h"

namespace ravensim::tools {
namespace {

using sim::SimDuration;

TEST(DurationTest, ParsesUnitsExactly) {
  EXPECT_EQ(*ParseDuration("300ms"), SimDuration::Millis(300));
  EXPECT_EQ(*ParseDuration("1.5s"), SimDuration::Millis(1500));
  EXPECT_EQ(*ParseDuration("2m"), SimDuration::Seconds(120));
  EXPECT_EQ(*ParseDuration("1h"), SimDuration::Seconds(3600));
  EXPECT_EQ(*ParseDuration("250us"), SimDuration::Micros(250));
  EXPECT_EQ(*ParseDuration("17ns"), SimDuration::Nanos(17));
  EXPECT_EQ(*ParseDuration("-5s"), SimDuration::Seconds(-5));
  EXPECT_EQ(*ParseDuration("1.000000001s"), SimDuration::Nanos(1'000'000'001));
  EXPECT_EQ(*ParseDuration(".5ms"), SimDuration::Micros(500));
}

TEST(DurationTest, RejectsMalformedInput) {
  EXPECT_FALSE(ParseDuration("").ok());
  EXPECT_FALSE(ParseDuration("15").ok());
  EXPECT_FALSE(ParseDuration("ms").ok());
  EXPECT_FALSE(ParseDuration("3 s").ok());
  EXPECT_FALSE(ParseDuration("3sec").ok());
  EXPECT_FALSE(ParseDuration("1.5m").ok());          // Fractions of minutes are not exact.
  EXPECT_FALSE(ParseDuration("1.0000000001s").ok()); // Finer than a nanosecond.
  EXPECT_FALSE(ParseDuration("99999999999999999999s").ok());
  EXPECT_NE(ParseDuration("15").status().message().find("missing unit"), std::string::npos);
}

TEST(DurationTest, FallbackForEmpty) {
  EXPECT_EQ(*ParseDurationOr("", SimDuration::Seconds(3)), SimDuration::Seconds(3));
  EXPECT_EQ(*ParseDurationOr("1s", SimDuration::Seconds(3)), SimDuration::Seconds(1));
}

TEST(DurationTest, FormatRoundTrips) {
  for (int64_t ns : {int64_t{0}, int64_t{1}, int64_t{999}, int64_t{1000}, int64_t{1500},
                     int64_t{300'000'000}, int64_t{1'500'000'000}, int64_t{1'000'000'001},
                     int64_t{-2'000'000'000}, int64_t{61'000'000'000}, int64_t{123'456'789}}) {
    const SimDuration d = SimDuration::Nanos(ns);
    auto parsed = ParseDuration(FormatDuration(d));
    ASSERT_TRUE(parsed.ok()) << FormatDuration(d);
    EXPECT_EQ(*parsed, d) << FormatDuration(d);
  }
  EXPECT_EQ(FormatDuration(SimDuration::Millis(300)), "300ms");
  EXPECT_EQ(FormatDuration(SimDuration::Millis(1500)), "1.5s");
  EXPECT_EQ(FormatDuration(SimDuration::Seconds(10)), "10s");
}

}  // namespace
}  // namespace ravensim::tools
