#include "tools/scenario/fault_plan.h"

#include <map>

#include "gtest/gtest.h"
#include "tools/scenario/duration.h"
#include "tools/scenario/scenario_loader.h"

namespace ravensim::tools {
namespace {

using sim::SimDuration;
using sim::SimTime;

scenarios::Scenario Swarm() {
  auto s = ParseScenario(R"pb(
    cluster { nodes: 5 }
    random_faults { start: "1s" mean_interval: "2s" max_concurrent: 2 }
    run { duration: "60s" }
  )pb", "swarm.textproto");
  EXPECT_TRUE(s.ok()) << s.status();
  return *s;
}

int64_t At(const scenarios::FaultEvent& e) { return ParseDuration(e.at())->nanos(); }
int64_t Length(const scenarios::FaultEvent& e) {
  return e.duration().empty() ? 0 : ParseDuration(e.duration())->nanos();
}

TEST(FaultPlanTest, DeterministicPerSeedAndDifferentAcrossSeeds) {
  const auto end = SimTime::Zero() + SimDuration::Seconds(60);
  const auto a = DrawRandomFaults(Swarm(), 7, end);
  const auto b = DrawRandomFaults(Swarm(), 7, end);
  const auto c = DrawRandomFaults(Swarm(), 8, end);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].DebugString(), b[i].DebugString());
  std::string sa, sc;
  for (const auto& e : a) sa += e.DebugString();
  for (const auto& e : c) sc += e.DebugString();
  EXPECT_NE(sa, sc);
}

TEST(FaultPlanTest, RespectsWindowConcurrencyAndValidity) {
  const auto end = SimTime::Zero() + SimDuration::Seconds(60);
  std::map<std::string, int> kinds;
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    auto scenario = Swarm();
    const auto events = DrawRandomFaults(scenario, seed, end);
    EXPECT_GT(events.size(), 5u);
    for (size_t i = 0; i < events.size(); ++i) {
      EXPECT_GE(At(events[i]), 1'000'000'000);
      EXPECT_LT(At(events[i]), 60'000'000'000);
      if (i > 0) {
        EXPECT_GE(At(events[i]), At(events[i - 1]));
      }
      // With max_concurrent 2, at most one earlier fault is still in force.
      int overlapping = 0;
      for (size_t j = 0; j < i; ++j) {
        overlapping += At(events[j]) + Length(events[j]) > At(events[i]) ? 1 : 0;
      }
      EXPECT_LE(overlapping, 1) << "seed " << seed << " event " << i;
      kinds[events[i].has_partition()    ? "partition"
            : events[i].has_crash()      ? "crash"
            : events[i].has_pause()      ? "pause"
            : events[i].has_clog()       ? "clog"
            : events[i].has_clock_jump() ? "jump"
            : events[i].has_clock_drift()? "drift"
            : events[i].has_disk()       ? "disk"
            : events[i].has_membership()  ? "membership"
                                         : "wipe"]++;
    }
    // The drawn events form a valid explicit timeline.
    scenario.clear_random_faults();
    for (const auto& e : events) *scenario.add_timeline() = e;
    const auto errors = ValidateScenario(scenario);
    EXPECT_TRUE(errors.empty()) << errors.front().ToString();
  }
  // Every fault kind shows up with equal default weights; membership changes, not
  // faults, never do.
  EXPECT_EQ(kinds.size(), 8u);
  EXPECT_EQ(kinds.count("membership"), 0u);
}

TEST(FaultPlanTest, DisabledProfileDrawsNothing) {
  auto s = Swarm();
  s.mutable_random_faults()->clear_mean_interval();
  EXPECT_TRUE(DrawRandomFaults(s, 1, SimTime::Zero() + SimDuration::Seconds(60)).empty());
}

// Times past what a scenario may give (the validator stops at ±1000h): a mean gap or a
// fault length near INT64_MAX draws a plan whose times all lie in [start, stop), never
// wrapped into the past.
TEST(FaultPlanTest, HugeMeansAndLengthsDoNotWrap) {
  for (const char* mean : {"2562047h", "100000h", "1s"}) {
    auto s = Swarm();
    s.mutable_random_faults()->set_mean_interval(mean);
    s.mutable_random_faults()->set_crash_weight(1);
    s.mutable_random_faults()->set_max_duration("2562047h");
    s.mutable_random_faults()->set_min_duration("2562047h");
    const SimTime stop = SimTime::Zero() + SimDuration::Seconds(2'000'000);
    for (uint64_t seed = 1; seed <= 200; ++seed) {
      for (const auto& e : DrawRandomFaults(s, seed, stop)) {
        EXPECT_GE(At(e), SimDuration::Seconds(1).nanos()) << mean << " " << seed;
        EXPECT_LT(At(e), (stop - SimTime::Zero()).nanos()) << mean << " " << seed;
        EXPECT_GT(Length(e), 0) << mean << " " << seed;
      }
    }
  }
}

TEST(FaultPlanTest, WeightsSelectKinds) {
  auto s = Swarm();
  s.mutable_random_faults()->set_crash_weight(1);
  for (const auto& e : DrawRandomFaults(s, 3, SimTime::Zero() + SimDuration::Seconds(60))) {
    EXPECT_TRUE(e.has_crash());
  }
}

TEST(FaultPlanTest, MembershipWeightDrawsFollowerDemotions) {
  auto s = Swarm();
  s.mutable_random_faults()->set_crash_weight(1);
  s.mutable_random_faults()->set_membership_weight(1);
  int memberships = 0;
  int crashes = 0;
  const auto events = DrawRandomFaults(s, 5, SimTime::Zero() + SimDuration::Seconds(60));
  for (const auto& e : events) {
    if (e.has_crash()) ++crashes;
    if (!e.has_membership()) continue;
    ++memberships;
    EXPECT_TRUE(e.membership().node().follower());
    EXPECT_EQ(e.membership().kind(), scenarios::PROMOTABLE);
    EXPECT_TRUE(e.duration().empty());  // Instantaneous: the leader undoes it.
  }
  EXPECT_GT(memberships, 3);
  EXPECT_GT(crashes, 3);
  s.clear_random_faults();
  for (const auto& e : events) *s.add_timeline() = e;
  const auto errors = ValidateScenario(s);
  EXPECT_TRUE(errors.empty()) << errors.front().ToString();
}

}  // namespace
}  // namespace ravensim::tools
