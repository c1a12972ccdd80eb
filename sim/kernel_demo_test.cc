#include "sim/kernel_demo.h"

#include <sstream>

#include "gtest/gtest.h"
#include "sim/trace.h"

namespace ravensim::sim {
namespace {

TEST(KernelDemoTest, SameSeedGivesIdenticalFingerprintAndTrace) {
  std::ostringstream first_trace, second_trace;
  auto first = RunKernelDemo({.seed = 42, .trace_jsonl = &first_trace});
  auto second = RunKernelDemo({.seed = 42, .trace_jsonl = &second_trace});
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(first->fingerprint, second->fingerprint);
  EXPECT_EQ(first->events_run, second->events_run);
  EXPECT_GT(first->trace_events, 100u);
  EXPECT_GT(first->messages_delivered, 100u);
  EXPECT_EQ(first_trace.str(), second_trace.str());  // Byte-identical.
}

TEST(KernelDemoTest, DifferentSeedsGiveDifferentRuns) {
  auto a = RunKernelDemo({.seed = 1, .keep_event_hashes = true});
  auto b = RunKernelDemo({.seed = 2, .keep_event_hashes = true});
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_NE(a->fingerprint, b->fingerprint);
  // The comparison tool names a first divergence.
  EXPECT_TRUE(FirstDivergence(a->event_hashes, b->event_hashes).has_value());
  auto a_again = RunKernelDemo({.seed = 1, .keep_event_hashes = true});
  ASSERT_TRUE(a_again.ok());
  EXPECT_FALSE(FirstDivergence(a->event_hashes, a_again->event_hashes).has_value());
}

TEST(KernelDemoTest, EventBudgetStopsTheRunWithAnError) {
  auto r = RunKernelDemo({.seed = 3, .duration = SimDuration::Seconds(100),
                          .event_budget = 500});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsResourceExhausted(r.status())) << r.status();
}

}  // namespace
}  // namespace ravensim::sim
