#include "core/rachis/cluster_topology.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"

namespace ravensim::rachis {
namespace {

void FillNodes(const std::map<std::string, int32_t>& from,
               google::protobuf::RepeatedPtrField<TopologyNode>* to) {
  for (const auto& [tag, node_id] : from) {
    TopologyNode* node = to->Add();
    node->set_tag(tag);
    node->set_node_id(node_id);
  }
}

std::map<std::string, int32_t> ReadNodes(
    const google::protobuf::RepeatedPtrField<TopologyNode>& from) {
  std::map<std::string, int32_t> out;
  for (const TopologyNode& node : from) out[node.tag()] = node.node_id();
  return out;
}

}  // namespace

ClusterTopology ClusterTopology::FromProto(const ClusterTopologyProto& proto) {
  ClusterTopology topology;
  topology.topology_id = proto.topology_id();
  topology.members = ReadNodes(proto.members());
  topology.promotables = ReadNodes(proto.promotables());
  topology.watchers = ReadNodes(proto.watchers());
  topology.last_node_id = proto.last_node_id();
  topology.etag = proto.etag();
  return topology;
}

ClusterTopologyProto ClusterTopology::ToProto() const {
  ClusterTopologyProto proto;
  proto.set_topology_id(topology_id);
  FillNodes(members, proto.mutable_members());
  FillNodes(promotables, proto.mutable_promotables());
  FillNodes(watchers, proto.mutable_watchers());
  proto.set_last_node_id(last_node_id);
  proto.set_etag(etag);
  return proto;
}

bool ClusterTopology::Contains(const std::string& tag) const {
  return members.count(tag) > 0 || promotables.count(tag) > 0 || watchers.count(tag) > 0;
}

std::optional<int32_t> ClusterTopology::NodeIdOf(const std::string& tag) const {
  for (const auto* group : {&members, &promotables, &watchers}) {
    auto it = group->find(tag);
    if (it != group->end()) return it->second;
  }
  return std::nullopt;
}

std::vector<std::string> ClusterTopology::AllTags() const {
  std::vector<std::string> tags;
  for (const auto* group : {&members, &promotables, &watchers}) {
    for (const auto& [tag, node_id] : *group) tags.push_back(tag);
  }
  std::sort(tags.begin(), tags.end());
  return tags;
}

std::vector<std::string> ClusterTopology::MemberTags() const {
  std::vector<std::string> tags;
  for (const auto& [tag, node_id] : members) tags.push_back(tag);
  return tags;
}

ClusterTopology ClusterTopology::With(const std::string& tag, int32_t node_id,
                                      NodeKind kind, int64_t new_etag) const {
  ClusterTopology next = *this;
  next.members.erase(tag);
  next.promotables.erase(tag);
  next.watchers.erase(tag);
  switch (kind) {
    case NodeKind::kMember: next.members[tag] = node_id; break;
    case NodeKind::kPromotable: next.promotables[tag] = node_id; break;
    case NodeKind::kWatcher: next.watchers[tag] = node_id; break;
    case NodeKind::kRemove: break;
  }
  // LastNodeId = lexicographic max of all tags ever seen; never moves backwards so a
  // removed node's tag is not handed out again (§1.5).
  for (const std::string& t : next.AllTags()) {
    if (t > next.last_node_id) next.last_node_id = t;
  }
  next.etag = new_etag;
  return next;
}

absl::Status ValidateNodeTag(const std::string& tag) {
  if (tag.empty() || tag.size() > 4) {
    return absl::InvalidArgumentError(
        absl::StrCat("node tag '", tag, "' must be 1-4 uppercase letters"));
  }
  for (char c : tag) {
    if (c < 'A' || c > 'Z') {
      return absl::InvalidArgumentError(
          absl::StrCat("node tag '", tag, "' must be 1-4 uppercase letters"));
    }
  }
  if (tag == "RAFT") {
    return absl::InvalidArgumentError("node tag 'RAFT' is reserved");
  }
  return absl::OkStatus();
}

std::string NextNodeTag(const std::string& last_node_id) {
  std::string tag;
  if (last_node_id.empty()) {
    tag = "A";
  } else if (last_node_id.back() == 'Z') {
    tag = last_node_id + "A";
  } else {
    tag = last_node_id;
    tag.back() = static_cast<char>(tag.back() + 1);
  }
  if (tag == "RAFT") return NextNodeTag(tag);
  return tag;
}

}  // namespace ravensim::rachis
