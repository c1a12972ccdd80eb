// RachisHost: hosts one RachisNode (core/rachis) in the simulated world, as a
// harness::Node (sim/harness/node.h).
//
// What it does for the node:
//  * Persistence: every Ready's durable part (snapshot, log append, hard state) becomes
//    framed, checksummed records (core/rachis/persistence.h) appended to the current
//    log segment, with an fsync; the Ready's messages and client results ride in the
//    same Effects and are sent only after the fsync (persist-before-send). The node gets
//    no new Ready until OnPersisted, so nothing is sent ahead of the state it depends on.
//  * Segments and compaction: the log lives in segments SegmentName(1), (2), ... A Ready
//    that carries a snapshot (compaction or InstallSnapshot), and the first Ready of an
//    empty disk, start a new segment whose base restores the whole durable state: the
//    snapshot, the durable hard state and the durable entries above the snapshot
//    (EncodeSegmentBase), then the Ready's own records, then a SegmentSealed record,
//    all in one Effects with one fsync. Only once that is durable is the new segment
//    current; the older one is then deleted (Truncate to 0, synced) by a later Effects
//    (the next persist, or one of its own). The host keeps only the current segment's
//    records, so disk and memory hold about one snapshot interval of records.
//  * A failed write or fsync is treated as a crash of the in-memory node: the host
//    rebuilds the RachisNode from the records known durable, and puts the disk back to
//    them (a synced Truncate of the current segment, deleting any segment it had begun)
//    before going on.
//  * Recovery: Start() restores from the highest-numbered sealed segment
//    (RecoverFromSegments); lower segments and higher unsealed ones (a compaction cut
//    short) are deleted, and a torn last record of the current segment is dropped
//    (never applied) and truncated away, all synced before anything new is appended. A
//    bad record followed by good ones (or a lost seal) is corruption of durable data:
//    the node halts (halted() is true; it ignores every input) rather than run with a
//    state that may have forgotten a vote.
//  * Time: the node's clock is the Context's monotonic time; one timer (kTickTimer) is
//    kept at RachisNode::NextDeadlineNanos().
//  * Randomness: the election timeout draws come from a sim::Prng seeded with the
//    per-incarnation seed the World hands to Start().
//  * Wire: RachisWire protobufs (rachis_wire.proto); Rachis messages go to the node id
//    named in the topology; ClientRequest from a client node is Submit()ted and its
//    outcome returned as ClientResponse to that client. The host sends in process, as
//    bodies (rachis_wire.h): its node's messages as RachisMessageBody, responses as
//    RachisWireBody; it accepts either body, and bytes.
//  * Observations: every core observation becomes a harness Observation of kind
//    "rachis.<kind>" whose detail is a serialized checkers::raft::RaftObservation
//    (decode with DecodeRachisObservation, rachis_observations.h, into a view). A
//    runner that checks them may instead take their views as they are emitted
//    (RachisHostOptions::observation_views).
//
// Construction (a NodeFactory builds one per boot and restart):
//   RachisHostOptions options{.tag = "A", .bootstrap_topology = topology};
//   auto host = std::make_unique<RachisHost>(options);
// The bootstrap topology stands for the cluster's setup before the run, as durable as
// anything on the original disk: a node restarting with that disk still empty (it
// crashed before its first fsync) boots with it again. A node whose disk was wiped (a
// replaced machine, DiskImage::replaced) comes back with no topology (Passive, as in
// RavenDB).
//
// Thread-compatible; driven by the World from the simulation thread.
#ifndef RAVENSIM_SIM_HARNESS_RACHIS_HOST_H_
#define RAVENSIM_SIM_HARNESS_RACHIS_HOST_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "checkers/raft/raft_observation_view.h"
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
  // If set, called with the view of each core observation as the host emits it
  // (as AppendRachisObservations hands them out: what DecodeRachisObservation would
  // give of its record, but time_ns and node, left 0), in emission order. The World calls its
  // observer with the records once the call returns, at the same simulated time and
  // before any other node runs, so a checker fed from here sees what it would see from
  // the observer, in the same order, without parsing every record back.
  std::function<void(checkers::raft::RaftObservationView&)> observation_views;
};

class RachisHost : public Node {
 public:
  // Log segments are named kLogPrefix + "." + six or more digits ("rachis.000001"),
  // fixed width so that the disk's name order is the numeric order. Every DiskWrite
  // carries its segment's name: up to eight digits, the name fits in a std::string's
  // inline room (15 bytes), so naming a write allocates nothing.
  static constexpr char kLogPrefix[] = "rachis";
  static std::string SegmentName(uint64_t number);
  // The number of a segment name; false for any other name.
  static bool ParseSegmentName(const std::string& name, uint64_t* number);
  static constexpr uint64_t kTickTimer = 1;

  explicit RachisHost(RachisHostOptions options);
  ~RachisHost() override;

  void Start(const Context& context, const sim::DiskImage& disk, uint64_t seed,
             Effects* effects) override;
  void OnMessage(const Context& context, NodeId from, std::string_view bytes,
                 Effects* effects) override;
  void OnMessageBody(const Context& context, NodeId from, const sim::MessageBody& body,
                     Effects* effects) override;
  void OnTimer(const Context& context, uint64_t tag, Effects* effects) override;
  void OnPersisted(const Context& context, uint64_t persist_id, const absl::Status& status,
                   Effects* effects) override;
  void OnPeerDisconnected(const Context& context, NodeId peer, Effects* effects) override;

  // An operator's topology change (TryModifyTopology, RAVENDB_MODEL.md §1.5) asked of
  // this node, which must be the leader; call it through World::Command, which carries
  // out `effects`. Returns the node's answer (the tag changed, or why not).
  absl::StatusOr<std::string> ModifyTopology(const Context& context, const std::string& tag,
                                             int32_t node_id, rachis::NodeKind kind,
                                             Effects* effects);

  // An operator's request that this node, the leader, step down (StepDown, §1.5);
  // through World::Command as ModifyTopology.
  absl::Status StepDown(const Context& context, Effects* effects);

  // Introspection for runners and tests. REQUIRES: Start() was called.
  const rachis::RachisNode& rachis() const { return *node_; }
  const rachis::RachisStateMachine& state_machine() const { return *state_machine_; }
  const std::string& tag() const { return options_.tag; }
  bool halted() const { return halted_; }
  // Counters of operating errors handled (bad wire bytes, Step errors, persist failures,
  // torn records dropped at recovery).
  const std::map<std::string, int64_t>& counters() const { return counters_; }
  // The current segment (0: nothing written yet) and its records known durable.
  uint64_t segment() const { return segment_; }
  int64_t durable_record_count() const { return durable_record_count_; }
  // What recovery from the current segment's durable records gives (kept in memory, by
  // applying each synced Ready's records as recovery would replay them).
  const rachis::RestoredState& durable_state() { return FullDurableState(); }

 private:
  void Rebuild(const Context& context, const rachis::RestoredState& restored);
  void Pump(const Context& context, Effects* effects);
  void PumpReadies(const Context& context, Effects* effects);  // Pump's body
  void HandleWire(const Context& context, NodeId from, const RachisWire& wire,
                  Effects* effects);
  // Steps the node with a RachisMessage or a RachisEnvelope; errors are counted.
  template <typename Message>
  void Step(const Context& context, const Message& message);
  void CountStepError(const absl::Status& status);
  // Moves the Ready's messages out (everything else stays for Advance()).
  void EmitReady(rachis::Ready& ready, Effects* effects);
  // Keeps kTickTimer at the node's next deadline; inline, as every input ends with it
  // and the deadline rarely moves (then SetTickTimer changes the timer).
  void ArmTimer(Effects* effects) {
    const int64_t deadline = node_->NextDeadlineNanos();
    if (deadline != armed_deadline_ns_) SetTickTimer(deadline, effects);
  }
  void SetTickTimer(int64_t deadline, Effects* effects);
  // Applies the synced parts of `done` to the durable state, moving its entries out.
  // REQUIRES: Advance() has seen `done`.
  void MirrorDurable(rachis::Ready& done);
  // durable_ with the pending durable_appends_ applied. Its snapshot may be a stand-in
  // holding only the snapshot's last included index and term (see durable_snapshot_):
  // all that applying records, and EncodeSegmentBase, read of it.
  rachis::RestoredState& DurableState();
  // DurableState() with the whole snapshot (what a rebuild restarts from).
  rachis::RestoredState& FullDurableState();
  // Deletes the doomed segments and truncates the current one to its durable records,
  // as one synced persist.
  void RepairDisk(Effects* effects);
  // Adds the deletion of every doomed segment to `effects` (first in its writes).
  void AddDeletes(Effects* effects);
  // AddDeletes with doomed segments.
  void AddDoomedDeletes(Effects* effects);
  void SetPersist(Effects* effects);
  void Count(const std::string& name) { ++counters_[name]; }

  RachisHostOptions options_;
  uint64_t incarnation_ = 0;
  bool disk_replaced_ = false;  // DiskImage::replaced at Start: no bootstrap topology.
  std::optional<sim::Prng> prng_;
  std::unique_ptr<rachis::RachisStateMachine> state_machine_;
  std::unique_ptr<rachis::RachisNode> node_;
  // The current segment (0: none) and its records known durable, in disk order (the
  // image a rebuild restarts from).
  uint64_t segment_ = 0;
  // The current segment's durable records: how many, and the state they replay to (what
  // a rebuild restarts from, and what a new segment's base is made of).
  int64_t durable_record_count_ = 0;
  rachis::RestoredState durable_;
  // Synced log appends not yet applied to durable_ (DurableState() applies them).
  std::vector<rachis::SharedLogAppend> durable_appends_;
  // The durable snapshot, shared with the Ready that persisted it, while durable_ holds
  // only a stand-in for it (copying a snapshot copies the whole request history, and
  // only a rebuild needs it: FullDurableState() copies it in).
  std::shared_ptr<const rachis::Snapshot> durable_snapshot_;
  // Segments other than the current one that may still be on the disk: superseded
  // ones, and a new one whose base failed to persist. Deleted before (or with) the next
  // persist; `deleting_` are those the persist in flight deletes.
  std::set<uint64_t> doomed_segments_;
  std::vector<uint64_t> deleting_;
  // SegmentName(segment_name_number_), kept to spare a formatting per Ready.
  std::string segment_name_;
  uint64_t segment_name_number_ = 0;
  // The Ready whose records are being persisted (the node's own, refilled by
  // TakeReadyInPlace: valid until the node is rebuilt, which clears this), how many
  // records it wrote, and their segment (a new one if != segment_).
  rachis::Ready* awaiting_ = nullptr;
  int64_t awaiting_record_count_ = 0;
  uint64_t awaiting_segment_ = 0;
  bool repair_pending_ = false;
  bool halted_ = false;
  uint64_t next_persist_id_ = 1;
  uint64_t awaiting_persist_id_ = 0;
  int64_t armed_deadline_ns_ = -1;
  // The view options_.observation_views is called with (its vectors' room reused).
  checkers::raft::RaftObservationView observation_view_;
  std::map<std::string, NodeId> client_of_request_;
  std::map<std::string, int64_t> counters_;
};

}  // namespace ravensim::harness

#endif  // RAVENSIM_SIM_HARNESS_RACHIS_HOST_H_
