#include "tools/scenario/shrink.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tools/scenario/duration.h"

namespace ravensim::tools {
namespace {

using scenarios::FaultEvent;
using scenarios::Scenario;

int64_t Nanos(const std::string& text) { return ParseDuration(text)->nanos(); }

// 40 fault events of assorted kinds; a crash of B at 10s for 16s is among them.
Scenario BigFailingScenario() {
  Scenario s;
  s.mutable_cluster()->set_nodes(5);
  s.mutable_workload()->set_clients(10);
  s.mutable_workload()->mutable_register_()->set_keys(1);
  s.mutable_run()->set_duration("60s");
  for (int i = 0; i < 40; ++i) {
    FaultEvent* e = s.add_timeline();
    e->set_at(absl::StrCat(i, "s"));
    e->set_duration("4s");
    switch (i % 4) {
      case 0: e->mutable_crash()->set_node(std::string(1, 'A' + i % 5)); break;
      case 1: e->mutable_pause()->set_node("C"); break;
      case 2: e->mutable_partition()->set_isolate("D"); break;
      default: e->mutable_clock_jump()->set_node("E"); e->clear_duration();
               e->mutable_clock_jump()->set_delta("1s"); break;
    }
  }
  FaultEvent* crash_b = s.mutable_timeline(10);  // i = 10: a crash (of A).
  crash_b->mutable_crash()->set_node("B");
  crash_b->set_duration("16s");
  return s;
}

// The synthetic bug: fails iff B is crashed for at least 2s, some partition happens,
// at least 3 clients run at least 5 operations each (0 = unlimited), and the fault phase
// lasts past 20s.
bool SyntheticFailure(const Scenario& s) {
  bool crash = false;
  bool partition = false;
  for (const FaultEvent& e : s.timeline()) {
    if (e.has_crash() && e.crash().node() == "B" && Nanos(e.duration()) >= 2'000'000'000) {
      crash = true;
    }
    if (e.has_partition()) partition = true;
  }
  const int32_t ops = s.workload().register_().operations_per_client();
  return crash && partition && s.workload().clients() >= 3 && (ops == 0 || ops >= 5) &&
         Nanos(s.run().duration()) > 20'000'000'000;
}

TEST(ShrinkTest, ShrinksSyntheticFailureToItsCore) {
  const Scenario start = BigFailingScenario();
  ASSERT_TRUE(SyntheticFailure(start));
  ShrinkStats stats;
  std::vector<std::string> log;
  ShrinkOptions options;
  options.log = [&](const std::string& line) { log.push_back(line); };
  auto shrunk = Shrink(start, SyntheticFailure, options, &stats);
  ASSERT_TRUE(shrunk.ok()) << shrunk.status();
  EXPECT_TRUE(SyntheticFailure(*shrunk));
  ASSERT_EQ(shrunk->timeline_size(), 2) << shrunk->DebugString();
  int crashes = 0;
  for (const FaultEvent& e : shrunk->timeline()) {
    if (e.has_crash()) {
      ++crashes;
      EXPECT_EQ(e.crash().node(), "B");
      EXPECT_EQ(e.duration(), "2s");  // 16s -> 8s -> 4s -> 2s; 1s no longer fails.
    }
  }
  EXPECT_EQ(crashes, 1);
  EXPECT_EQ(shrunk->workload().clients(), 3);
  EXPECT_EQ(shrunk->workload().register_().operations_per_client(), 5);
  // The fault phase ends 1ms after the last remaining fault (it never cuts one off).
  int64_t last_end = 0;
  for (const FaultEvent& e : shrunk->timeline()) {
    if (e.has_partition()) {
      EXPECT_EQ(e.duration(), "1ms");  // Its length does not matter: shortened away.
    }
    last_end = std::max(last_end, Nanos(e.at()) + Nanos(e.duration()));
  }
  EXPECT_EQ(Nanos(shrunk->run().duration()), std::max<int64_t>(last_end, 20'000'000'000) +
                                                 1'000'000);
  EXPECT_FALSE(log.empty());
  EXPECT_GT(stats.accepted, 0);
  EXPECT_LE(stats.attempts, 400);
  EXPECT_FALSE(stats.budget_exhausted);
  const ScenarioSize after = SizeOf(*shrunk);
  EXPECT_EQ(after.fault_events, 2);
  EXPECT_EQ(SizeOf(start).fault_events, 40);
}

TEST(ShrinkTest, RefusesAScenarioThatDoesNotFail) {
  ShrinkStats stats;
  auto shrunk = Shrink(BigFailingScenario(), [](const Scenario&) { return false; },
                       ShrinkOptions{}, &stats);
  EXPECT_EQ(shrunk.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(stats.attempts, 1);
}

TEST(ShrinkTest, RefusesTriggers) {
  Scenario s = BigFailingScenario();
  s.mutable_timeline(0)->clear_at();
  s.mutable_timeline(0)->mutable_on()->set_leader_changes(true);
  ShrinkStats stats;
  EXPECT_EQ(Shrink(s, SyntheticFailure, ShrinkOptions{}, &stats).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ShrinkTest, AttemptBudgetIsRespectedAndResultStillFails) {
  ShrinkStats stats;
  ShrinkOptions options;
  options.max_attempts = 7;
  auto shrunk = Shrink(BigFailingScenario(), SyntheticFailure, options, &stats);
  ASSERT_TRUE(shrunk.ok());
  EXPECT_TRUE(stats.budget_exhausted);
  EXPECT_LE(stats.attempts, 7);
  EXPECT_TRUE(SyntheticFailure(*shrunk));
  EXPECT_LT(shrunk->timeline_size(), 40);
}

TEST(ShrinkTest, EmptyScenarioFailureShrinksToNothing) {
  // A failure that does not depend on faults or clients at all.
  ShrinkStats stats;
  auto shrunk = Shrink(BigFailingScenario(), [](const Scenario&) { return true; },
                       ShrinkOptions{}, &stats);
  ASSERT_TRUE(shrunk.ok());
  EXPECT_EQ(shrunk->timeline_size(), 0);
  EXPECT_EQ(shrunk->workload().clients(), 0);
}

}  // namespace
}  // namespace ravensim::tools
