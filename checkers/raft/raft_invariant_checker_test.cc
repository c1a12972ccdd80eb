#include "checkers/raft/raft_invariant_checker.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <map>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace ravensim::checkers::raft {
namespace {

using Kind = RaftObservation::Kind;

// Builds observations for hand-written histories.
class History {
 public:
  RaftObservation& Add(Kind kind, int32_t node, uint64_t term) {
    RaftObservation& o = observations_.emplace_back();
    o.set_kind(kind);
    o.set_node(node);
    o.set_tag(std::string(1, static_cast<char>('A' + node)));
    o.set_incarnation(1);
    o.set_term(term);
    o.set_time_ns(static_cast<int64_t>(observations_.size()) * 1000);
    return o;
  }
  void Topology(int32_t node, std::vector<std::string> voters,
                std::vector<std::string> non_voters = {}) {
    RaftObservation& o = Add(RaftObservation::TOPOLOGY_CHANGED, node, 0);
    for (auto& v : voters) o.add_voters(v);
    for (auto& v : non_voters) o.add_non_voters(v);
  }
  void Append(int32_t node, uint64_t term, uint64_t index, uint64_t entry_term,
              uint64_t prev_term, uint64_t hash) {
    RaftObservation& o = Add(RaftObservation::ENTRY_APPENDED, node, term);
    o.set_index(index);
    o.set_entry_term(entry_term);
    o.set_prev_term(prev_term);
    o.set_command_hash(hash);
  }
  void Role(int32_t node, uint64_t term, const std::string& role) {
    Add(RaftObservation::STATE_CHANGED, node, term).set_role(role);
  }
  void Commit(int32_t node, uint64_t term, uint64_t index,
              std::vector<std::string> supporters = {}) {
    RaftObservation& o = Add(RaftObservation::COMMIT_ADVANCED, node, term);
    o.set_index(index);
    if (!supporters.empty()) {
      o.set_by_quorum(true);
      for (auto& s : supporters) o.add_supporters(s);
    }
  }
  // The indexes among folded applies that are no request, or skipped duplicates.
  struct Flags {
    std::vector<uint64_t> not_request;
    std::vector<uint64_t> skipped;
  };
  // A commit with the APPLIED observations that followed it folded in.
  void CommitApplying(int32_t node, uint64_t term, uint64_t index,
                      std::vector<std::pair<uint64_t, uint64_t>> applied, Flags flags = {}) {
    Commit(node, term, index);
    RaftObservation& o = observations_.back();
    auto has = [](const std::vector<uint64_t>& v, uint64_t i) {
      return std::find(v.begin(), v.end(), i) != v.end();
    };
    for (const auto& [applied_index, hash] : applied) {
      RaftObservation::Applied* entry = o.add_applied();
      entry->set_index(applied_index);
      entry->set_entry_term(term);
      entry->set_command_hash(hash);
      entry->set_not_request(has(flags.not_request, applied_index));
      entry->set_skipped(has(flags.skipped, applied_index));
    }
  }
  // An append with the commit (without quorum) and applies that followed it folded in.
  void AppendCommitting(int32_t node, uint64_t term, uint64_t index, uint64_t prev_term,
                        uint64_t hash, uint64_t commit_index,
                        std::vector<std::pair<uint64_t, uint64_t>> applied) {
    Append(node, term, index, term, prev_term, hash);
    RaftObservation& o = observations_.back();
    o.set_commit_index(commit_index);
    for (const auto& [applied_index, applied_hash] : applied) {
      RaftObservation::Applied* entry = o.add_applied();
      entry->set_index(applied_index);
      entry->set_entry_term(term);
      entry->set_command_hash(applied_hash);
    }
  }
  void Applied(int32_t node, uint64_t index, uint64_t hash) {
    RaftObservation& o = Add(RaftObservation::APPLIED, node, 1);
    o.set_index(index);
    o.set_command_hash(hash);
  }
  // An APPLIED observation of a request skipped as a duplicate, or of no request.
  void Skipped(int32_t node, uint64_t index, uint64_t hash) {
    Applied(node, index, hash);
    observations_.back().set_skipped(true);
  }
  void NotRequest(int32_t node, uint64_t index, uint64_t hash) {
    Applied(node, index, hash);
    observations_.back().set_not_request(true);
  }
  RaftCheckResult Check() const {
    RaftInvariantChecker checker({.log_history_max_entries = log_history});
    for (const RaftObservation& o : observations_) checker.Observe(o);
    return checker.Result();
  }
  std::string Violated() const {
    RaftCheckResult result = Check();
    return result.ok ? "" : result.violation->invariant;
  }
  int64_t log_history = 4096;  // the checker's RaftCheckerOptions

 private:
  std::vector<RaftObservation> observations_;
};

History ThreeNodes() {
  History h;
  for (int n = 0; n < 3; ++n) h.Topology(n, {"A", "B", "C"});
  return h;
}

TEST(RaftInvariantCheckerTest, HealthyHistoryPasses) {
  History h = ThreeNodes();
  h.Role(0, 1, "LeaderElect");
  for (int n = 0; n < 3; ++n) h.Append(n, 1, 1, 1, 0, 11);
  h.Commit(0, 1, 1, {"A", "B"});
  h.Role(0, 1, "Leader");
  h.Commit(1, 1, 1);
  for (int n = 0; n < 3; ++n) h.Applied(n, 1, 11);
  h.Role(1, 2, "LeaderElect");  // B holds the committed entry
  RaftCheckResult result = h.Check();
  EXPECT_TRUE(result.ok) << result.violation->ToString();
  EXPECT_EQ(result.observations, 14);
}

TEST(RaftInvariantCheckerTest, TwoLeadersInOneTerm) {
  History h = ThreeNodes();
  h.Role(0, 3, "Leader");
  h.Role(1, 3, "LeaderElect");
  RaftCheckResult result = h.Check();
  ASSERT_FALSE(result.ok);
  EXPECT_EQ(result.violation->invariant, "election safety");
  EXPECT_EQ(result.violation->node, 1);
  EXPECT_EQ(result.violation->term, 3u);
  EXPECT_GT(result.violation->time_ns, 0);
  EXPECT_NE(result.violation->ToString().find("election safety"), std::string::npos);
}

TEST(RaftInvariantCheckerTest, SameIndexAndTermDifferentCommand) {
  History h = ThreeNodes();
  h.Append(0, 1, 1, 1, 0, 11);
  h.Append(1, 1, 1, 1, 0, 99);
  EXPECT_EQ(h.Violated(), "log matching");
}

TEST(RaftInvariantCheckerTest, SameIndexAndTermDifferentPrefix) {
  History h = ThreeNodes();
  h.Append(0, 1, 1, 1, 0, 11);
  h.Append(0, 2, 2, 2, 1, 22);
  h.Append(1, 2, 1, 2, 0, 33);
  h.Append(1, 2, 2, 2, 2, 22);  // (2, term 2) after a different term at index 1
  RaftCheckResult result = h.Check();
  ASSERT_FALSE(result.ok);
  EXPECT_EQ(result.violation->invariant, "log matching");
  EXPECT_EQ(result.violation->index, 2u);
}

TEST(RaftInvariantCheckerTest, NewLeaderMissingCommittedEntry) {
  History h = ThreeNodes();
  h.Append(0, 1, 1, 1, 0, 11);
  h.Append(1, 1, 1, 1, 0, 11);
  h.Commit(0, 1, 1, {"A", "B"});
  h.Role(2, 2, "LeaderElect");  // C never got index 1
  RaftCheckResult result = h.Check();
  ASSERT_FALSE(result.ok);
  EXPECT_EQ(result.violation->invariant, "leader completeness");
  EXPECT_EQ(result.violation->node, 2);
  EXPECT_EQ(result.violation->index, 1u);
}

TEST(RaftInvariantCheckerTest, DifferentCommandsAppliedAtOneIndex) {
  History h = ThreeNodes();
  h.Applied(0, 4, 40);
  h.Applied(1, 4, 41);
  EXPECT_EQ(h.Violated(), "state machine safety");
}

// Exactly once (RAVENDB_MODEL.md §1.4, LogHistory): a request met again within the
// history is skipped, on every node; beyond it, executed again.
TEST(RaftInvariantCheckerTest, RequestExecutedTwiceWithinTheLogHistory) {
  History h = ThreeNodes();
  h.log_history = 3;
  h.Applied(0, 1, 10);
  h.Applied(0, 2, 20);
  h.Applied(0, 3, 10);  // one execution between: still remembered
  EXPECT_EQ(h.Violated(), "exactly once");
}

TEST(RaftInvariantCheckerTest, RequestSkippedWithinTheLogHistoryOnEveryNode) {
  History h = ThreeNodes();
  h.log_history = 3;
  for (int32_t node : {0, 1}) {
    h.Applied(node, 1, 10);
    h.Applied(node, 2, 20);
    h.Skipped(node, 3, 10);
  }
  h.Applied(0, 1, 10);  // a restart replays what it executed: the same index again
  EXPECT_EQ(h.Violated(), "");
  h.Applied(2, 1, 10);
  h.Applied(2, 2, 20);
  h.Applied(2, 3, 10);  // executed where the others skipped it
  EXPECT_EQ(h.Violated(), "exactly once");
}

TEST(RaftInvariantCheckerTest, RequestExecutedAgainBeyondTheLogHistory) {
  History h = ThreeNodes();
  h.log_history = 2;
  h.Applied(0, 1, 10);
  h.Applied(0, 2, 20);
  h.Skipped(0, 3, 20);      // a skipped duplicate is not an execution
  h.NotRequest(0, 4, 99);   // nor is a noop
  h.Applied(0, 5, 30);
  h.Applied(0, 6, 10);      // two executions between: forgotten, executed again
  h.Applied(0, 7, 40);
  h.Skipped(0, 8, 10);      // remembered again from index 6
  EXPECT_EQ(h.Violated(), "");
  h.Applied(0, 9, 50);
  h.Applied(0, 10, 60);
  h.Skipped(0, 11, 10);     // index 6 is three executions back: forgotten
  EXPECT_EQ(h.Violated(), "exactly once");
}

TEST(RaftInvariantCheckerTest, RequestSkippedThatWasNeverExecuted) {
  History h = ThreeNodes();
  h.Applied(0, 1, 10);
  h.Skipped(0, 2, 20);
  EXPECT_EQ(h.Violated(), "exactly once");
}

TEST(RaftInvariantCheckerTest, EntriesOfNoRequestMayRepeatAndDoNotCount) {
  History h = ThreeNodes();
  h.log_history = 1;
  h.NotRequest(0, 1, 5);
  h.NotRequest(0, 2, 5);  // noops share a hash
  h.Applied(0, 3, 10);
  h.NotRequest(0, 4, 5);
  h.NotRequest(1, 4, 5);
  EXPECT_EQ(h.Violated(), "");
  h.Applied(0, 5, 10);  // no execution between (noops do not count): still remembered
  EXPECT_EQ(h.Violated(), "exactly once");
}

TEST(RaftInvariantCheckerTest, FoldedAppliesCarrySkippedAndNotRequest) {
  History h = ThreeNodes();
  h.log_history = 3;
  h.Applied(1, 1, 10);
  h.CommitApplying(0, 1, 3, {{1, 10}, {2, 5}, {3, 10}});
  EXPECT_EQ(h.Violated(), "exactly once");  // index 2 a request, index 3 executed again
  History g = ThreeNodes();
  g.log_history = 3;
  g.Applied(1, 1, 10);
  g.CommitApplying(0, 1, 3, {{1, 10}, {2, 5}, {3, 10}}, {.not_request = {2}, .skipped = {3}});
  EXPECT_EQ(g.Violated(), "");
}

TEST(RaftInvariantCheckerTest, AppliesFoldedIntoCommitsAreCheckedAndCounted) {
  History h = ThreeNodes();
  for (int n = 0; n < 3; ++n) h.Append(n, 1, 1, 1, 0, 11);
  for (int n = 0; n < 3; ++n) h.Append(n, 1, 2, 1, 1, 12);
  h.CommitApplying(0, 1, 2, {{1, 11}, {2, 12}});
  h.CommitApplying(1, 1, 2, {{1, 11}, {2, 12}});
  const RaftCheckResult result = h.Check();
  EXPECT_TRUE(result.ok);
  EXPECT_EQ(result.observations, 3 + 6 + 2 + 4);  // Each folded apply counts as one.

  History folded_then_alone = h;
  folded_then_alone.Applied(2, 2, 99);
  RaftCheckResult bad = folded_then_alone.Check();
  ASSERT_FALSE(bad.ok);
  EXPECT_EQ(bad.violation->invariant, "state machine safety");
  EXPECT_EQ(bad.violation->node, 2);
  EXPECT_EQ(bad.violation->index, 2u);

  History alone_then_folded = ThreeNodes();
  alone_then_folded.Applied(0, 4, 40);
  alone_then_folded.CommitApplying(1, 1, 0, {{3, 30}, {4, 41}});
  bad = alone_then_folded.Check();
  ASSERT_FALSE(bad.ok);
  EXPECT_EQ(bad.violation->invariant, "state machine safety");
  EXPECT_EQ(bad.violation->node, 1);
  EXPECT_EQ(bad.violation->index, 4u);
}

TEST(RaftInvariantCheckerTest, CommitsFoldedIntoAppendsAreCheckedAndCounted) {
  History h = ThreeNodes();
  for (int n = 0; n < 3; ++n) h.Append(n, 1, 1, 1, 0, 11);
  h.Append(0, 1, 2, 1, 1, 12);
  h.CommitApplying(0, 1, 1, {{1, 11}});
  h.AppendCommitting(1, 1, 2, 1, 12, 1, {{1, 11}});  // Append 2, commit 1, apply 1.
  h.AppendCommitting(2, 1, 2, 1, 12, 1, {});
  const RaftCheckResult result = h.Check();
  EXPECT_TRUE(result.ok);
  EXPECT_EQ(result.observations, 3 + 3 + 1 + 2 + 3 + 2);

  // The commit is checked after the append it rides on: node 2 commits the entry it has
  // just appended, which node 0's commit then contradicts.
  History conflict = h;
  conflict.AppendCommitting(2, 2, 2, 1, 99, 2, {});
  conflict.Commit(0, 1, 2);
  RaftCheckResult bad = conflict.Check();
  ASSERT_FALSE(bad.ok);
  EXPECT_EQ(bad.violation->invariant, "state machine safety");
  EXPECT_EQ(bad.violation->index, 2u);

  History backwards = h;
  backwards.Commit(1, 1, 2);
  backwards.AppendCommitting(1, 1, 3, 1, 13, 1, {});
  bad = backwards.Check();
  ASSERT_FALSE(bad.ok);
  EXPECT_EQ(bad.violation->invariant, "commit index monotone");
  EXPECT_EQ(bad.violation->node, 1);
  EXPECT_EQ(bad.violation->index, 1u);

  History different_apply = h;
  different_apply.AppendCommitting(0, 1, 3, 1, 13, 2, {{2, 13}});
  different_apply.AppendCommitting(1, 1, 3, 1, 13, 2, {{2, 12}});
  bad = different_apply.Check();
  ASSERT_FALSE(bad.ok);
  EXPECT_EQ(bad.violation->invariant, "state machine safety");
  EXPECT_EQ(bad.violation->node, 1);
}

TEST(RaftInvariantCheckerTest, DifferentEntriesCommittedAtOneIndex) {
  History h = ThreeNodes();
  h.Append(0, 1, 1, 1, 0, 11);
  h.Commit(0, 1, 1);
  h.Append(1, 2, 1, 2, 0, 12);
  h.Commit(1, 2, 1);
  EXPECT_EQ(h.Violated(), "state machine safety");
}

TEST(RaftInvariantCheckerTest, CommittedEntryTruncated) {
  History h = ThreeNodes();
  h.Append(0, 1, 1, 1, 0, 11);
  h.Commit(0, 1, 1);
  h.Add(RaftObservation::LOG_TRUNCATED, 0, 2).set_index(1);
  EXPECT_EQ(h.Violated(), "state machine safety");
}

// A follower refused an entry contradicting its committed one (a stale leader elected
// with the vote of a wiped node): reported with node, term, index and time.
TEST(RaftInvariantCheckerTest, CommittedConflictIsStateMachineSafetyViolation) {
  History h = ThreeNodes();
  h.Append(0, 1, 1, 1, 0, 11);
  h.Commit(0, 1, 1);
  RaftObservation& o = h.Add(RaftObservation::COMMITTED_CONFLICT, 0, 3);
  o.set_index(1);
  o.set_entry_term(2);
  o.set_committed_term(1);
  const RaftCheckResult result = h.Check();
  ASSERT_FALSE(result.ok);
  EXPECT_EQ(result.violation->invariant, "state machine safety");
  EXPECT_EQ(result.violation->node, 0);
  EXPECT_EQ(result.violation->tag, "A");
  EXPECT_EQ(result.violation->term, 3u);
  EXPECT_EQ(result.violation->index, 1u);
  EXPECT_EQ(result.violation->time_ns, o.time_ns());
  EXPECT_NE(result.violation->ToString().find("term 2 over the committed entry of term 1"),
            std::string::npos);
}

TEST(RaftInvariantCheckerTest, CommitIndexGoesBackwards) {
  History h = ThreeNodes();
  h.Append(0, 1, 1, 1, 0, 11);
  h.Append(0, 1, 2, 1, 1, 12);
  h.Commit(0, 1, 2);
  h.Commit(0, 1, 1);
  EXPECT_EQ(h.Violated(), "commit index monotone");
}

TEST(RaftInvariantCheckerTest, CommitIndexMayRestartAfterReboot) {
  History h = ThreeNodes();
  h.Append(0, 1, 1, 1, 0, 11);
  h.Commit(0, 1, 1);
  RaftObservation& reset = h.Add(RaftObservation::LOG_RESET, 0, 1);
  reset.set_incarnation(2);
  RaftObservation& again = h.Add(RaftObservation::COMMIT_ADVANCED, 0, 1);
  again.set_incarnation(2);
  again.set_index(0);
  EXPECT_EQ(h.Violated(), "");
}

TEST(RaftInvariantCheckerTest, WatcherCountedInCommitMajority) {
  History h;
  for (int n = 0; n < 5; ++n) h.Topology(n, {"A", "B", "C"}, {"D", "E"});
  h.Append(0, 1, 1, 1, 0, 11);
  h.Commit(0, 1, 1, {"A", "D"});
  RaftCheckResult result = h.Check();
  ASSERT_FALSE(result.ok);
  EXPECT_EQ(result.violation->invariant, "voting quorum");
  EXPECT_NE(result.violation->explanation.find("D"), std::string::npos);
}

TEST(RaftInvariantCheckerTest, PromotableCountedInElection) {
  History h;
  h.Topology(0, {"A", "B", "C"}, {"D"});
  RaftObservation& won = h.Add(RaftObservation::ELECTION_WON, 0, 2);
  won.add_supporters("A");
  won.add_supporters("D");
  EXPECT_EQ(h.Violated(), "voting quorum");
}

TEST(RaftInvariantCheckerTest, CommitByMinority) {
  History h;
  h.Topology(0, {"A", "B", "C", "D", "E"});
  h.Append(0, 1, 1, 1, 0, 11);
  h.Commit(0, 1, 1, {"A", "B"});
  EXPECT_EQ(h.Violated(), "voting quorum");
}

TEST(RaftInvariantCheckerTest, StaleLeaderOfLowerTermMayLackLaterCommit) {
  // A leader of term 2 finishing its election after term 3 committed is legal Raft.
  History h = ThreeNodes();
  h.Append(0, 3, 1, 3, 0, 11);
  h.Append(1, 3, 1, 3, 0, 11);
  h.Commit(0, 3, 1, {"A", "B"});
  h.Role(2, 2, "LeaderElect");
  EXPECT_EQ(h.Violated(), "");
}

TEST(RaftInvariantCheckerTest, OnlyTheFirstViolationIsKept) {
  History h = ThreeNodes();
  h.Role(0, 3, "Leader");
  h.Role(1, 3, "Leader");
  h.Applied(0, 1, 1);
  h.Applied(1, 1, 2);
  EXPECT_EQ(h.Violated(), "election safety");
}

TEST(RaftInvariantCheckerTest, QuorumOfTheSameSupportersRecheckedWhenVotersChange) {
  History h;
  h.Topology(0, {"A", "B", "C"});
  h.Append(0, 1, 1, 1, 0, 11);
  h.Commit(0, 1, 1, {"A", "B"});
  h.Append(0, 1, 2, 1, 1, 12);
  h.Commit(0, 1, 2, {"A", "B"});
  EXPECT_EQ(h.Violated(), "");
  h.Topology(0, {"A", "C", "D"}, {"B"});  // B demoted.
  h.Append(0, 1, 3, 1, 1, 13);
  h.Commit(0, 1, 3, {"A", "B"});
  RaftCheckResult result = h.Check();
  ASSERT_FALSE(result.ok);
  EXPECT_EQ(result.violation->invariant, "voting quorum");
  EXPECT_EQ(result.violation->index, 3u);
  EXPECT_NE(result.violation->explanation.find("counted B"), std::string::npos);
}

TEST(RaftInvariantCheckerTest, QuorumAfterAPassingOneIsCheckedAgain) {
  // Each history: a commit by {A, B, C} of five voters that passes, then another.
  for (const auto& [supporters, violated] :
       std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"A", "B", "C"}, ""},
           {{"A", "B"}, "voting quorum"},          // the same two: still a minority
           {{"A", "B", "W"}, "voting quorum"},     // one more, not a voter
           {{"AB", "C", "D"}, "voting quorum"},    // the same bytes, other tags
           {{"A", "B", "C", "D"}, ""},
           {{"B", "A", "C"}, ""},
       }) {
    History h;
    h.Topology(0, {"A", "B", "C", "D", "E"});
    h.Append(0, 1, 1, 1, 0, 11);
    h.Commit(0, 1, 1, {"A", "B", "C"});
    h.Append(0, 1, 2, 1, 1, 12);
    h.Commit(0, 1, 2, supporters);
    EXPECT_EQ(h.Violated(), violated) << supporters.size();
  }
}

TEST(RaftInvariantCheckerTest, QuorumOfOneByteAndLongerTagsAlike) {
  // One-byte supporters are looked up in a set of bytes, longer ones in the lists: both
  // must give what a search of the lists gives.
  const std::string high(1, '\xc3');  // a byte above 127
  for (const auto& [supporters, violated] :
       std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"A", "BB", "C"}, ""},
           {{"A", "BB", high}, ""},
           {{"BB", "C", high}, ""},
           {{"A", "B", "C"}, "voting quorum"},      // B is not a tag, BB is
           {{"A", "C", "B"}, "voting quorum"},
           {{"A", "BB", "D"}, "voting quorum"},     // D is a non-voter
           {{"A", "BB", "DD"}, "voting quorum"},    // so is DD
           {{"A", "BB", "\xc4"}, "voting quorum"},  // a byte of no tag
           {{"A", "BB", ""}, "voting quorum"},      // the empty tag
           {{"A", "C", "CC"}, "voting quorum"},     // CC is no tag
           {{"A", "BB"}, "voting quorum"},          // two of five
       }) {
    History h;
    h.Topology(0, {"A", "BB", "C", high, "E"}, {"D", "DD"});
    h.Append(0, 1, 1, 1, 0, 11);
    h.Commit(0, 1, 1, supporters);
    EXPECT_EQ(h.Violated(), violated) << supporters[0] << supporters.back();
  }
  {
    // The sets follow the topology: C demoted, then promoted back.
    History h;
    h.Topology(0, {"A", "B", "C"});
    h.Topology(0, {"A", "B"}, {"C"});
    h.Append(0, 1, 1, 1, 0, 11);
    h.Commit(0, 1, 1, {"A", "C"});
    EXPECT_EQ(h.Violated(), "voting quorum");
  }
  {
    History h;
    h.Topology(0, {"A", "B"}, {"C"});
    h.Topology(0, {"A", "B", "C"});
    h.Append(0, 1, 1, 1, 0, 11);
    h.Commit(0, 1, 1, {"A", "C"});
    EXPECT_EQ(h.Violated(), "");
  }
}

TEST(RaftInvariantCheckerTest, QuorumCheckedAgainstEachNodesOwnVoters) {
  History h;
  h.Topology(0, {"A", "B", "C"});
  h.Topology(1, {"D", "E", "F"});
  h.Append(0, 1, 1, 1, 0, 11);
  h.Commit(0, 1, 1, {"A", "B"});
  h.Append(1, 1, 1, 1, 0, 11);
  h.Commit(1, 1, 1, {"A", "B"});
  RaftCheckResult result = h.Check();
  ASSERT_FALSE(result.ok);
  EXPECT_EQ(result.violation->invariant, "voting quorum");
  EXPECT_EQ(result.violation->node, 1);
}

TEST(RaftInvariantCheckerTest, AppendsPastTheLastEntryAndOverwritesAreBothMatched) {
  {
    History h = ThreeNodes();
    for (uint64_t i = 1; i <= 3; ++i) h.Append(0, 1, i, 1, i == 1 ? 0 : 1, 10 + i);
    h.Append(0, 2, 2, 2, 1, 22);  // Replaces 2 and 3.
    h.Append(0, 2, 3, 2, 2, 23);  // After the replaced 2, of term 2.
    h.Append(0, 2, 5, 2, 9, 25);  // Past a gap: the previous term is not known.
    EXPECT_EQ(h.Violated(), "");
  }
  {
    History h = ThreeNodes();
    for (uint64_t i = 1; i <= 3; ++i) h.Append(0, 1, i, 1, i == 1 ? 0 : 1, 10 + i);
    h.Append(0, 2, 2, 2, 1, 22);
    h.Append(0, 2, 3, 2, 1, 23);  // The log's entry 2 is of term 2 now.
    EXPECT_EQ(h.Violated(), "log matching");
  }
  {
    History h = ThreeNodes();
    for (uint64_t i = 1; i <= 3; ++i) h.Append(0, 1, i, 1, i == 1 ? 0 : 1, 10 + i);
    h.Append(0, 1, 4, 1, 2, 14);  // Right after the last entry, of term 1.
    EXPECT_EQ(h.Violated(), "log matching");
  }
}

// IndexedRun (the checker's logs and records) against a std::map doing the same: its
// inline Emplace (past the last index, or found by offset in a run without gaps) and the
// out-of-line one (gaps, an index below the first, an insert between two) must agree.
TEST(IndexedRunTest, AgreesWithAMap) {
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    uint64_t state = seed;
    auto next = [&state](uint64_t n) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      return (state >> 33) % n;
    };
    internal::IndexedRun<uint64_t> run;
    std::map<uint64_t, uint64_t> reference;
    for (int step = 0; step < 400; ++step) {
      const uint64_t op = next(10);
      if (op < 6) {
        // Mostly near the end, sometimes anywhere (gaps, below the first).
        const uint64_t last = reference.empty() ? 0 : reference.rbegin()->first;
        const uint64_t index = next(4) == 0 ? next(last + 8) : last + next(3);
        const uint64_t value = next(1000);
        auto [slot, inserted] = run.Emplace(index, value);
        auto [it, map_inserted] = reference.emplace(index, value);
        ASSERT_EQ(inserted, map_inserted) << seed << " " << step;
        ASSERT_EQ(slot->index, index);
        ASSERT_EQ(slot->value, it->second);
      } else if (op == 6 && !reference.empty()) {
        const uint64_t from = next(reference.rbegin()->first + 2);
        run.EraseFrom(run.LowerBound(from));
        reference.erase(reference.lower_bound(from), reference.end());
      } else if (op == 7 && !reference.empty()) {
        auto it = reference.begin();
        std::advance(it, next(reference.size()));
        run.EraseThrough(run.Find(it->first));
        reference.erase(reference.begin(), std::next(it));
      } else {
        const uint64_t index = next(reference.empty() ? 4 : reference.rbegin()->first + 4);
        const auto* slot = run.Find(index);
        auto it = reference.find(index);
        ASSERT_EQ(slot != nullptr, it != reference.end()) << seed << " " << step;
        if (slot != nullptr) {
          EXPECT_EQ(slot->value, it->second);
        }
      }
      ASSERT_EQ(run.size(), reference.size());
    }
    auto it = reference.begin();
    for (const auto& slot : run) {
      EXPECT_EQ(slot.index, it->first);
      EXPECT_EQ(slot.value, it->second);
      ++it;
    }
  }
}

}  // namespace
}  // namespace ravensim::checkers::raft
