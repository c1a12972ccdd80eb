#include "tools/scenario/cluster_view.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "tools/scenario/scenario_loader.h"

namespace ravensim::tools {

ClusterView::ClusterView(int32_t node_count, std::vector<bool> watchers)
    : node_count_(node_count), watchers_(std::move(watchers)), nodes_(node_count) {
  CHECK_EQ(static_cast<int32_t>(watchers_.size()), node_count);
}

std::optional<int32_t> ClusterView::LeaderOf(const std::vector<NodeState>& nodes) {
  uint64_t max_term = 0;
  for (const NodeState& n : nodes) {
    if (n.role != Role::kPassive) max_term = std::max(max_term, n.term);
  }
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].up && nodes[i].role == Role::kLeader && nodes[i].term == max_term) {
      return static_cast<int32_t>(i);
    }
  }
  return std::nullopt;
}

void ClusterView::OnRole(sim::SimTime time, int32_t node, Role role, uint64_t term) {
  CHECK_GE(node, 0);
  CHECK_LT(node, node_count_);
  NodeState& n = nodes_[node];
  n.role = role;
  // The term the node holds now, not the highest it ever held: a node rebuilt or
  // restarted from its disk reports the durable term, lower than one it had adopted in
  // memory if persisting that failed or a crash came first (that term never took
  // effect: nothing that depends on it was sent).
  n.term = term;
  n.up = true;
  events_.push_back(Event{time, node, n});
  if (watchers_[node] && (role == Role::kCandidate || role == Role::kLeader)) {
    watcher_violations_.push_back(absl::StrCat(
        "watcher ", NodeTag(node), role == Role::kLeader ? " became leader" : " ran for leader",
        " in term ", term, " at ", sim::FormatSimTime(time)));
  }
  const std::optional<int32_t> leader = LeaderOf(nodes_);
  if (leader.has_value() &&
      (leader != last_leader_ || nodes_[*leader].term != last_leader_term_)) {
    const LeaderChange change{time, *leader, nodes_[*leader].term};
    leader_changes_.push_back(change);
    last_leader_ = leader;
    last_leader_term_ = change.term;
    if (listener_) listener_(change);
  }
}

void ClusterView::OnMembershipChange(int32_t node) {
  CHECK_GE(node, 0);
  CHECK_LT(node, node_count_);
  watchers_[node] = false;
}

void ClusterView::OnDown(sim::SimTime time, int32_t node) {
  CHECK_GE(node, 0);
  CHECK_LT(node, node_count_);
  nodes_[node].role = Role::kFollower;
  nodes_[node].up = false;
  events_.push_back(Event{time, node, nodes_[node]});
}

void ClusterView::OnVote(sim::SimTime time, int32_t voter, int32_t candidate, uint64_t term) {
  CHECK_GE(voter, 0);
  CHECK_LT(voter, node_count_);
  if (watchers_[voter]) {
    watcher_violations_.push_back(absl::StrCat("watcher ", NodeTag(voter), " voted for ",
                                               candidate >= 0 ? NodeTag(candidate) : "?",
                                               " in term ", term, " at ",
                                               sim::FormatSimTime(time)));
  }
}

std::optional<int32_t> ClusterView::leader() const { return LeaderOf(nodes_); }

int64_t ClusterView::LeaderChangesBetween(sim::SimTime from, sim::SimTime to) const {
  int64_t count = 0;
  for (const LeaderChange& c : leader_changes_) {
    if (c.time >= from && c.time < to) ++count;
  }
  return count;
}

std::optional<sim::SimTime> ClusterView::FirstLeaderAtOrAfter(sim::SimTime from) const {
  std::vector<NodeState> nodes(node_count_);
  size_t i = 0;
  for (; i < events_.size() && events_[i].time <= from; ++i) {
    nodes[events_[i].node] = events_[i].state;
  }
  if (LeaderOf(nodes).has_value()) return from;
  for (; i < events_.size(); ++i) {
    nodes[events_[i].node] = events_[i].state;
    if (LeaderOf(nodes).has_value()) return events_[i].time;
  }
  return std::nullopt;
}

std::vector<ClusterView::LeadershipSpan> ClusterView::LeadershipSpans(sim::SimTime end) const {
  // A span per (node, term) from becoming Leader until it reports another role, goes
  // down, or the run ends.
  std::vector<LeadershipSpan> spans;
  std::vector<int> open(node_count_, -1);
  for (const Event& e : events_) {
    const bool leading = e.state.up && e.state.role == Role::kLeader;
    int& index = open[e.node];
    if (index >= 0 && (!leading || spans[index].term != e.state.term)) {
      spans[index].end = e.time;
      index = -1;
    }
    if (leading && index < 0) {
      spans.push_back(LeadershipSpan{e.node, e.state.term, e.time, end});
      index = static_cast<int>(spans.size()) - 1;
    }
  }
  return spans;
}

}  // namespace ravensim::tools
