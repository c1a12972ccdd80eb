#include "tools/scenario/isolated_run.h"

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

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

SeedResult CrashOnThree(uint64_t seed) {
  if (seed == 3) {
    std::cerr << "core/y.cc:7: CHECK failed: seed != 3 (3 vs 3)\n";
    std::abort();
  }
  SeedResult result;
  result.set_seed(seed);
  result.set_passed(seed % 2 == 0);
  result.set_fingerprint(std::to_string(seed * 11));
  std::cerr << "seed " << seed << " done\n";
  return result;
}

TEST(IsolatedWorkerTest, OneChildRunsManySeedsAndIsReplacedAfterACrash) {
  IsolatedWorker worker(CrashOnThree);
  for (uint64_t seed : {1, 2}) {
    const SeedResult r = worker.Run(seed, "repro");
    EXPECT_EQ(r.seed(), seed);
    EXPECT_EQ(r.fingerprint(), std::to_string(seed * 11));
    EXPECT_EQ(r.passed(), seed % 2 == 0);
  }
  EXPECT_EQ(worker.children_started(), 1);
  const SeedResult crashed = worker.Run(3, "ravensim run x --seed 3");
  EXPECT_FALSE(crashed.passed());
  EXPECT_EQ(crashed.seed(), 3u);
  EXPECT_EQ(crashed.signature(), "crash:core/y.cc:7: CHECK failed: seed != 3");
  EXPECT_EQ(crashed.reproduce(), "ravensim run x --seed 3");
  // The error keeps the crashing seed's stderr, not earlier seeds'.
  EXPECT_EQ(crashed.error().find("seed 1 done"), std::string::npos) << crashed.error();
  for (uint64_t seed : {4, 5, 6}) EXPECT_EQ(worker.Run(seed, "repro").seed(), seed);
  EXPECT_EQ(worker.children_started(), 2);
}

TEST(IsolatedWorkerTest, WorkersStartedFirstRunOnSeveralThreadsAndFinish) {
  // As the sweep does, the children are forked before the threads start (a child forked
  // while other threads run can inherit a lock one of them held). Each child must see
  // end of input when its worker goes away, even though the children were forked while
  // the other workers' pipes were open.
  std::vector<std::unique_ptr<IsolatedWorker>> workers;
  for (int t = 0; t < 3; ++t) {
    workers.push_back(std::make_unique<IsolatedWorker>(CrashOnThree));
    ASSERT_TRUE(workers.back()->Start());
    ASSERT_TRUE(workers.back()->Start());  // Already running: no second child.
    EXPECT_EQ(workers.back()->children_started(), 1);
  }
  std::vector<std::thread> threads;
  std::atomic<int> done{0};
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&done, &workers, t]() {
      for (uint64_t seed = 10 + t; seed < 40; seed += 3) {
        if (workers[t]->Run(seed, "").seed() == seed) ++done;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(done.load(), 30);
  // The started children ran every seed: none was forked from a thread.
  for (const auto& worker : workers) EXPECT_EQ(worker->children_started(), 1);
  workers.clear();
}

TEST(IsolatedRunTest, CrashSignatureGroupsByLocation) {
  EXPECT_EQ(CrashSignature("x\ncore/a.cc:1: CHECK failed: p (1 vs 2)\nmore\n", 6),
            CrashSignature("core/a.cc:1: CHECK failed: p (5 vs 7)\n", 6));
  EXPECT_EQ(CrashSignature("segfault\n", 11), "crash:signal 11");
}

}  // namespace
}  // namespace ravensim::tools
