#include "tools/scenario/isolated_run.h"

#include <cstdlib>
#include <iostream>

#include "gtest/gtest.h"

namespace ravensim::tools {
namespace {

TEST(IsolatedRunTest, ReturnsTheChildsResult) {
  const SeedResult r = RunSeedIsolated(
      42,
      [](uint64_t seed) {
        SeedResult result;
        result.set_seed(seed);
        result.set_passed(true);
        result.set_fingerprint("00ff");
        std::cerr << "noise on stderr\n";
        return result;
      },
      "ravensim run x --seed 42");
  EXPECT_EQ(r.seed(), 42u);
  EXPECT_TRUE(r.passed());
  EXPECT_EQ(r.fingerprint(), "00ff");
}

TEST(IsolatedRunTest, ACrashingRunBecomesAFailedResult) {
  const SeedResult r = RunSeedIsolated(
      7,
      [](uint64_t) -> SeedResult {
        std::cerr << "core/x.cc:12: CHECK failed: a > b (3 vs 9)\n";
        std::abort();
      },
      "ravensim run x --seed 7");
  EXPECT_FALSE(r.passed());
  EXPECT_EQ(r.seed(), 7u);
  EXPECT_EQ(r.signature(), "crash:core/x.cc:12: CHECK failed: a > b");
  EXPECT_NE(r.error().find("signal 6"), std::string::npos) << r.error();
  EXPECT_NE(r.error().find("(3 vs 9)"), std::string::npos) << r.error();
  EXPECT_EQ(r.reproduce(), "ravensim run x --seed 7");
}

TEST(IsolatedRunTest, ExitWithoutResultIsAFailure) {
  const SeedResult r = RunSeedIsolated(1, [](uint64_t) -> SeedResult { std::_Exit(3); },
                                       "repro");
  EXPECT_FALSE(r.passed());
  EXPECT_EQ(r.signature(), "crash:signal 0");
  EXPECT_NE(r.error().find("status 3"), std::string::npos);
}

TEST(IsolatedRunTest, CrashSignatureGroupsByLocation) {
  EXPECT_EQ(CrashSignature("x\ncore/a.cc:1: CHECK failed: p (1 vs 2)\nmore\n", 6),
            CrashSignature("core/a.cc:1: CHECK failed: p (5 vs 7)\n", 6));
  EXPECT_EQ(CrashSignature("segfault\n", 11), "crash:signal 11");
}

}  // namespace
}  // namespace ravensim::tools
