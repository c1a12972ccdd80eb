// RachisWorld: a harness World populated with Rachis cluster nodes (RachisHost) and
// clients (ClusterClient), with the Raft invariant checker attached to the observation
// stream and the clients' operations recorded. Used by the seed sweep, the benchmark
// and tests; scenario runners may use it or wire RachisHost/ClusterClient themselves.
//
//   RachisWorld rw({.seed = 7, .members = 5, .clients = 3});
//   rw.world().Start();
//   rw.world().RunFor(SimDuration::Seconds(5));
//   EXPECT_TRUE(rw.checker().Result().ok);
//
// Node ids: 0..members+watchers-1 are cluster nodes (tags A, B, ...; members first),
// the clients follow. Optional link chaos (`message_loss`, `message_duplication`) drops
// or duplicates whole messages between cluster nodes at the sender, on top of the
// network's own faults (the World's links are connections, which never lose or
// duplicate by themselves).
//
// Thread-compatible; one per simulation.
#ifndef RAVENSIM_SIM_HARNESS_RACHIS_WORLD_H_
#define RAVENSIM_SIM_HARNESS_RACHIS_WORLD_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "checkers/raft/raft_invariant_checker.h"
#include "core/rachis/rachis_node.h"
#include "sim/harness/cluster_client.h"
#include "sim/harness/rachis_host.h"
#include "sim/harness/world.h"

namespace ravensim::harness {

struct RachisWorldOptions {
  uint64_t seed = 1;
  int members = 5;
  int watchers = 0;
  int clients = 3;
  int64_t election_timeout_ns = 300'000'000;
  // Compaction copies the whole request-id history (LogHistoryMaxEntries, 4096) into the
  // snapshot, so compacting once per history's worth of entries bounds that copy to
  // about one history entry per applied entry.
  uint64_t snapshot_every_entries = 4096;
  int64_t client_think_time_mean_ns = 30'000'000;
  int64_t client_attempt_timeout_ns = 1'000'000'000;
  int64_t client_operation_timeout_ns = 5'000'000'000;
  int register_keys = 5;
  bool recoverable = true;
  bool check_invariants = true;
  sim::Ratio message_loss = sim::Ratio::Never();
  sim::Ratio message_duplication = sim::Ratio::Never();
  sim::NetworkOptions network;
  sim::DiskOptions disk;
  sim::TraceOptions trace;
};

class RachisWorld {
 public:
  explicit RachisWorld(const RachisWorldOptions& options);
  RachisWorld(const RachisWorld&) = delete;
  RachisWorld& operator=(const RachisWorld&) = delete;

  World& world() { return *world_; }
  int cluster_size() const { return options_.members + options_.watchers; }
  std::vector<NodeId> client_ids() const;
  // The live host of a cluster node, or nullptr (down).
  RachisHost* host(NodeId node);
  ClusterClient* client(NodeId node);
  // The up node in state Leader with the highest term, or kNoNode.
  NodeId Leader();
  const checkers::raft::RaftInvariantChecker& checker() const { return checker_; }
  // Completed client operations (return records), in completion order. (A deque: the
  // records, moved in as they complete, are never moved again as it grows.)
  const std::deque<ClientOperation>& returns() const { return returns_; }
  int64_t invoked() const { return invoked_; }
  int64_t acknowledged() const { return acknowledged_; }
  void SetClientsActive(bool active);

  // After faults healed: true if a leader exists and every operation acknowledged ok is
  // applied on every up cluster node (same entry at the acknowledged index, as the
  // checker saw it committed). `why` says what is missing.
  bool AckedAppliedEverywhere(std::string* why);

 private:
  std::unique_ptr<Node> MakeNode(NodeId id);

  RachisWorldOptions options_;
  rachis::ClusterTopologyProto topology_;
  // The hosts' nodes keep RachisOptions' default LogHistory.
  checkers::raft::RaftInvariantChecker checker_{
      {.log_history_max_entries = rachis::kDefaultLogHistoryMaxEntries}};
  std::deque<ClientOperation> returns_;
  int64_t invoked_ = 0;
  int64_t acknowledged_ = 0;
  std::unique_ptr<World> world_;
};

}  // namespace ravensim::harness

#endif  // RAVENSIM_SIM_HARNESS_RACHIS_WORLD_H_
