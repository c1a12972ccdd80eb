#include "core/base/check.h"

#include <string>

#include "gtest/gtest.h"

namespace ravensim {
namespace {

TEST(CheckTest, PassingChecksDoNothing) {
  int evaluated = 0;
  CHECK(++evaluated == 1);
  CHECK_EQ(evaluated, 1);
  CHECK_LT(0, evaluated);
  CHECK_MSG(evaluated > 0, "evaluated was ", evaluated);
  EXPECT_EQ(evaluated, 1);  // Operands are evaluated exactly once.
}

TEST(CheckDeathTest, FailingCheckAbortsWithConditionText) {
  EXPECT_DEATH(CHECK(1 + 1 == 3), "CHECK failed: 1 \\+ 1 == 3");
}

TEST(CheckDeathTest, FailingComparisonPrintsBothOperands) {
  const int term = 7;
  EXPECT_DEATH(CHECK_EQ(term, 8), "term == 8 \\(7 vs 8\\)");
  const std::string tag = "A";
  EXPECT_DEATH(CHECK_NE(tag, std::string("A")), "\\(A vs A\\)");
}

TEST(CheckDeathTest, CheckMsgAppendsExplanation) {
  EXPECT_DEATH(CHECK_MSG(false, "leader ", "B", " in term ", 3),
               "leader B in term 3");
}

TEST(CheckDeathTest, UnreachableAborts) {
  EXPECT_DEATH(CHECK_UNREACHABLE("invalid transition [leader -> candidate]"),
               "invalid transition");
}

}  // namespace
}  // namespace ravensim
