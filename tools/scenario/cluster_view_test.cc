#include "tools/scenario/cluster_view.h"

#include "gtest/gtest.h"

namespace ravensim::tools {
namespace {

using sim::SimDuration;
using sim::SimTime;

SimTime Ms(int64_t ms) { return SimTime::Zero() + SimDuration::Millis(ms); }

TEST(ClusterViewTest, TracksLeaderAndChanges) {
  ClusterView view(3, {false, false, false});
  std::vector<int32_t> notified;
  view.SetLeaderListener([&](const ClusterView::LeaderChange& c) { notified.push_back(c.node); });
  EXPECT_FALSE(view.leader().has_value());
  view.OnRole(Ms(100), 0, Role::kCandidate, 1);
  view.OnRole(Ms(110), 0, Role::kLeader, 1);
  EXPECT_EQ(view.leader(), 0);
  // B is elected in term 2 while A still believes it leads term 1: B is the leader.
  view.OnRole(Ms(500), 1, Role::kLeader, 2);
  EXPECT_EQ(view.leader(), 1);
  view.OnRole(Ms(520), 0, Role::kFollower, 2);
  EXPECT_EQ(view.leader(), 1);
  view.OnDown(Ms(900), 1);
  EXPECT_FALSE(view.leader().has_value());
  view.OnRole(Ms(1500), 2, Role::kLeader, 3);
  EXPECT_EQ(notified, (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(view.LeaderChangesBetween(Ms(0), Ms(2000)), 3);
  EXPECT_EQ(view.LeaderChangesBetween(Ms(200), Ms(1500)), 1);
  EXPECT_EQ(*view.FirstLeaderAtOrAfter(Ms(0)), Ms(110));
  EXPECT_EQ(*view.FirstLeaderAtOrAfter(Ms(600)), Ms(600));
  EXPECT_EQ(*view.FirstLeaderAtOrAfter(Ms(1000)), Ms(1500));
  // C still leads after 1500 ms.
  EXPECT_EQ(*view.FirstLeaderAtOrAfter(Ms(1600)), Ms(1600));
}

TEST(ClusterViewTest, ATermThatNeverBecameDurableIsForgotten) {
  // C adopts term 12 in memory, its persist fails and it is rebuilt from disk at term
  // 10; A leads term 11 all along and is the leader once C reports the fallback.
  ClusterView view(3, {false, false, false});
  view.OnRole(Ms(100), 0, Role::kLeader, 11);
  view.OnRole(Ms(100), 1, Role::kFollower, 11);
  EXPECT_EQ(view.leader(), 0);
  view.OnRole(Ms(200), 2, Role::kFollower, 12);
  EXPECT_FALSE(view.leader().has_value());  // A may be deposed: C knows a higher term.
  view.OnRole(Ms(201), 2, Role::kFollower, 10);
  EXPECT_EQ(view.leader(), 0);
  EXPECT_EQ(*view.FirstLeaderAtOrAfter(Ms(150)), Ms(150));
  EXPECT_EQ(*view.FirstLeaderAtOrAfter(Ms(200)), Ms(201));
}

// A node removed while cut off ran its term up alone, then learned of its removal and
// went Passive: it is outside the cluster and deposes no one, so the leader the others
// follow is still the leader. (The view used to wait for a higher-term leader that the
// cluster had no reason to elect, and reported no leader to the end of the run.)
TEST(ClusterViewTest, APassiveNodesTermDeposesNoOne) {
  ClusterView view(3, {false, false, false});
  view.OnRole(Ms(100), 0, Role::kLeader, 2);
  view.OnRole(Ms(100), 1, Role::kFollower, 2);
  view.OnRole(Ms(200), 2, Role::kCandidate, 3);
  EXPECT_FALSE(view.leader().has_value());  // A may be deposed: C knows a higher term.
  view.OnRole(Ms(300), 2, Role::kPassive, 3);
  EXPECT_EQ(view.leader(), 0);
  EXPECT_EQ(*view.FirstLeaderAtOrAfter(Ms(200)), Ms(300));
}

TEST(ClusterViewTest, LeadershipSpans) {
  ClusterView view(2, {false, false});
  view.OnRole(Ms(10), 0, Role::kLeader, 1);
  view.OnRole(Ms(50), 0, Role::kFollower, 2);
  view.OnRole(Ms(60), 1, Role::kLeader, 2);
  const auto spans = view.LeadershipSpans(Ms(100));
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].node, 0);
  EXPECT_EQ(spans[0].start, Ms(10));
  EXPECT_EQ(spans[0].end, Ms(50));
  EXPECT_EQ(spans[1].node, 1);
  EXPECT_EQ(spans[1].term, 2u);
  EXPECT_EQ(spans[1].end, Ms(100));
}

TEST(ClusterViewTest, NoLeaderWhenNoneEverElected) {
  ClusterView view(2, {false, false});
  view.OnRole(Ms(10), 0, Role::kCandidate, 1);
  EXPECT_FALSE(view.FirstLeaderAtOrAfter(Ms(0)).has_value());
}

TEST(ClusterViewTest, WatchersThatVoteOrRunAreReported) {
  ClusterView view(3, {false, false, true});
  view.OnVote(Ms(5), 0, 1, 1);
  EXPECT_TRUE(view.watcher_violations().empty());
  view.OnVote(Ms(5), 2, 1, 1);
  view.OnRole(Ms(7), 2, Role::kCandidate, 2);
  ASSERT_EQ(view.watcher_violations().size(), 2u);
  EXPECT_NE(view.watcher_violations()[0].find("watcher C voted for B"), std::string::npos);
  EXPECT_NE(view.watcher_violations()[1].find("watcher C ran for leader"), std::string::npos);
  // Once the leader has accepted a change of C (say, to member), C may vote and run.
  view.OnMembershipChange(2);
  view.OnVote(Ms(9), 2, 1, 3);
  view.OnRole(Ms(9), 2, Role::kCandidate, 4);
  view.OnRole(Ms(10), 2, Role::kLeader, 4);
  EXPECT_EQ(view.watcher_violations().size(), 2u);
  EXPECT_EQ(view.leader(), 2);
}

}  // namespace
}  // namespace ravensim::tools
