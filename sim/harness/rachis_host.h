// RachisHost: hosts one RachisNode (core/rachis) in the simulated world, as a
// harness::Node (sim/harness/node.h).
//
// What it does for the node:
//  * Persistence: every Ready's durable part (snapshot, log append, hard state) becomes
//    framed, checksummed records (core/rachis/persistence.h) appended to the disk log
//    kLogName, with an fsync; the Ready's messages and client results ride in the same
//    Effects and are sent only after the fsync (persist-before-send). The node gets no
//    new Ready until OnPersisted, so nothing is sent ahead of the state it depends on.
//  * A failed write or fsync is treated as a crash of the in-memory node: the host
//    rebuilds the RachisNode from the records known durable, and truncates the disk log
//    back to them (a synced Truncate) before going on.
//  * Recovery: Start() replays the disk log; a torn last record is dropped (never
//    applied) and the log is truncated back to the good prefix before anything new is
//    appended. A bad record followed by good ones is corruption of durable data: the
//    node halts (halted() is true; it ignores every input) rather than run with a
//    state that may have forgotten a vote.
//  * Time: the node's clock is the Context's monotonic time; one timer (kTickTimer) is
//    kept at RachisNode::NextDeadlineNanos().
//  * Randomness: the election timeout draws come from a sim::Prng seeded with the
//    per-incarnation seed the World hands to Start().
//  * Wire: RachisWire protobufs (rachis_wire.proto); Rachis messages go to the node id
//    named in the topology; ClientRequest from a client node is Submit()ted and its
//    outcome returned as ClientResponse to that client.
//  * Observations: every core observation becomes a harness Observation of kind
//    "rachis.<kind>" whose detail is a serialized checkers::raft::RaftObservation
//    (decode with DecodeRachisObservation, rachis_observations.h).
//
// Construction (a NodeFactory builds one per boot and restart):
//   RachisHostOptions options{.tag = "A", .bootstrap_topology = topology};
//   auto host = std::make_unique<RachisHost>(options);
// The bootstrap topology is used only at first boot (incarnation 1) with an empty disk;
// a node whose disk was wiped comes back with no topology (Passive, as in RavenDB).
//
// Thread-compatible; driven by the World from the simulation thread.
#ifndef RAVENSIM_SIM_HARNESS_RACHIS_HOST_H_
#define RAVENSIM_SIM_HARNESS_RACHIS_HOST_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/rachis/rachis_node.h"
#include "sim/harness/node.h"
#include "sim/harness/rachis_wire.pb.h"
#include "sim/prng.h"

namespace ravensim::harness {

struct RachisHostOptions {
  std::string tag;
  // The cluster a fresh node starts in (members/promotables/watchers with node ids).
  // Empty topology_id: the node starts Passive and waits to be added.
  rachis::ClusterTopologyProto bootstrap_topology;
  int64_t election_timeout_ns = 300'000'000;
  int64_t operation_timeout_ns = 15'000'000'000;
  // Compaction copies the whole request-id history (LogHistoryMaxEntries, 4096) into the
  // snapshot, so compacting once per history's worth of entries bounds that copy to
  // about one history entry per applied entry.
  uint64_t snapshot_every_entries = 4096;
  int max_entries_per_append = 128;
  // Builds the state machine for each incarnation; default: cluster::RegisterStateMachine.
  std::function<std::unique_ptr<rachis::RachisStateMachine>()> state_machine_factory;
};

// The wire bytes of RachisWire{rachis = message}, built without copying the message.
std::string EncodeRachisWire(const rachis::RachisMessage& message);

class RachisHost : public Node {
 public:
  static constexpr char kLogName[] = "rachis.log";
  static constexpr uint64_t kTickTimer = 1;

  explicit RachisHost(RachisHostOptions options);
  ~RachisHost() override;

  void Start(const Context& context, const sim::DiskImage& disk, uint64_t seed,
             Effects* effects) override;
  void OnMessage(const Context& context, NodeId from, std::string_view bytes,
                 Effects* effects) override;
  void OnTimer(const Context& context, uint64_t tag, Effects* effects) override;
  void OnPersisted(const Context& context, uint64_t persist_id, const absl::Status& status,
                   Effects* effects) override;
  void OnPeerDisconnected(const Context& context, NodeId peer, Effects* effects) override;

  // Introspection for runners and tests. REQUIRES: Start() was called.
  const rachis::RachisNode& rachis() const { return *node_; }
  rachis::RachisNode& mutable_rachis() { return *node_; }
  const rachis::RachisStateMachine& state_machine() const { return *state_machine_; }
  const std::string& tag() const { return options_.tag; }
  bool halted() const { return halted_; }
  // Counters of operating errors handled (bad wire bytes, Step errors, persist failures,
  // torn records dropped at recovery).
  const std::map<std::string, int64_t>& counters() const { return counters_; }

 private:
  void Rebuild(const Context& context, const rachis::RestoredState& restored);
  void Pump(const Context& context, Effects* effects);
  void EmitReady(const rachis::Ready& ready, Effects* effects);
  void ArmTimer(Effects* effects);
  void TruncateToDurable(Effects* effects);
  void Count(const std::string& name) { ++counters_[name]; }

  RachisHostOptions options_;
  uint64_t incarnation_ = 0;
  std::optional<sim::Prng> prng_;
  std::unique_ptr<rachis::RachisStateMachine> state_machine_;
  std::unique_ptr<rachis::RachisNode> node_;
  // Records known durable, in disk order (the image a rebuild restarts from).
  std::vector<std::string> durable_records_;
  // The Ready whose records are being persisted, and those records.
  std::optional<rachis::Ready> awaiting_;
  std::vector<std::string> awaiting_records_;
  bool truncate_pending_ = false;
  bool halted_ = false;
  uint64_t next_persist_id_ = 1;
  uint64_t awaiting_persist_id_ = 0;
  int64_t armed_deadline_ns_ = -1;
  std::map<std::string, NodeId> client_of_request_;
  std::map<std::string, int64_t> counters_;
};

}  // namespace ravensim::harness

#endif  // RAVENSIM_SIM_HARNESS_RACHIS_HOST_H_
