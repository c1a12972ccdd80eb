#include "core/rachis/cluster_topology.h"

#include "gtest/gtest.h"

namespace ravensim::rachis {
namespace {

TEST(ClusterTopologyTest, NodeTagsFollowRavenDbSequence) {
  EXPECT_EQ(NextNodeTag(""), "A");
  EXPECT_EQ(NextNodeTag("A"), "B");
  EXPECT_EQ(NextNodeTag("Y"), "Z");
  EXPECT_EQ(NextNodeTag("Z"), "ZA");
  EXPECT_EQ(NextNodeTag("ZA"), "ZB");
  EXPECT_EQ(NextNodeTag("ZZ"), "ZZA");
  EXPECT_EQ(NextNodeTag("RAFS"), "RAFU");  // "RAFT" is reserved
}

TEST(ClusterTopologyTest, ValidatesTags) {
  EXPECT_TRUE(ValidateNodeTag("A").ok());
  EXPECT_TRUE(ValidateNodeTag("ZZZZ").ok());
  EXPECT_FALSE(ValidateNodeTag("").ok());
  EXPECT_FALSE(ValidateNodeTag("ABCDE").ok());
  EXPECT_FALSE(ValidateNodeTag("a").ok());
  EXPECT_FALSE(ValidateNodeTag("RAFT").ok());
}

TEST(ClusterTopologyTest, WithMovesNodesBetweenRolesAndKeepsLastNodeId) {
  ClusterTopology topology;
  topology.topology_id = "t";
  topology.members = {{"A", 0}};
  ClusterTopology added = topology.With("B", 1, NodeKind::kPromotable, 7);
  EXPECT_EQ(added.promotables.count("B"), 1u);
  EXPECT_EQ(added.last_node_id, "B");
  EXPECT_EQ(added.etag, 7);
  ClusterTopology promoted = added.With("B", 1, NodeKind::kMember, 8);
  EXPECT_TRUE(promoted.IsMember("B"));
  EXPECT_EQ(promoted.promotables.size(), 0u);
  EXPECT_EQ(promoted.Majority(), 2);
  ClusterTopology removed = promoted.With("B", 1, NodeKind::kRemove, 9);
  EXPECT_FALSE(removed.Contains("B"));
  EXPECT_EQ(removed.last_node_id, "B");  // never reused
  ClusterTopology watcher = removed.With("C", 2, NodeKind::kWatcher, 10);
  EXPECT_EQ(watcher.Majority(), 1);  // watchers never count
  EXPECT_EQ(ClusterTopology::FromProto(watcher.ToProto()).ToProto().SerializeAsString(),
            watcher.ToProto().SerializeAsString());
}

}  // namespace
}  // namespace ravensim::rachis
