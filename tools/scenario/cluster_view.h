// ClusterView: the runner's picture of Rachis leadership over true time, built from the
// nodes' state-change observations (never from node internals). It answers what fault
// targets and triggers need ("the current leader", "the leader changed") and what the
// liveness checks measure (when a leader existed, how often leadership changed), and
// records who voted, so that a watcher that votes or runs for leader is caught (a
// configured watcher, until a membership event changes it).
//
// Leader: a node whose last reported state is Leader, whose process is up, and whose term
// is the highest of the terms the nodes last reported (a deposed leader that has not
// heard of the new term yet is not "the" leader), Passive nodes aside: a node outside
// the cluster (removed, say, after it had run up its term alone) deposes no one. A
// node's term is the one it last reported: it falls back when the node is rebuilt from
// its disk after a failed persist or a crash, since a term that never became durable
// never took effect.
//
// Thread-compatible; one per run.
#ifndef RAVENSIM_TOOLS_SCENARIO_CLUSTER_VIEW_H_
#define RAVENSIM_TOOLS_SCENARIO_CLUSTER_VIEW_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/time.h"

namespace ravensim::tools {

// kPassive: outside the cluster (never joined, or removed); kOther: LeaderElect.
enum class Role { kFollower, kCandidate, kLeader, kPassive, kOther };

class ClusterView {
 public:
  struct LeaderChange {
    sim::SimTime time;
    int32_t node = -1;
    uint64_t term = 0;
  };
  struct LeadershipSpan {
    int32_t node = -1;
    uint64_t term = 0;
    sim::SimTime start;
    sim::SimTime end;
  };

  // REQUIRES: watchers.size() == node_count.
  ClusterView(int32_t node_count, std::vector<bool> watchers);

  // A node reported its Rachis state.
  void OnRole(sim::SimTime time, int32_t node, Role role, uint64_t term);
  // The node's process stopped (crash, wipe) or came back.
  void OnDown(sim::SimTime time, int32_t node);
  // A node granted its vote (a real election) to `candidate` in `term`.
  void OnVote(sim::SimTime time, int32_t voter, int32_t candidate, uint64_t term);
  // The leader accepted a topology change of `node`. A configured watcher stops being
  // checked from here on: once changed it may legitimately vote and lead, and when
  // each node learns of the change is the nodes' business (the Raft invariant checker
  // follows each node's own topology).
  void OnMembershipChange(int32_t node);

  // Called whenever a node becomes the leader (for triggers). Set before the run.
  void SetLeaderListener(std::function<void(const LeaderChange&)> listener) {
    listener_ = std::move(listener);
  }

  std::optional<int32_t> leader() const;
  // A node's last reported role and term, and whether its process is up.
  Role role(int32_t node) const { return nodes_[node].role; }
  uint64_t term(int32_t node) const { return nodes_[node].term; }
  bool up(int32_t node) const { return nodes_[node].up; }
  const std::vector<LeaderChange>& leader_changes() const { return leader_changes_; }
  // Leader changes with time in [from, to).
  int64_t LeaderChangesBetween(sim::SimTime from, sim::SimTime to) const;
  // The earliest time >= `from` at which there was a leader, or nullopt.
  std::optional<sim::SimTime> FirstLeaderAtOrAfter(sim::SimTime from) const;
  // Every leadership span, the last ones closed at `end`.
  std::vector<LeadershipSpan> LeadershipSpans(sim::SimTime end) const;
  // Descriptions of watchers that ran for leader, led, or voted.
  const std::vector<std::string>& watcher_violations() const { return watcher_violations_; }

 private:
  struct NodeState {
    Role role = Role::kFollower;
    uint64_t term = 0;
    bool up = true;
  };
  struct Event {
    sim::SimTime time;
    int32_t node;
    NodeState state;
  };
  static std::optional<int32_t> LeaderOf(const std::vector<NodeState>& nodes);

  int32_t node_count_;
  std::vector<bool> watchers_;
  std::vector<NodeState> nodes_;
  std::vector<Event> events_;  // Every state change, in time order.
  std::vector<LeaderChange> leader_changes_;
  std::optional<int32_t> last_leader_;
  uint64_t last_leader_term_ = 0;
  std::vector<std::string> watcher_violations_;
  std::function<void(const LeaderChange&)> listener_;
};

}  // namespace ravensim::tools

#endif  // RAVENSIM_TOOLS_SCENARIO_CLUSTER_VIEW_H_
