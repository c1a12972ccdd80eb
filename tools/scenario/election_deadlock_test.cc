#include "tools/scenario/election_deadlock.h"

#include "gtest/gtest.h"

namespace ravensim::tools {
namespace {

ElectorState Node(std::string tag, std::vector<std::string> members, uint64_t last_term,
                  uint64_t last_index) {
  ElectorState s;
  s.tag = std::move(tag);
  s.members = members;
  s.listed = std::move(members);
  s.last_log_term = last_term;
  s.last_log_index = last_index;
  return s;
}

// The end of deposed_leader_removal_no_leader: A, cut off at term 1, removed C; C,
// elected in term 2, removed B, which went Passive on appending it.
std::vector<ElectorState> DeposedLeaderTrap() {
  std::vector<ElectorState> nodes = {Node("A", {"A", "B"}, 1, 2),
                                     Node("B", {"A", "C"}, 2, 7),
                                     Node("C", {"A", "C"}, 2, 8)};
  nodes[1].passive = true;
  return nodes;
}

TEST(ElectionDeadlockTest, RemovalsThatNeverCommittedLeaveNoElectableNode) {
  EXPECT_EQ(ElectionDeadlock(DeposedLeaderTrap()),
            "A needs 2 of A B, B denies (log ahead); "
            "C needs 2 of A C, A denies (C not in its topology)");
}

// The end of uncommitted_removal_no_leader: A, cut off, removed B and crashed; B,
// elected without knowing it, demoted C to promotable.
TEST(ElectionDeadlockTest, RemovalThenDemotionLeavesNoElectableNode) {
  std::vector<ElectorState> nodes = {Node("A", {"A", "C"}, 1, 40),
                                     Node("B", {"A", "B"}, 2, 45),
                                     Node("C", {"A", "B"}, 2, 44)};
  nodes[1].listed.push_back("C");
  nodes[2].listed.push_back("C");
  EXPECT_EQ(ElectionDeadlock(nodes),
            "A needs 2 of A C, C denies (log ahead); "
            "B needs 2 of A B, A denies (B not in its topology)");
}

TEST(ElectionDeadlockTest, ANodeThatCanWinEndsIt) {
  // A lists C (as a promotable, say): C's log is ahead of A's, so A may vote for C.
  std::vector<ElectorState> nodes = DeposedLeaderTrap();
  nodes[0].listed.push_back("C");
  EXPECT_EQ(ElectionDeadlock(nodes), "");
  // B's log no further than A's: A can win with B's vote.
  nodes = DeposedLeaderTrap();
  nodes[1].last_log_term = 1;
  nodes[1].last_log_index = 2;
  EXPECT_EQ(ElectionDeadlock(nodes), "");
  // A wiped voter grants any vote (Elector rule 2).
  nodes = DeposedLeaderTrap();
  nodes[1].wiped = true;
  EXPECT_EQ(ElectionDeadlock(nodes), "");
}

TEST(ElectionDeadlockTest, OnlyWithEveryNodeUpAndTopologiesThatDisagree) {
  std::vector<ElectorState> nodes = DeposedLeaderTrap();
  nodes[2].up = false;  // C may come back with anything: not judged
  EXPECT_EQ(ElectionDeadlock(nodes), "");
  // Three nodes that agree on their topology: whoever has the longest log can win
  // (the analysis does not judge clusters that agree).
  nodes = {Node("A", {"A", "B", "C"}, 3, 9), Node("B", {"A", "B", "C"}, 3, 9),
           Node("C", {"A", "B", "C"}, 2, 4)};
  EXPECT_EQ(ElectionDeadlock(nodes), "");
}

TEST(ElectionDeadlockTest, PassiveNodesAndNonMembersDoNotRun) {
  // Only B could run, and it needs A, which does not list it.
  std::vector<ElectorState> nodes = {Node("A", {"A", "C"}, 1, 1),
                                     Node("B", {"A", "B"}, 1, 1),
                                     Node("C", {"A", "B"}, 1, 1)};
  nodes[0].passive = true;
  nodes[2].passive = true;
  EXPECT_EQ(ElectionDeadlock(nodes), "B needs 2 of A B, A denies (B not in its topology)");
  // Not a member of its own topology (a promotable): B does not run either.
  nodes[1].members = {"A", "C"};
  nodes[1].listed = {"A", "B", "C"};
  EXPECT_EQ(ElectionDeadlock(nodes), "");
}

}  // namespace
}  // namespace ravensim::tools
