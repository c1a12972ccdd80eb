// ClusterTopology: who is in the Rachis cluster and with which vote (RAVENDB_MODEL.md §1.1,
// §1.5). A plain value; tags are ordered maps so iteration order is deterministic.
//
// Invariant: a tag appears in at most one of members, promotables, watchers.
#ifndef RAVENSIM_CORE_RACHIS_CLUSTER_TOPOLOGY_H_
#define RAVENSIM_CORE_RACHIS_CLUSTER_TOPOLOGY_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/rachis/rachis.pb.h"

namespace ravensim::rachis {

// How a node takes part: Member votes; Promotable catches up and is promoted; Watcher
// (NonVoter) never votes (§1.1). kRemove is the "remove" modification of §1.5.
enum class NodeKind { kMember, kPromotable, kWatcher, kRemove };

struct ClusterTopology {
  std::string topology_id;
  std::map<std::string, int32_t> members;      // tag -> node id
  std::map<std::string, int32_t> promotables;  // tag -> node id
  std::map<std::string, int32_t> watchers;     // tag -> node id
  std::string last_node_id;                    // lexicographic max of all tags
  int64_t etag = 0;

  static ClusterTopology FromProto(const ClusterTopologyProto& proto);
  ClusterTopologyProto ToProto() const;

  bool Contains(const std::string& tag) const;
  bool IsMember(const std::string& tag) const { return members.count(tag) > 0; }
  // Node id of `tag` in any role.
  std::optional<int32_t> NodeIdOf(const std::string& tag) const;
  // Every tag, sorted.
  std::vector<std::string> AllTags() const;
  std::vector<std::string> MemberTags() const;
  // Voters needed for a decision: members/2 + 1 (§1.3 step 4: (voters_excl_self+1)/2+1
  // with the candidate itself a member gives the same number).
  int Majority() const { return static_cast<int>(members.size()) / 2 + 1; }

  // A copy with `tag` moved to `kind` (or removed), LastNodeId recomputed and etag set.
  ClusterTopology With(const std::string& tag, int32_t node_id, NodeKind kind,
                       int64_t new_etag) const;
};

// Node tags: 1-4 uppercase letters, "RAFT" reserved (§1.5).
absl::Status ValidateNodeTag(const std::string& tag);

// GenerateNodeTag (§1.5): "" -> "A"; increment the last letter; past "Z" append "A"
// ("Z" -> "ZA", "ZZ" -> "ZZA"). Skips the reserved "RAFT".
std::string NextNodeTag(const std::string& last_node_id);

}  // namespace ravensim::rachis

#endif  // RAVENSIM_CORE_RACHIS_CLUSTER_TOPOLOGY_H_
