#include "sim/test_env.h"

#include <cstdlib>

#include "gtest/gtest.h"

namespace ravensim::sim {
namespace {

constexpr char kName[] = "RAVENSIM_TEST_ENV_INT";

TEST(TestEnvTest, ReadsAnIntegerWithinBoundsElseTheFallback) {
  unsetenv(kName);
  EXPECT_EQ(EnvInt(kName, 7, 3, 9), 7);
  setenv(kName, "5", 1);
  EXPECT_EQ(EnvInt(kName, 7, 3, 9), 5);
  setenv(kName, "9", 1);
  EXPECT_EQ(EnvInt(kName, 7, 3, 9), 9);
  setenv(kName, "10", 1);
  EXPECT_EQ(EnvInt(kName, 7, 3, 9), 7);
  setenv(kName, "2", 1);
  EXPECT_EQ(EnvInt(kName, 7, 3, 9), 7);
  setenv(kName, "200000", 1);
  EXPECT_EQ(EnvInt(kName, 240, 1), 200000);  // no upper bound given
  // Text that is not a number reads as 0.
  setenv(kName, "five", 1);
  EXPECT_EQ(EnvInt(kName, 7, 3, 9), 7);
  EXPECT_EQ(EnvInt(kName, 7, 0), 0);
  unsetenv(kName);
}

}  // namespace
}  // namespace ravensim::sim
