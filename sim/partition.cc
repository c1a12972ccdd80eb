#include "sim/partition.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "sim/trace.h"

namespace ravensim::sim {
namespace {

void CheckMembers(int32_t node_count, const std::vector<NodeId>& members) {
  std::vector<uint8_t> seen(static_cast<size_t>(node_count), 0);
  for (NodeId m : members) {
    CHECK_GE(m, 0);
    CHECK_LT(m, node_count);
    CHECK_MSG(seen[m] == 0, "node ", m, " listed twice in partition members");
    seen[m] = 1;
  }
}

// Cuts every pair of distinct members both ways (the start of every shape).
Reachability AllMembersCut(int32_t node_count, const std::vector<NodeId>& members) {
  CheckMembers(node_count, members);
  Reachability r(node_count);
  for (NodeId a : members) {
    for (NodeId b : members) r.Cut(a, b);
  }
  return r;
}

}  // namespace

Reachability::Reachability(int32_t node_count)
    : node_count_(node_count),
      reach_(static_cast<size_t>(node_count) * static_cast<size_t>(node_count), 1) {
  CHECK_GE(node_count, 0);
}

void Reachability::Cut(NodeId from, NodeId to) {
  CHECK_GE(from, 0);
  CHECK_LT(from, node_count_);
  CHECK_GE(to, 0);
  CHECK_LT(to, node_count_);
  if (from == to) return;
  reach_[static_cast<size_t>(from) * node_count_ + to] = 0;
}

void Reachability::Link(NodeId from, NodeId to) {
  CHECK_GE(from, 0);
  CHECK_LT(from, node_count_);
  CHECK_GE(to, 0);
  CHECK_LT(to, node_count_);
  reach_[static_cast<size_t>(from) * node_count_ + to] = 1;
}

bool Reachability::fully_connected() const { return cut_count() == 0; }

int64_t Reachability::cut_count() const {
  int64_t cuts = 0;
  for (uint8_t r : reach_) cuts += r == 0 ? 1 : 0;
  return cuts;
}

std::string Reachability::ToString() const {
  std::string out;
  for (NodeId from = 0; from < node_count_; ++from) {
    absl::StrAppend(&out, from, ":");
    for (NodeId to = 0; to < node_count_; ++to) {
      absl::StrAppend(&out, CanReach(from, to) ? " 1" : " 0");
    }
    out += '\n';
  }
  return out;
}

uint64_t Reachability::Digest() const {
  uint64_t h = Fnv1a64Word(static_cast<uint64_t>(node_count_), kFnv1a64Offset);
  return Fnv1a64(std::string_view(reinterpret_cast<const char*>(reach_.data()),
                                  reach_.size()),
                 h);
}

Reachability GroupsShape(int32_t node_count, const std::vector<NodeId>& members,
                         const std::vector<std::vector<NodeId>>& groups) {
  Reachability r = AllMembersCut(node_count, members);
  std::vector<uint8_t> grouped(static_cast<size_t>(node_count), 0);
  for (const std::vector<NodeId>& group : groups) {
    for (NodeId a : group) {
      CHECK_MSG(std::find(members.begin(), members.end(), a) != members.end(),
                "node ", a, " is in a group but not a member");
      CHECK_MSG(grouped[a] == 0, "node ", a, " is in two groups");
      grouped[a] = 1;
      for (NodeId b : group) r.Link(a, b);
    }
  }
  return r;
}

Reachability IsolateNodeShape(int32_t node_count, const std::vector<NodeId>& members,
                              NodeId isolated) {
  std::vector<NodeId> rest;
  bool found = false;
  for (NodeId m : members) {
    if (m == isolated) {
      found = true;
    } else {
      rest.push_back(m);
    }
  }
  CHECK_MSG(found, "node ", isolated, " to isolate is not a member");
  return GroupsShape(node_count, members, {{isolated}, rest});
}

Reachability IsolateLeaderShape(int32_t node_count, const std::vector<NodeId>& members,
                                NodeId leader) {
  return IsolateNodeShape(node_count, members, leader);
}

Reachability MajorityMinorityShape(int32_t node_count,
                                   const std::vector<NodeId>& members) {
  CHECK_GE(members.size(), 2u);
  const size_t minority = (members.size() - 1) / 2;
  std::vector<NodeId> small(members.begin(), members.begin() + minority);
  std::vector<NodeId> large(members.begin() + minority, members.end());
  return GroupsShape(node_count, members, {small, large});
}

Reachability MajoritiesRingShape(int32_t node_count, const std::vector<NodeId>& members) {
  CHECK_GE(members.size(), 3u);
  Reachability r = AllMembersCut(node_count, members);
  const int64_t n = static_cast<int64_t>(members.size());
  if (n == 3) {
    // A triangle would let everyone see everyone: use the path m0 - m1 - m2.
    r.LinkBoth(members[0], members[1]);
    r.LinkBoth(members[1], members[2]);
    return r;
  }
  const int64_t half = n / 2;
  const int64_t reach = (half + 1) / 2;  // ceil(half / 2)
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t k = 1; k <= reach; ++k) {
      r.LinkBoth(members[i], members[(i + k) % n]);
    }
  }
  return r;
}

Reachability BridgeShape(int32_t node_count, const std::vector<NodeId>& members) {
  CHECK_GE(members.size(), 3u);
  const size_t h = (members.size() - 1) / 2;
  std::vector<NodeId> left(members.begin(), members.begin() + h);
  std::vector<NodeId> right(members.begin() + h + 1, members.end());
  const NodeId bridge = members[h];
  Reachability r = GroupsShape(node_count, members, {left, right});
  for (NodeId m : members) r.LinkBoth(bridge, m);
  return r;
}

const char* PartitionShapeName(PartitionShape shape) {
  switch (shape) {
    case PartitionShape::kHeal: return "heal";
    case PartitionShape::kIsolateNode: return "isolate-node";
    case PartitionShape::kIsolateLeader: return "isolate-leader";
    case PartitionShape::kMajorityMinority: return "majority-minority";
    case PartitionShape::kMajoritiesRing: return "majorities-ring";
    case PartitionShape::kBridge: return "bridge";
  }
  return "unknown";
}

Reachability ComputeShape(PartitionShape shape, int32_t node_count,
                          const std::vector<NodeId>& members, NodeId target) {
  switch (shape) {
    case PartitionShape::kHeal: return Reachability(node_count);
    case PartitionShape::kIsolateNode: return IsolateNodeShape(node_count, members, target);
    case PartitionShape::kIsolateLeader:
      return IsolateLeaderShape(node_count, members, target);
    case PartitionShape::kMajorityMinority: return MajorityMinorityShape(node_count, members);
    case PartitionShape::kMajoritiesRing: return MajoritiesRingShape(node_count, members);
    case PartitionShape::kBridge: return BridgeShape(node_count, members);
  }
  CHECK_UNREACHABLE("bad partition shape");
}

}  // namespace ravensim::sim
