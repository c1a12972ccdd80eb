#include "sim/partition.h"

#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace ravensim::sim {
namespace {

std::vector<NodeId> Members(int n) {
  std::vector<NodeId> m;
  for (int i = 0; i < n; ++i) m.push_back(i);
  return m;
}

// Rows of '1'/'0', one string per node, for literal expectations.
std::vector<std::string> Rows(const Reachability& r) {
  std::vector<std::string> rows;
  for (NodeId a = 0; a < r.node_count(); ++a) {
    std::string row;
    for (NodeId b = 0; b < r.node_count(); ++b) row += r.CanReach(a, b) ? '1' : '0';
    rows.push_back(row);
  }
  return rows;
}

std::set<NodeId> View(const Reachability& r, NodeId a) {
  std::set<NodeId> v;
  for (NodeId b = 0; b < r.node_count(); ++b) {
    if (r.Connected(a, b)) v.insert(b);
  }
  return v;
}

TEST(ReachabilityTest, StartsFullyConnectedAndCutsAreOneWay) {
  Reachability r(3);
  EXPECT_TRUE(r.fully_connected());
  r.Cut(0, 1);
  EXPECT_FALSE(r.CanReach(0, 1));
  EXPECT_TRUE(r.CanReach(1, 0));
  EXPECT_FALSE(r.Connected(0, 1));
  EXPECT_EQ(r.cut_count(), 1);
  r.Cut(2, 2);  // A node always reaches itself.
  EXPECT_TRUE(r.CanReach(2, 2));
  r.Link(0, 1);
  EXPECT_TRUE(r.fully_connected());
}

TEST(ReachabilityTest, DigestDistinguishesMatrices) {
  Reachability a(3);
  Reachability b(3);
  b.Cut(0, 2);
  EXPECT_NE(a.Digest(), b.Digest());
  a.Cut(0, 2);
  EXPECT_EQ(a.Digest(), b.Digest());
  EXPECT_EQ(a, b);
}

TEST(ShapeTest, IsolateNodeForThreeFiveSeven) {
  for (int n : {3, 5, 7}) {
    const Reachability r = IsolateNodeShape(n, Members(n), 1);
    for (NodeId a = 0; a < n; ++a) {
      for (NodeId b = 0; b < n; ++b) {
        const bool expected = a == b || (a != 1 && b != 1);
        EXPECT_EQ(r.CanReach(a, b), expected) << n << ": " << a << "->" << b;
      }
    }
  }
  EXPECT_EQ(Rows(IsolateLeaderShape(3, Members(3), 2)),
            (std::vector<std::string>{"110", "110", "001"}));
}

TEST(ShapeTest, MajorityMinority) {
  EXPECT_EQ(Rows(MajorityMinorityShape(3, Members(3))),
            (std::vector<std::string>{"100", "011", "011"}));
  EXPECT_EQ(Rows(MajorityMinorityShape(5, Members(5))),
            (std::vector<std::string>{"11000", "11000", "00111", "00111", "00111"}));
  EXPECT_EQ(Rows(MajorityMinorityShape(7, Members(7))),
            (std::vector<std::string>{"1110000", "1110000", "1110000", "0001111",
                                      "0001111", "0001111", "0001111"}));
}

TEST(ShapeTest, MajoritiesRingLiteral) {
  EXPECT_EQ(Rows(MajoritiesRingShape(3, Members(3))),
            (std::vector<std::string>{"110", "111", "011"}));
  EXPECT_EQ(Rows(MajoritiesRingShape(5, Members(5))),
            (std::vector<std::string>{"11001", "11100", "01110", "00111", "10011"}));
  EXPECT_EQ(Rows(MajoritiesRingShape(7, Members(7))),
            (std::vector<std::string>{"1110011", "1111001", "1111100", "0111110",
                                      "0011111", "1001111", "1100111"}));
}

TEST(ShapeTest, MajoritiesRingEveryNodeSeesADifferentMajority) {
  for (int n = 3; n <= 9; ++n) {
    const Reachability r = MajoritiesRingShape(n, Members(n));
    std::set<std::set<NodeId>> views;
    for (NodeId a = 0; a < n; ++a) {
      const std::set<NodeId> v = View(r, a);
      EXPECT_GE(static_cast<int>(v.size()), n / 2 + 1) << "n=" << n << " node " << a;
      views.insert(v);
      for (NodeId b = 0; b < n; ++b) EXPECT_EQ(r.CanReach(a, b), r.CanReach(b, a));
    }
    EXPECT_EQ(static_cast<int>(views.size()), n) << "n=" << n;
  }
}

TEST(ShapeTest, Bridge) {
  EXPECT_EQ(Rows(BridgeShape(3, Members(3))),
            (std::vector<std::string>{"110", "111", "011"}));
  EXPECT_EQ(Rows(BridgeShape(5, Members(5))),
            (std::vector<std::string>{"11100", "11100", "11111", "00111", "00111"}));
  EXPECT_EQ(Rows(BridgeShape(7, Members(7))),
            (std::vector<std::string>{"1111000", "1111000", "1111000", "1111111",
                                      "0001111", "0001111", "0001111"}));
}

TEST(ShapeTest, ShapesFollowTheMemberOrderAndLeaveNonMembersAlone) {
  // Cluster {4, 2, 0} among 6 nodes; 1, 3, 5 are clients.
  const Reachability r = MajorityMinorityShape(6, {4, 2, 0});
  EXPECT_FALSE(r.Connected(4, 2));
  EXPECT_FALSE(r.Connected(4, 0));
  EXPECT_TRUE(r.Connected(2, 0));
  for (NodeId client : {1, 3, 5}) {
    for (NodeId other = 0; other < 6; ++other) EXPECT_TRUE(r.Connected(client, other));
  }
}

TEST(ShapeTest, GroupsLeaveUnlistedMembersIsolated) {
  const Reachability r = GroupsShape(4, Members(4), {{0, 1}, {2}});
  EXPECT_TRUE(r.Connected(0, 1));
  EXPECT_FALSE(r.Connected(1, 2));
  EXPECT_FALSE(r.Connected(3, 0));
  EXPECT_FALSE(r.Connected(3, 2));
}

TEST(ShapeTest, ComputeShapeDispatches) {
  EXPECT_TRUE(ComputeShape(PartitionShape::kHeal, 5, Members(5), kNoNode).fully_connected());
  EXPECT_EQ(ComputeShape(PartitionShape::kIsolateLeader, 5, Members(5), 3),
            IsolateNodeShape(5, Members(5), 3));
  EXPECT_EQ(ComputeShape(PartitionShape::kBridge, 5, Members(5), kNoNode),
            BridgeShape(5, Members(5)));
  EXPECT_STREQ(PartitionShapeName(PartitionShape::kMajoritiesRing), "majorities-ring");
}

}  // namespace
}  // namespace ravensim::sim
