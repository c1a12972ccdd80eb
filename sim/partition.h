// sim::Reachability and the named partition shapes (DESIGN.md §3, "Partitions").
//
// A Reachability is a directed matrix over nodes 0..N-1: CanReach(a, b) says whether
// bytes sent by a arrive at b. A node always reaches itself. Arbitrary groupings and
// one-way cuts are built with Cut / Link / Groups; the named shapes below are computed
// from the *current* cluster membership passed in by the caller (sim/ knows nothing of
// Raft, so "isolate the leader" takes the leader id from the caller).
//
// Shapes only affect the nodes listed in `members`: every other node (typically the
// clients) keeps reaching, and being reached by, everybody. The shapes are
// deterministic functions of the order of `members`; shuffle it with a Prng first for a
// random assignment.
//
// Thread-compatible value type.
#ifndef RAVENSIM_SIM_PARTITION_H_
#define RAVENSIM_SIM_PARTITION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "sim/network_types.h"

namespace ravensim::sim {

class Reachability {
 public:
  // Fully connected over `node_count` nodes. REQUIRES: node_count >= 0.
  explicit Reachability(int32_t node_count = 0);

  int32_t node_count() const { return node_count_; }

  // REQUIRES: 0 <= from, to < node_count().
  bool CanReach(NodeId from, NodeId to) const {
    return reach_[static_cast<size_t>(from) * node_count_ + to] != 0;
  }
  // Both directions (what a TCP connection needs: data one way, acks the other).
  bool Connected(NodeId a, NodeId b) const { return CanReach(a, b) && CanReach(b, a); }

  // One-way: from -> to dropped (to -> from unchanged). Cutting a node from itself is a
  // no-op.
  void Cut(NodeId from, NodeId to);
  void Link(NodeId from, NodeId to);
  void CutBoth(NodeId a, NodeId b) { Cut(a, b); Cut(b, a); }
  void LinkBoth(NodeId a, NodeId b) { Link(a, b); Link(b, a); }

  bool fully_connected() const;
  // Number of ordered pairs (a != b) with CanReach(a, b) false.
  int64_t cut_count() const;

  // One row per node, "0: 1 1 0" style, for traces and failure messages.
  std::string ToString() const;
  // A short stable digest of the matrix (for trace events).
  uint64_t Digest() const;

  friend bool operator==(const Reachability& a, const Reachability& b) {
    return a.node_count_ == b.node_count_ && a.reach_ == b.reach_;
  }

 private:
  int32_t node_count_;
  std::vector<uint8_t> reach_;  // Row-major [from][to]; Invariant: diagonal is 1.
};

// Members of the same group reach each other; members of different groups do not.
// Members listed in no group are isolated; nodes not in any group and not in `members`
// are untouched. REQUIRES: groups are disjoint subsets of members; ids in range.
Reachability GroupsShape(int32_t node_count, const std::vector<NodeId>& members,
                         const std::vector<std::vector<NodeId>>& groups);

// `isolated` can neither reach nor be reached by the other members.
// REQUIRES: isolated is in members.
Reachability IsolateNodeShape(int32_t node_count, const std::vector<NodeId>& members,
                              NodeId isolated);

// The caller tells who the Raft leader is (sim/ does not know). Same as IsolateNodeShape.
Reachability IsolateLeaderShape(int32_t node_count, const std::vector<NodeId>& members,
                                NodeId leader);

// Two sides: the first (n-1)/2 members (the minority) and the rest (the majority).
// REQUIRES: members.size() >= 2.
Reachability MajorityMinorityShape(int32_t node_count, const std::vector<NodeId>& members);

// Every member sees a majority (itself included), and no two members see the same set
// (Jepsen's majorities-ring). Members sit on a ring in the given order; each is linked
// (both ways) to the nearest d = ceil((n/2) / 2) members on each side. For n = 3 a
// ring is a triangle (everyone sees everyone), so the path m0 - m1 - m2 is used
// instead. REQUIRES: members.size() >= 3.
Reachability MajoritiesRingShape(int32_t node_count, const std::vector<NodeId>& members);

// Two halves joined by one node: with h = (n-1)/2, members[0..h) and members[h+1..n) do
// not see each other; members[h] (the bridge) sees both. REQUIRES: members.size() >= 3.
Reachability BridgeShape(int32_t node_count, const std::vector<NodeId>& members);

// Named shapes, for scenarios and random fault schedules.
enum class PartitionShape {
  kHeal,
  kIsolateNode,
  kIsolateLeader,
  kMajorityMinority,
  kMajoritiesRing,
  kBridge,
};
const char* PartitionShapeName(PartitionShape shape);

// Dispatches to the functions above. `target` is the node to isolate for kIsolateNode
// and the leader for kIsolateLeader; ignored otherwise.
Reachability ComputeShape(PartitionShape shape, int32_t node_count,
                          const std::vector<NodeId>& members, NodeId target);

}  // namespace ravensim::sim

#endif  // RAVENSIM_SIM_PARTITION_H_
