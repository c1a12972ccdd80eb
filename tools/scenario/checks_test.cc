#include "tools/scenario/checks.h"

#include "checkers/history/history.h"
#include "gtest/gtest.h"

namespace ravensim::tools {
namespace {

using sim::SimDuration;
using sim::SimTime;

SimTime Ms(int64_t ms) { return SimTime::Zero() + SimDuration::Millis(ms); }

struct Fixture {
  ClusterView view{3, {false, false, false}};
  history::History history;
  RunFacts facts;
  Fixture() {
    view.OnRole(Ms(300), 0, Role::kLeader, 1);
    view.OnDown(Ms(5000), 0);                     // Leader crashes at 5 s...
    view.OnRole(Ms(5600), 1, Role::kLeader, 2);   // ...B leads from 5.6 s.
    facts.view = &view;
    facts.history = &history;
    facts.fault_phase_end = Ms(10000);
    facts.heal_time = Ms(10000);
    facts.last_fault_time = Ms(5000);
    facts.end = Ms(20000);
  }
};

scenarios::Liveness Within(scenarios::Anchor after, const char* within, const char* at = "") {
  scenarios::Liveness l;
  l.set_name("leader");
  l.mutable_leader_within()->set_after(after);
  l.mutable_leader_within()->set_within(within);
  l.mutable_leader_within()->set_at(at);
  return l;
}

TEST(ChecksTest, LeaderWithin) {
  Fixture f;
  EXPECT_EQ(EvaluateLiveness(Within(scenarios::START, "1s"), f.facts).verdict, Verdict::kHeld);
  EXPECT_EQ(EvaluateLiveness(Within(scenarios::START, "200ms"), f.facts).verdict,
            Verdict::kViolated);
  auto after_fault = EvaluateLiveness(Within(scenarios::LAST_FAULT, "500ms"), f.facts);
  EXPECT_EQ(after_fault.verdict, Verdict::kViolated);
  EXPECT_NE(after_fault.detail.find("first at 5.6"), std::string::npos) << after_fault.detail;
  EXPECT_EQ(EvaluateLiveness(Within(scenarios::LAST_FAULT, "600ms"), f.facts).verdict,
            Verdict::kHeld);
  EXPECT_EQ(EvaluateLiveness(Within(scenarios::HEAL, "1s"), f.facts).verdict, Verdict::kHeld);
  // A bound past the end of the run cannot be decided.
  f.view.OnDown(Ms(15000), 1);
  EXPECT_EQ(EvaluateLiveness(Within(scenarios::AT, "10s", "15s"), f.facts).verdict,
            Verdict::kUnknown);
  f.facts.heal_time.reset();
  EXPECT_EQ(EvaluateLiveness(Within(scenarios::HEAL, "1s"), f.facts).verdict,
            Verdict::kUnknown);
}

TEST(ChecksTest, LeaderStability) {
  Fixture f;
  scenarios::Liveness l;
  l.set_name("stable");
  l.mutable_leader_stability()->set_from("1s");
  l.mutable_leader_stability()->set_max_leader_changes(0);
  auto report = EvaluateLiveness(l, f.facts);
  EXPECT_EQ(report.verdict, Verdict::kViolated);
  EXPECT_NE(report.detail.find("1 leader change"), std::string::npos) << report.detail;
  l.mutable_leader_stability()->set_max_leader_changes(1);
  EXPECT_EQ(EvaluateLiveness(l, f.facts).verdict, Verdict::kHeld);
  l.mutable_leader_stability()->set_min_leader_changes(2);
  l.mutable_leader_stability()->set_max_leader_changes(5);
  EXPECT_EQ(EvaluateLiveness(l, f.facts).verdict, Verdict::kViolated);
}

TEST(ChecksTest, NewLeaderIgnoresTheLeaderInOffice) {
  Fixture f;
  // A leads from 0.3 s; at 1 s "any leader" holds at once, a *new* leader only at 5.6 s.
  auto any = Within(scenarios::AT, "1s", "1s");
  EXPECT_EQ(EvaluateLiveness(any, f.facts).verdict, Verdict::kHeld);
  auto fresh = any;
  fresh.mutable_leader_within()->set_new_leader(true);
  EXPECT_EQ(EvaluateLiveness(fresh, f.facts).verdict, Verdict::kViolated);
  fresh.mutable_leader_within()->set_within("5s");
  EXPECT_EQ(EvaluateLiveness(fresh, f.facts).verdict, Verdict::kHeld);
}

TEST(ChecksTest, ProgressCountsOkOperationsViaNodesInWindow) {
  Fixture f;
  history::HistoryBuilder builder;
  auto op = [&](int64_t client, const char* node, int64_t invoke_ms, int64_t return_ms, bool ok) {
    const int64_t id = builder.Invoke(client, node, invoke_ms * 1'000'000,
                                      history::REGISTER_WRITE, "k0");
    *builder.MutableOperation(id)->mutable_value() = history::IntValue(1);
    if (ok) {
      builder.Ok(id, return_ms * 1'000'000);
    } else {
      builder.Fail(id, return_ms * 1'000'000, "no leader");
    }
  };
  op(0, "A", 1000, 1100, true);
  op(1, "D", 2000, 2100, true);   // via the minority
  op(0, "B", 3000, 3100, true);
  op(1, "D", 4000, 4100, false);  // failed: does not count
  op(0, "A", 9000, 12000, true);  // returns after the window
  f.history = std::move(builder).Finish("test");
  scenarios::Liveness l;
  l.set_name("minority");
  l.mutable_progress()->set_from("1500ms");
  l.mutable_progress()->set_to("10s");
  l.mutable_progress()->add_via("D");
  l.mutable_progress()->set_max_ok(0);
  auto report = EvaluateLiveness(l, f.facts);
  EXPECT_EQ(report.verdict, Verdict::kViolated) << report.detail;
  l.mutable_progress()->clear_via();
  l.mutable_progress()->add_via("A");
  l.mutable_progress()->add_via("B");
  l.mutable_progress()->clear_max_ok();
  l.mutable_progress()->set_min_ok(1);
  report = EvaluateLiveness(l, f.facts);
  EXPECT_EQ(report.verdict, Verdict::kHeld) << report.detail;
  EXPECT_NE(report.detail.find("1 operation ok"), std::string::npos) << report.detail;
  // A run that stops before the window closes cannot show too little progress...
  l.mutable_progress()->set_min_ok(5);
  f.facts.end = Ms(9500);
  EXPECT_EQ(EvaluateLiveness(l, f.facts).verdict, Verdict::kUnknown);
  // ...but can show too much.
  l.mutable_progress()->set_min_ok(0);
  l.mutable_progress()->set_max_ok(0);
  EXPECT_EQ(EvaluateLiveness(l, f.facts).verdict, Verdict::kViolated);
}

TEST(ChecksTest, LinearizabilityOfRegisterHistories) {
  history::HistoryBuilder good;
  int64_t id = good.Invoke(0, "A", 0, history::REGISTER_WRITE, "k0");
  *good.MutableOperation(id)->mutable_value() = history::StrValue("1");
  good.Ok(id, 10);
  id = good.Invoke(1, "B", 20, history::REGISTER_READ, "k0");
  *good.MutableOperation(id)->mutable_result() = history::StrValue("1");
  good.Ok(id, 30);
  const history::History ok_history = std::move(good).Finish("ok");
  EXPECT_EQ(EvaluateLinearizability(ok_history, 0, 1).verdict, Verdict::kHeld);

  history::HistoryBuilder bad;
  id = bad.Invoke(0, "A", 0, history::REGISTER_WRITE, "k0");
  *bad.MutableOperation(id)->mutable_value() = history::StrValue("1");
  bad.Ok(id, 10);
  id = bad.Invoke(1, "B", 20, history::REGISTER_READ, "k0");
  *bad.MutableOperation(id)->mutable_result() = history::StrValue("2");  // Never written.
  bad.Ok(id, 30);
  const history::History bad_history = std::move(bad).Finish("bad");
  const CheckReport report = EvaluateLinearizability(bad_history, 0, 1);
  EXPECT_EQ(report.verdict, Verdict::kViolated);
  EXPECT_EQ(report.detail.find('\n'), std::string::npos);
}

TEST(ChecksTest, ExpectationsAndUnknownNeverPass) {
  std::vector<CheckReport> reports = {{"a", Verdict::kHeld}, {"b", Verdict::kViolated},
                                      {"c", Verdict::kUnknown}};
  scenarios::Expectation expect;
  expect.add_violated("b");
  ApplyExpectation(expect, &reports);
  EXPECT_TRUE(reports[0].as_expected());
  EXPECT_TRUE(reports[1].as_expected());
  EXPECT_FALSE(reports[2].as_expected());
  expect.add_violated("c");
  ApplyExpectation(expect, &reports);
  EXPECT_FALSE(reports[2].as_expected());
}

TEST(ChecksTest, Watchers) {
  ClusterView view(3, {false, false, true});
  EXPECT_EQ(EvaluateWatchers(view).verdict, Verdict::kHeld);
  view.OnVote(Ms(1), 2, 0, 1);
  EXPECT_EQ(EvaluateWatchers(view).verdict, Verdict::kViolated);
}

}  // namespace
}  // namespace ravensim::tools
