// Multi-node behaviour of RachisNode on the TestCluster driver: elections, replication,
// failures, trial elections, watchers, membership, snapshots, recovery, commands.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/rachis/rachis_node.h"
#include "core/rachis/test_cluster.h"
#include "gtest/gtest.h"

namespace ravensim::rachis {
namespace {

constexpr int64_t kMs = TestCluster::kMillis;
constexpr int64_t kSecond = 1000 * kMs;

bool HasLeader(TestCluster& cluster) { return !cluster.Leader().empty(); }

void ExpectSameAppliedOnAll(TestCluster& cluster, size_t expected_count) {
  for (const std::string& tag : cluster.tags()) {
    if (!cluster.up(tag)) continue;
    SCOPED_TRACE(tag);
    EXPECT_EQ(cluster.state_machine(tag).applied().size(), expected_count);
    EXPECT_EQ(cluster.state_machine(tag).applied(), cluster.state_machine("A").applied());
  }
}

TEST(RachisClusterTest, ElectsExactlyOneLeaderAndReplicates) {
  TestCluster cluster({.members = 3});
  ASSERT_TRUE(cluster.RunUntil([&] { return HasLeader(cluster); }, 2 * kSecond));
  EXPECT_EQ(cluster.CountInState(RachisState::kLeader), 1);
  const std::string leader = cluster.Leader();
  for (int i = 0; i < 10; ++i) cluster.Submit(leader, absl::StrCat("r", i), absl::StrCat("c", i));
  cluster.RunFor(500 * kMs);
  for (int i = 0; i < 10; ++i) {
    const CommandResult& result = cluster.results().at(absl::StrCat("r", i));
    EXPECT_EQ(result.outcome, COMMAND_OUTCOME_COMMITTED);
    EXPECT_EQ(result.result, absl::StrCat("ok:c", i));
  }
  ExpectSameAppliedOnAll(cluster, 10);
}

TEST(RachisClusterTest, CommandSubmittedOnFollowerIsForwardedToLeader) {
  TestCluster cluster({.members = 3});
  ASSERT_TRUE(cluster.RunUntil([&] { return HasLeader(cluster); }, 2 * kSecond));
  cluster.RunFor(200 * kMs);  // followers learn the leader
  std::string follower = cluster.Leader() == "A" ? "B" : "A";
  cluster.Submit(follower, "fwd", "x");
  cluster.RunFor(200 * kMs);
  ASSERT_EQ(cluster.results().count("fwd"), 1u);
  EXPECT_EQ(cluster.results().at("fwd").outcome, COMMAND_OUTCOME_COMMITTED);
  EXPECT_GT(cluster.node(follower).mark("command forwarded to leader"), 0);
  ExpectSameAppliedOnAll(cluster, 1);
}

TEST(RachisClusterTest, DuplicateRequestIdIsAppliedOnce) {
  TestCluster cluster({.members = 3});
  ASSERT_TRUE(cluster.RunUntil([&] { return HasLeader(cluster); }, 2 * kSecond));
  const std::string leader = cluster.Leader();
  cluster.Submit(leader, "same", "x");
  cluster.Submit(leader, "same", "x");  // joins the entry in flight
  cluster.RunFor(200 * kMs);
  cluster.Submit(leader, "same", "x");  // answered from the log history
  cluster.RunFor(200 * kMs);
  EXPECT_EQ(cluster.results().at("same").outcome, COMMAND_OUTCOME_COMMITTED);
  ExpectSameAppliedOnAll(cluster, 1);
  EXPECT_GT(cluster.node(leader).mark("submission answered from log history"), 0);
}

// §1.4: the LogHistory keeps the latest Cluster.LogHistoryMaxEntries request ids: a
// retry of one of them is answered from it, a retry of a forgotten one is applied again.
TEST(RachisClusterTest, LogHistoryRemembersOnlyTheLatestRequests) {
  TestCluster cluster({.members = 3, .log_history_max_entries = 3});
  ASSERT_TRUE(cluster.RunUntil([&] { return HasLeader(cluster); }, 2 * kSecond));
  const std::string leader = cluster.Leader();
  for (int i = 0; i < 6; ++i) {
    cluster.Submit(leader, absl::StrCat("request-with-a-long-id-", i), absl::StrCat("c", i));
    cluster.RunFor(400 * kMs);
  }
  ExpectSameAppliedOnAll(cluster, 6);
  // Kept: 3, 4, 5. A retry of 5 gets its original result and is not applied again.
  cluster.Submit(leader, "request-with-a-long-id-5", "c5");
  cluster.RunFor(400 * kMs);
  EXPECT_EQ(cluster.results().at("request-with-a-long-id-5").result, "ok:c5");
  EXPECT_EQ(cluster.node(leader).mark("submission answered from log history"), 1);
  ExpectSameAppliedOnAll(cluster, 6);
  // Forgotten: 0. Its retry is a new command, applied a second time.
  cluster.Submit(leader, "request-with-a-long-id-0", "c0");
  cluster.RunFor(400 * kMs);
  ExpectSameAppliedOnAll(cluster, 7);
  // Now kept: 4, 5, 0 (the retry); 3 was forgotten for it.
  cluster.Submit(leader, "request-with-a-long-id-4", "c4");
  cluster.RunFor(400 * kMs);
  EXPECT_EQ(cluster.node(leader).mark("submission answered from log history"), 2);
  ExpectSameAppliedOnAll(cluster, 7);
  cluster.Submit(leader, "request-with-a-long-id-3", "c3");
  cluster.RunFor(400 * kMs);
  ExpectSameAppliedOnAll(cluster, 8);
}

// §1.4: the LogHistory wraps around its bound many times (the records reuse their
// slots) and is rebuilt from a snapshot on restart: every node, restarted or not,
// answers exactly the latest Cluster.LogHistoryMaxEntries requests from it.
TEST(RachisClusterTest, LogHistoryKeepsTheLatestRequestsThroughWrapsAndRestarts) {
  TestCluster cluster(
      {.members = 3, .snapshot_every_entries = 8, .log_history_max_entries = 4});
  ASSERT_TRUE(cluster.RunUntil([&] { return HasLeader(cluster); }, 2 * kSecond));
  const std::string leader = cluster.Leader();
  const std::string restarted = leader == "C" ? "B" : "C";
  for (int i = 0; i < 30; ++i) {
    cluster.Submit(leader, absl::StrCat("id-", i), absl::StrCat("c", i));
    cluster.RunFor(50 * kMs);
  }
  cluster.RunFor(400 * kMs);
  ExpectSameAppliedOnAll(cluster, 30);
  cluster.Crash(restarted);
  cluster.Restart(restarted);
  cluster.RunFor(500 * kMs);
  ExpectSameAppliedOnAll(cluster, 30);
  for (const std::string& tag : cluster.tags()) {
    const int64_t before = cluster.node(tag).mark("submission answered from log history");
    for (int i = 26; i < 30; ++i) {
      cluster.Submit(tag, absl::StrCat("id-", i), absl::StrCat("c", i));
      EXPECT_EQ(cluster.results().at(absl::StrCat("id-", i)).result, absl::StrCat("ok:c", i))
          << tag;
    }
    EXPECT_EQ(cluster.node(tag).mark("submission answered from log history"), before + 4)
        << tag;
  }
  cluster.RunFor(300 * kMs);
  ExpectSameAppliedOnAll(cluster, 30);
  // id-25 was forgotten everywhere: its retry is applied again.
  cluster.Submit(leader, "id-25", "c25");
  cluster.RunFor(400 * kMs);
  ExpectSameAppliedOnAll(cluster, 31);
}

// §1.3: a partitioned node runs only trial elections, which never persist a term, so on
// rejoin it does not depose the healthy leader.
TEST(RachisClusterTest, TrialElectionsKeepPartitionedNodeFromDisruptingLeader) {
  TestCluster cluster({.members = 5});
  ASSERT_TRUE(cluster.RunUntil([&] { return HasLeader(cluster); }, 2 * kSecond));
  const std::string leader = cluster.Leader();
  const uint64_t term = cluster.node(leader).term();
  const std::string victim = leader == "E" ? "D" : "E";
  cluster.Isolate(victim);
  cluster.RunFor(5 * kSecond);
  EXPECT_EQ(cluster.node(victim).term(), term);
  EXPECT_GT(cluster.node(victim).mark("trial election started"), 3);
  cluster.Heal();
  cluster.RunFor(2 * kSecond);
  EXPECT_EQ(cluster.Leader(), leader);
  EXPECT_EQ(cluster.node(leader).term(), term);
  EXPECT_EQ(cluster.node(victim).state(), RachisState::kFollower);
}

// §1.4: a leader that cannot hear a majority within T steps down (vote of no confidence).
TEST(RachisClusterTest, TwoNodeClusterHaltsOnOneFailure) {
  TestCluster cluster({.members = 2});
  ASSERT_TRUE(cluster.RunUntil([&] { return HasLeader(cluster); }, 2 * kSecond));
  const std::string leader = cluster.Leader();
  const std::string other = leader == "A" ? "B" : "A";
  cluster.Crash(other);
  cluster.RunFor(1 * kSecond);
  EXPECT_NE(cluster.node(leader).state(), RachisState::kLeader);
  EXPECT_GT(cluster.node(leader).mark("vote of no confidence"), 0);
  cluster.Submit(leader, "halted", "x");
  cluster.RunFor(5 * kSecond);
  EXPECT_FALSE(HasLeader(cluster));
  ASSERT_EQ(cluster.results().count("halted"), 1u);
  EXPECT_NE(cluster.results().at("halted").outcome, COMMAND_OUTCOME_COMMITTED);
  EXPECT_EQ(cluster.node(leader).commit_index(), cluster.node(leader).applied_index());
}

TEST(RachisClusterTest, FiveNodesSurviveTwoFailures) {
  TestCluster cluster({.members = 5});
  ASSERT_TRUE(cluster.RunUntil([&] { return HasLeader(cluster); }, 2 * kSecond));
  std::string leader = cluster.Leader();
  cluster.Crash(leader);
  cluster.Crash(leader == "A" ? "B" : "A");
  ASSERT_TRUE(cluster.RunUntil([&] { return HasLeader(cluster); }, 3 * kSecond));
  leader = cluster.Leader();
  cluster.Submit(leader, "survive", "y");
  cluster.RunFor(300 * kMs);
  EXPECT_EQ(cluster.results().at("survive").outcome, COMMAND_OUTCOME_COMMITTED);
}

// §1.1: watchers never vote and never count in a majority.
TEST(RachisClusterTest, WatchersDoNotChangeTheMajority) {
  TestCluster cluster({.members = 3, .watchers = 2});
  ASSERT_TRUE(cluster.RunUntil([&] { return HasLeader(cluster); }, 2 * kSecond));
  std::string leader = cluster.Leader();
  EXPECT_TRUE(leader == "A" || leader == "B" || leader == "C");
  cluster.Submit(leader, "before", "1");
  cluster.RunFor(300 * kMs);
  EXPECT_EQ(cluster.results().at("before").outcome, COMMAND_OUTCOME_COMMITTED);
  EXPECT_EQ(cluster.state_machine("D").applied().size(), 1u);  // watchers replicate
  // Two members down: three of five nodes are up, but only one of three voters.
  for (std::string tag : {"A", "B", "C"}) {
    if (tag != leader) cluster.Crash(tag);
  }
  cluster.RunFor(3 * kSecond);
  EXPECT_FALSE(HasLeader(cluster));
  EXPECT_EQ(cluster.node("D").state(), RachisState::kFollower);
  EXPECT_EQ(cluster.node("E").state(), RachisState::kFollower);
  EXPECT_EQ(cluster.node("D").mark("trial election started"), 0);
}

TEST(RachisClusterTest, ClusterRecoversFromCrashOfEveryNode) {
  TestCluster cluster({.members = 3});
  ASSERT_TRUE(cluster.RunUntil([&] { return HasLeader(cluster); }, 2 * kSecond));
  for (int i = 0; i < 5; ++i) cluster.Submit(cluster.Leader(), absl::StrCat("r", i), "v");
  cluster.RunFor(300 * kMs);
  for (const std::string& tag : cluster.tags()) cluster.Crash(tag);
  for (const std::string& tag : cluster.tags()) cluster.Restart(tag);
  // The log survived on disk; the commit index is re-learned from the new leader.
  ASSERT_TRUE(cluster.RunUntil([&] { return HasLeader(cluster); }, 3 * kSecond));
  cluster.RunFor(300 * kMs);
  ExpectSameAppliedOnAll(cluster, 5);
  cluster.Submit(cluster.Leader(), "after", "w");
  cluster.RunFor(300 * kMs);
  ExpectSameAppliedOnAll(cluster, 6);
}

// §1.4: a follower too far behind a compacted log gets InstallSnapshot.
TEST(RachisClusterTest, LaggingFollowerCatchesUpThroughSnapshot) {
  TestCluster cluster({.members = 3, .snapshot_every_entries = 8});
  ASSERT_TRUE(cluster.RunUntil([&] { return HasLeader(cluster); }, 2 * kSecond));
  const std::string leader = cluster.Leader();
  const std::string lagging = leader == "C" ? "B" : "C";
  cluster.Isolate(lagging);
  for (int i = 0; i < 40; ++i) {
    cluster.Submit(leader, absl::StrCat("r", i), absl::StrCat("c", i));
    cluster.RunFor(5 * kMs);
  }
  cluster.RunFor(300 * kMs);
  EXPECT_GT(cluster.node(leader).log().snapshot_index(), 8u);
  cluster.Heal();
  cluster.RunFor(2 * kSecond);
  EXPECT_GT(cluster.node(leader).mark("leader sent snapshot"), 0);
  EXPECT_GT(cluster.node(lagging).mark("follower installed snapshot"), 0);
  EXPECT_EQ(cluster.node(lagging).applied_index(), cluster.node(leader).applied_index());
  EXPECT_EQ(cluster.state_machine(lagging).applied(), cluster.state_machine(leader).applied());
  // The snapshot survives a restart of the lagging node: it restores the state machine
  // at once, and the entries after it are applied again once the leader's commit
  // index arrives.
  cluster.Crash(lagging);
  cluster.Restart(lagging);
  EXPECT_GE(cluster.node(lagging).applied_index(), cluster.node(lagging).log().snapshot_index());
  EXPECT_GT(cluster.node(lagging).applied_index(), 8u);
  cluster.RunFor(300 * kMs);
  EXPECT_EQ(cluster.state_machine(lagging).applied(), cluster.state_machine(leader).applied());
}

// §1.4: after a partition heals, the old leader's uncommitted suffix is replaced.
TEST(RachisClusterTest, DeposedLeaderNegotiatesAndDropsUncommittedSuffix) {
  TestCluster cluster({.members = 3});
  ASSERT_TRUE(cluster.RunUntil([&] { return HasLeader(cluster); }, 2 * kSecond));
  const std::string old_leader = cluster.Leader();
  cluster.Isolate(old_leader);
  cluster.Submit(old_leader, "lost", "never");  // cannot commit in a minority
  ASSERT_TRUE(cluster.RunUntil(
      [&] { return !cluster.Leader().empty() && cluster.Leader() != old_leader; },
      3 * kSecond));
  const std::string new_leader = cluster.Leader();
  for (int i = 0; i < 3; ++i) cluster.Submit(new_leader, absl::StrCat("n", i), "kept");
  cluster.RunFor(300 * kMs);
  cluster.Heal();
  cluster.RunFor(1 * kSecond);
  EXPECT_EQ(cluster.results().at("lost").outcome, COMMAND_OUTCOME_UNKNOWN);
  EXPECT_GT(cluster.node(old_leader).mark("follower truncated conflicting suffix"), 0);
  EXPECT_GT(cluster.node(new_leader).mark("leader negotiating with follower"), 0);
  ExpectSameAppliedOnAll(cluster, 3);
}

// §1.5: a single bootstrapped node adds others as promotables, which are promoted once
// their log matches; one topology change at a time; tags are generated.
TEST(RachisClusterTest, MembershipAddPromoteRemove) {
  TestCluster cluster({.members = 3, .bootstrap_all = false});
  ASSERT_TRUE(cluster.RunUntil([&] { return cluster.Leader() == "A"; }, 2 * kSecond));
  EXPECT_EQ(cluster.node("B").state(), RachisState::kPassive);
  RachisNode& a = cluster.node("A");
  absl::StatusOr<std::string> b = a.ModifyTopology(cluster.now(), "", 1, NodeKind::kPromotable);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(*b, "B");
  absl::StatusOr<std::string> busy = a.ModifyTopology(cluster.now(), "", 2, NodeKind::kPromotable);
  EXPECT_EQ(busy.status().code(), absl::StatusCode::kFailedPrecondition);
  cluster.Drain("A");
  ASSERT_TRUE(cluster.RunUntil([&] { return a.topology().IsMember("B"); }, 2 * kSecond));
  EXPECT_GT(a.mark("promotable promoted to member"), 0);
  cluster.RunFor(100 * kMs);
  absl::StatusOr<std::string> c = a.ModifyTopology(cluster.now(), "", 2, NodeKind::kPromotable);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(*c, "C");
  cluster.Drain("A");
  ASSERT_TRUE(cluster.RunUntil([&] { return a.topology().members.size() == 3; }, 2 * kSecond));
  EXPECT_EQ(a.topology().last_node_id, "C");
  cluster.Submit("A", "r", "x");
  cluster.RunFor(300 * kMs);
  ExpectSameAppliedOnAll(cluster, 1);
  // Cannot modify the leader itself; can remove another node, which goes Passive.
  EXPECT_FALSE(a.ModifyTopology(cluster.now(), "A", -1, NodeKind::kRemove).ok());
  ASSERT_TRUE(a.ModifyTopology(cluster.now(), "C", -1, NodeKind::kRemove).ok());
  cluster.Drain("A");
  cluster.RunFor(1 * kSecond);
  EXPECT_EQ(cluster.node("C").state(), RachisState::kPassive);
  EXPECT_EQ(a.topology().members.size(), 2u);
  EXPECT_EQ(cluster.Leader(), "A");
}

// A liveness hazard that follows from two of RavenDB's rules, modelled as they are
// (scenarios/cluster/uncommitted_removal_no_leader.textproto): a topology entry takes
// effect on append (§1.5), and an elector denies its vote to a requester its own
// topology does not list, saying NotInTopology only while it leads (§1.3 rule 3).
// Leader L removes F2 while F1 is down and F2 cannot hear it (so F2 misses its last
// append), and crashes before the removal can commit; F2, never told, is elected with
// F1 and demotes F1. Then L (topology {L, F1}) needs F1, whose log is ahead; F2 (voters
// {L, F2}) needs L, which does not know it: no election can ever succeed.
TEST(RachisClusterTest, UncommittedRemovalThenDemotionLeavesNoElectableMajority) {
  TestCluster cluster({.members = 3});
  ASSERT_TRUE(cluster.RunUntil([&] { return HasLeader(cluster); }, 2 * kSecond));
  cluster.RunFor(200 * kMs);
  const std::string l = cluster.Leader();
  std::vector<std::string> others;
  for (const std::string& tag : cluster.tags()) {
    if (tag != l) others.push_back(tag);
  }
  const std::string f1 = others[0];
  const std::string f2 = others[1];
  cluster.Crash(f1);
  cluster.Cut(l, f2);
  ASSERT_TRUE(cluster.node(l).ModifyTopology(cluster.now(), f2, -1, NodeKind::kRemove).ok());
  EXPECT_EQ(cluster.node(l).mark("removed node sent its removal"), 1);  // lost on the cut
  cluster.Drain(l);  // durable on L's disk
  EXPECT_FALSE(cluster.node(l).topology().Contains(f2));
  const uint64_t l_last_term = cluster.node(l).log().LastTerm();
  cluster.Crash(l);
  cluster.RunFor(500 * kMs);  // what L sent to F1 and F2 is lost
  cluster.Heal();
  cluster.Restart(f1);
  ASSERT_TRUE(cluster.RunUntil([&] { return cluster.Leader() == f2; }, 3 * kSecond));
  cluster.RunFor(100 * kMs);  // F2's no-op is on F1: F1's last log term is above L's
  EXPECT_GT(cluster.node(f1).log().LastTerm(), l_last_term);
  ASSERT_TRUE(
      cluster.node(f2).ModifyTopology(cluster.now(), f1, -1, NodeKind::kPromotable).ok());
  cluster.Drain(f2);
  cluster.RunFor(1 * kSecond);  // F2 cannot reach L, the other voter: it steps down
  EXPECT_FALSE(HasLeader(cluster));
  cluster.Restart(l);
  EXPECT_FALSE(cluster.node(l).topology().Contains(f2));
  cluster.RunFor(30 * kSecond);
  EXPECT_FALSE(HasLeader(cluster));
  EXPECT_GT(cluster.node(l).mark("vote denied: requester not in my topology"), 0);
  EXPECT_GT(cluster.node(f1).mark("vote denied: my last log term is higher"), 0);
  // L is no leader, so its NotInTopology is not authoritative: F2 keeps campaigning.
  EXPECT_NE(cluster.node(f2).state(), RachisState::kPassive);
  EXPECT_TRUE(cluster.node(f2).topology().IsMember(l));
}

// §1.5: the removed node's ambassador, woken by the new entry before it is disposed,
// sends it the removal; the node goes Passive at once instead of after an election
// timeout (when a leader's NotInTopology would tell it). An ambassador waiting for a
// reply sends nothing more.
TEST(RachisClusterTest, RemovedNodeIsSentItsRemovalWhenItsAmbassadorIsIdle) {
  TestCluster cluster({.members = 3});
  ASSERT_TRUE(cluster.RunUntil([&] { return HasLeader(cluster); }, 2 * kSecond));
  cluster.RunFor(200 * kMs);  // idle between heartbeats (one every 100 ms, replies in ~1 ms)
  const std::string l = cluster.Leader();
  const std::string removed = l == "C" ? "B" : "C";
  ASSERT_TRUE(cluster.node(l).ModifyTopology(cluster.now(), removed, -1, NodeKind::kRemove).ok());
  EXPECT_EQ(cluster.node(l).mark("removed node sent its removal"), 1);
  cluster.Drain(l);
  cluster.RunFor(20 * kMs);
  EXPECT_EQ(cluster.node(removed).state(), RachisState::kPassive);
  EXPECT_EQ(cluster.node(removed).mark("removed from topology"), 1);
  EXPECT_FALSE(cluster.node(removed).topology().Contains(removed));

  // With the append in flight (sent, not yet answered) nothing more goes out, and the
  // node is told only later, by a denied vote.
  TestCluster busy({.members = 3});
  ASSERT_TRUE(busy.RunUntil([&] { return HasLeader(busy); }, 2 * kSecond));
  busy.RunFor(200 * kMs);
  const std::string leader = busy.Leader();
  const std::string other = leader == "C" ? "B" : "C";
  busy.Submit(leader, "r", "x");  // an append to every follower, in flight
  ASSERT_TRUE(busy.node(leader).ModifyTopology(busy.now(), other, -1, NodeKind::kRemove).ok());
  EXPECT_EQ(busy.node(leader).mark("removed node sent its removal"), 0);
  busy.Drain(leader);
  busy.RunFor(20 * kMs);
  EXPECT_NE(busy.node(other).state(), RachisState::kPassive);
  EXPECT_TRUE(busy.node(other).topology().Contains(other));
  busy.RunFor(2 * kSecond);
  EXPECT_EQ(busy.node(other).state(), RachisState::kPassive);
  EXPECT_EQ(busy.node(other).mark("removed from topology"), 0);
}

TEST(RachisClusterTest, StepDownHandsLeadershipToAnotherVoter) {
  TestCluster cluster({.members = 3});
  ASSERT_TRUE(cluster.RunUntil([&] { return HasLeader(cluster); }, 2 * kSecond));
  cluster.RunFor(200 * kMs);
  const std::string leader = cluster.Leader();
  const int64_t asked = cluster.now();
  ASSERT_TRUE(cluster.node(leader).StepDown(cluster.now()).ok());
  cluster.Drain(leader);
  ASSERT_TRUE(cluster.RunUntil(
      [&] { return HasLeader(cluster) && cluster.Leader() != leader; }, 1 * kSecond));
  // The chosen voter campaigned when its leader's append asked it to, not after an
  // election timeout (at least 2/3·T = 200 ms).
  EXPECT_LT(cluster.now() - asked, 50 * kMs);
  const std::string next = cluster.Leader();
  EXPECT_EQ(cluster.node(next).mark("forced election on leader's request"), 1);
  EXPECT_EQ(cluster.node(leader).mark("leader stepped down"), 1);
}

TEST(RachisClusterTest, SubmissionToUnreachableLeaderEndsUnknownAfterTimeout) {
  TestCluster cluster({.members = 3});
  ASSERT_TRUE(cluster.RunUntil([&] { return HasLeader(cluster); }, 2 * kSecond));
  cluster.RunFor(200 * kMs);
  const std::string leader = cluster.Leader();
  const std::string follower = leader == "A" ? "B" : "A";
  cluster.Cut(follower, leader);
  cluster.Submit(follower, "lost-forward", "x");
  cluster.RunFor(16 * kSecond);
  ASSERT_EQ(cluster.results().count("lost-forward"), 1u);
  EXPECT_NE(cluster.results().at("lost-forward").outcome, COMMAND_OUTCOME_COMMITTED);
}

}  // namespace
}  // namespace ravensim::rachis
