// RachisNode: one member of a Rachis (RavenDB's Raft) cluster, as a pure state machine
// (RAVENDB_MODEL.md §1; STYLE.md §B).
//
// Performs no I/O and reads no clock. Time enters only as the node's own monotonic local
// time (nanoseconds) passed to every entry point; input arrives through Step(), Submit()
// and ModifyTopology(); every effect is returned in a Ready. Randomness (the election
// timeout draw, §1.2) comes from `RachisOptions::random_word`, supplied by the host.
//
// Driving contract (the host, sim/harness/rachis_host, follows it):
//   1. After any call, if HasReady(): r = TakeReady(); persist r.snapshot, r.log_append,
//      r.hard_state in that order and fsync; only then send r.messages and deliver
//      r.results; then call Advance(r). No new Ready is produced between TakeReady() and
//      Advance(): messages that depend on later state changes wait for it.
//   2. Arrange a call to Tick(now) at NextDeadlineNanos().
//   3. If persisting fails, discard this object and recreate it from the disk
//      (Create(options, RecoverFromRecords(...))), as a crash-restart would.
//
// The state machine (RachisStateMachine) is applied inside the node in commit order, as
// RavenDB applies in the commit transaction (§1.4). The node does not own it; it must
// outlive the node, and must be fresh (or be Restore()d by the node) at Create().
//
// Thread-compatible; driven from one thread.
#ifndef RAVENSIM_CORE_RACHIS_RACHIS_NODE_H_
#define RAVENSIM_CORE_RACHIS_RACHIS_NODE_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/rachis/cluster_topology.h"
#include "core/rachis/history_index.h"
#include "core/rachis/persistence.h"
#include "core/rachis/rachis_envelope.h"
#include "core/rachis/rachis.pb.h"
#include "core/rachis/raft_log.h"
#include "core/rachis/sorted_string_map.h"

namespace ravensim::rachis {

// RachisState (RAVENDB_MODEL.md §1.1).
enum class RachisState { kPassive, kFollower, kCandidate, kLeaderElect, kLeader };
const char* RachisStateName(RachisState state);

// The replicated state machine fed from the log (core/cluster implements it).
class RachisStateMachine {
 public:
  virtual ~RachisStateMachine() = default;
  // Applies a committed command; returns its result. Deterministic.
  virtual std::string Apply(uint64_t index, const std::string& command) = 0;
  // The same, writing the result over `*result` (whose room it may reuse). The node
  // applies through this; override it to spare the result's allocation. Must give
  // exactly what Apply() returns.
  virtual void ApplyInto(uint64_t index, const std::string& command, std::string* result) {
    *result = Apply(index, command);
  }
  // The whole state, for a snapshot.
  virtual std::string Serialize() const = 0;
  // Replaces the whole state with a snapshot's. Error on bytes it cannot read.
  virtual absl::Status Restore(const std::string& data) = 0;
};

// Cluster.LogHistoryMaxEntries' default (RAVENDB_MODEL.md §1.2).
inline constexpr int kDefaultLogHistoryMaxEntries = 4096;

struct RachisOptions {
  std::string tag;       // this node's tag (§1.5)
  int32_t node_id = -1;  // this node's address, carried in messages
  // Cluster.ElectionTimeoutInMs (§1.2).
  int64_t election_timeout_ns = 300'000'000;
  // Cluster.OperationTimeoutInSec (§1.2): a submitted command still pending after this
  // is reported kUnknown.
  int64_t operation_timeout_ns = 15'000'000'000;
  int max_entries_per_append = 128;
  // Compact the log into a snapshot once this many applied entries follow the last
  // snapshot (0: never).
  uint64_t snapshot_every_entries = 1024;
  // Cluster.LogHistoryMaxEntries (§1.2): request ids remembered for de-duplication.
  int log_history_max_entries = kDefaultLogHistoryMaxEntries;
  // Used only when the restored state is empty: the topology a fresh node starts with
  // (persisted as a snapshot at index 0). Without it a fresh node is Passive (§1.1).
  std::optional<ClusterTopologyProto> bootstrap_topology;
  // One uniformly random 64-bit word per call. REQUIRED.
  std::function<uint64_t()> random_word;
  RachisStateMachine* state_machine = nullptr;  // REQUIRED; not owned
  // Makes the envelope each outgoing message is built in (a host may hand out a class
  // derived from RachisEnvelope that its transport carries as is, or reuse envelopes).
  // The argument is the body the node is about to build (BODY_NOT_SET: not known; the
  // message may be replaced whole). The envelope must hold an empty message, except
  // that it may already hold an empty body of that case and any envelope fields (from,
  // to, topology_id, term, from_node_id, to_node_id: the node sets them all on every
  // message). Default: a new RachisEnvelope.
  std::function<std::shared_ptr<RachisEnvelope>(RachisMessage::BodyCase)> new_envelope;
};

// The submitter's outcome (§1.4): committed with index and result, rejected (definitely
// not appended), or unknown (may still commit later).
struct CommandResult {
  std::string request_id;
  CommandOutcome outcome = COMMAND_OUTCOME_UNSPECIFIED;
  uint64_t index = 0;
  std::string result;
  std::string reason;
};

// Plain-data facts for the invariant checker (checkers/raft); the host translates them.
struct RachisObservation {
  enum class Kind {
    kStateChanged,       // state, term
    kEntryAppended,      // index, entry_term, prev_term, command_hash
    kLogTruncated,       // index: first dropped index
    kSnapshotInstalled,  // index, entry_term: entries <= index compacted away; if the
                         // log disagreed at index, the whole log was dropped
    kLogReset,           // index, entry_term: the log is now empty, based there (restart)
    kCommitAdvanced,     // index; by_quorum: leader decision with supporters/voters
    kApplied,            // index, entry_term, command_hash; skipped, not_request
    kElectionWon,        // term; supporters = real votes, voters = members in force
    kTopologyChanged,    // voters = members, non_voters = promotables + watchers
    kCommittedConflict,  // index, entry_term: a leader's entry that contradicts our
                         // committed entry at index, whose term is committed_term; the
                         // append was refused (a safety violation, not a crash)
  };
  Kind kind = Kind::kStateChanged;
  RachisState state = RachisState::kPassive;
  uint64_t term = 0;
  uint64_t index = 0;
  uint64_t entry_term = 0;
  uint64_t prev_term = 0;
  uint64_t command_hash = 0;
  uint64_t committed_term = 0;
  bool by_quorum = false;
  // kApplied: a client request not executed because the LogHistory holds its id
  // (§1.4); an entry that is no client request (noop, topology, no request id).
  bool skipped = false;
  bool not_request = false;
  std::vector<std::string> supporters;
  std::vector<std::string> voters;
  std::vector<std::string> non_voters;

  // Every field back to its default, the vectors keeping their room (an observation
  // written over a recycled one).
  void ResetKeepingRoom() {
    kind = Kind::kStateChanged;
    state = RachisState::kPassive;
    term = 0;
    index = 0;
    entry_term = 0;
    prev_term = 0;
    command_hash = 0;
    committed_term = 0;
    by_quorum = false;
    skipped = false;
    not_request = false;
    supporters.clear();
    voters.clear();
    non_voters.clear();
  }
};

struct Ready {
  int64_t id = 0;
  // Durable effects, in this order; one fsync covers them all. The snapshot is shared
  // with the node (it is also what InstallSnapshot sends), never copied.
  std::shared_ptr<const Snapshot> snapshot;
  // Its entries are the log's own (shared, never copied).
  std::optional<SharedLogAppend> log_append;
  std::optional<HardState> hard_state;
  // Sent only after the durable effects above are synced. Each message is built in its
  // own envelope (RachisOptions::new_envelope), which the Ready hands over.
  std::vector<std::shared_ptr<RachisEnvelope>> messages;
  std::vector<CommandResult> results;
  std::vector<RachisObservation> observations;
  bool NeedsSync() const {
    return snapshot != nullptr || log_append.has_value() || hard_state.has_value();
  }
};

class RachisNode {
 public:
  // Builds a node from what survived on its disk. Error if the options are incomplete,
  // the tag is invalid, or the snapshot's state machine bytes cannot be restored.
  static absl::StatusOr<std::unique_ptr<RachisNode>> Create(const RachisOptions& options,
                                                            const RestoredState& restored);
  RachisNode(const RachisNode&) = delete;
  RachisNode& operator=(const RachisNode&) = delete;

  // Time passes. `now_ns` is the node's monotonic local time.
  void Tick(int64_t now_ns);
  // Earliest local time at which Tick() has work to do. (Inline for the usual case, a
  // follower with no submission pending: asked after every call.)
  int64_t NextDeadlineNanos() const {
    if (state_ == RachisState::kFollower && pending_.empty()) {
      return std::max(last_deferral_ns_ + timeout_ns_, now_ns_ + 1);
    }
    return NextDeadlineInAnyState();
  }

  // A message from a peer. InvalidArgument if it is not addressed to this node or has
  // no sender; FailedPrecondition if it comes from another cluster (topology id) — a
  // rejection is still sent back where the protocol has one (§1.5).
  absl::Status Step(int64_t now_ns, const RachisMessage& message);
  // The same for a message in its sender's envelope: the entries of an AppendEntries are
  // appended to the log as the sender shares them (RachisEnvelope::SharedEntries()),
  // not copied.
  absl::Status Step(int64_t now_ns, const RachisEnvelope& envelope);

  // Submits a command on this node (§1.4): appended here if leading, otherwise forwarded
  // to the leader. The outcome arrives later in Ready::results (or at once if the
  // request id was already applied). REQUIRES: request_id non-empty.
  void Submit(int64_t now_ns, const std::string& request_id, const std::string& command);

  // TryModifyTopology (§1.5), on the leader only. An empty tag with kMember, kPromotable
  // or kWatcher adds a node with a generated tag. Returns the tag. FailedPrecondition if
  // not leader, if another topology change is in flight, or if it targets the leader.
  absl::StatusOr<std::string> ModifyTopology(int64_t now_ns, const std::string& tag,
                                             int32_t node_id, NodeKind kind);
  // StepDown (§1.5): the leader picks the voter with the highest match index and tells
  // it to start a forced election. FailedPrecondition if not leader or no voter.
  absl::Status StepDown(int64_t now_ns);

  bool HasReady() const {  // inline: asked after every call
    if (ready_outstanding_) return false;
    return hard_state_dirty_ || snapshot_to_persist_ != nullptr || unstable_from_ != 0 ||
           !outbox_.empty() || !results_.empty() || observation_count_ != 0;
  }
  Ready TakeReady();
  // The same Ready, filled in a Ready the node keeps (its vectors' room reused from one
  // Ready to the next) rather than built anew: the reference stays valid, and the host
  // may move parts out of it (envelopes, observations, the log append), until the next
  // TakeReadyInPlace() or the node's end. Advance() it as any Ready (Advance() reads its
  // log append: move that out only afterwards).
  Ready& TakeReadyInPlace();
  // REQUIRES: `handled` is the last Ready taken and its durable effects are synced.
  void Advance(const Ready& handled);
  // The same; besides, the room of `handled.messages` when it is empty (the host moved
  // the envelopes out) goes back to the node for the next Ready's messages instead of
  // being freed with the Ready. Nothing the Ready still holds is touched.
  void Advance(Ready& handled) {
    Advance(static_cast<const Ready&>(handled));
    if (handled.messages.empty() && outbox_.capacity() == 0) outbox_.swap(handled.messages);
  }
  // Optional: hands back a taken Ready's observations once read, so that the next Ready
  // reuses the vector's room instead of allocating its own.
  void RecycleObservations(std::vector<RachisObservation>&& observations);

  // --- Introspection (tests, host, benchmarks) ---
  RachisState state() const { return state_; }
  uint64_t term() const { return term_; }
  const std::string& voted_for() const { return voted_for_; }
  const std::string& tag() const { return options_.tag; }
  const std::string& leader_tag() const { return leader_tag_; }
  uint64_t commit_index() const { return commit_index_; }
  uint64_t applied_index() const { return applied_index_; }
  const RaftLog& log() const { return log_; }
  const ClusterTopology& topology() const { return topology_; }
  // Coverage marks (STYLE.md §H): how often each rare path ran.
  int64_t mark(const std::string& name) const;
  const std::map<std::string, int64_t, std::less<>>& marks() const { return marks_; }

 private:
  // The leader's view of one peer (FollowerAmbassador, §1.4).
  struct FollowerAmbassador {
    enum class Mode { kNegotiate, kReplicate, kSnapshot };
    Mode mode = Mode::kNegotiate;
    uint64_t match_index = 0;
    uint64_t next_index = 1;
    // Negotiation (binary search for the last matching index): `low` matches, every
    // index >= `high` is known not to match.
    uint64_t low = 0;
    uint64_t high = 1;
    bool first_probe = true;
    uint64_t sequence = 0;  // of the request in flight
    bool in_flight = false;
    bool topology_mismatch = false;
    // StepDown (§1.5) chose this voter: every append to it asks for a forced election
    // (the leader's ForceElectionsNow, kept until its leadership ends).
    bool force_elections = false;
    int64_t last_send_ns = 0;
    int64_t last_reply_ns = 0;
    // The peer's node id in topology_ (FindNodeId), kept by RebuildAmbassadorList, which
    // runs whenever topology_ or ambassadors_ change; `listed` false: not in topology_.
    bool listed = false;
    int32_t node_id = -1;
  };
  struct PendingSubmission {
    int64_t deadline_ns = 0;
  };

  explicit RachisNode(const RachisOptions& options);
  absl::Status Restore(const RestoredState& restored);
  // `shared_hashes`: the EntryHash of each of `shared_entries` as their sender's log
  // keeps it, or empty (computed here).
  absl::Status StepMessage(int64_t now_ns, const RachisMessage& message,
                           absl::Span<const LogEntryPtr> shared_entries,
                           absl::Span<const uint64_t> shared_hashes);

  // rachis_node.cc: state, timers, persistence bookkeeping, apply.
  void SetState(RachisState state, const std::string& reason);
  void SetTerm(uint64_t term, const std::string& voted_for);
  void RandomizeTimeout(bool extend);
  void Defer(const std::string& leader_tag);
  void OnElectionTimeout();
  void SwitchToCandidate(bool forced);
  void BecomeFollower(uint64_t term, const std::string& leader_tag);
  void AdvanceTime(int64_t now_ns);
  int64_t NextDeadlineInAnyState() const;  // NextDeadlineNanos() in every case
  void SendTo(const std::string& to, RachisMessage message);
  void Reply(const RachisMessage& request, RachisMessage message);
  void Emit(const std::string& to, int32_t to_node_id, RachisMessage message);
  // Adds a new envelope for a message with a `body` to the outbox.
  RachisEnvelope& NewEnvelope(RachisMessage::BodyCase body);
  // Adds the next outgoing message with its envelope filled in, as Emit() would; the
  // caller fills in the body (of case `body`) before anything else is sent.
  RachisMessage& AddMessage(const std::string& to, int32_t to_node_id,
                            RachisMessage::BodyCase body);
  // The same for a tag of the topology, returning the envelope; nullptr (the message
  // dropped, as SendTo() does) if the tag is not in it.
  RachisEnvelope* AddEnvelopeTo(const std::string& to, RachisMessage::BodyCase body);
  // The node id of a topology tag; nullptr (counted) if the tag is not in it.
  const int32_t* PeerNodeId(const std::string& to);
  void FillEnvelope(const std::string& to, int32_t to_node_id, RachisMessage* message) const;
  ClusterTopology TopologyAt(uint64_t index) const;
  void AppendToLog(LogEntryPtr entry);
  // REQUIRES: hash == EntryHash(*entry).
  void AppendToLog(LogEntryPtr entry, uint64_t hash);
  // REQUIRES: index > commit_index_ (the caller refuses the append otherwise).
  void TruncateLogFrom(uint64_t index);
  void RecomputeTopology();
  // `supporters`: the tags (sorted) of the members holding `index`, for a quorum decision.
  void AdvanceCommitTo(uint64_t index, bool by_quorum,
                       absl::Span<const std::string* const> supporters);
  void ApplyCommitted();
  void MaybeCompact();
  std::shared_ptr<const Snapshot> MakeSnapshot() const;
  void InstallSnapshotState(const Snapshot& snapshot);
  void Observe(RachisObservation observation);
  // Adds an observation of `kind` at term_ in place; the caller fills in the rest before
  // anything else is observed. Inline: called for every append, commit and apply.
  ABSL_ATTRIBUTE_ALWAYS_INLINE RachisObservation& AddObservation(RachisObservation::Kind kind) {
    const bool recycled = observation_count_ < observations_.size();
    RachisObservation& observation = NextObservationSlot();
    if (recycled) observation.ResetKeepingRoom();
    observation.kind = kind;
    observation.term = term_;
    return observation;
  }
  // The slot of the next observation: a recycled one (its old contents still there) or
  // a new, default one.
  ABSL_ATTRIBUTE_ALWAYS_INLINE RachisObservation& NextObservationSlot() {
    RachisObservation* observation;
    if (observation_count_ < observations_.size()) {
      observation = &observations_[observation_count_];
    } else {
      // TakeReady() hands the vector over: start each Ready's with room for a typical one.
      if (observations_.capacity() == 0) observations_.reserve(kReadyObservationReserve);
      observation = &observations_.emplace_back();
    }
    ++observation_count_;
    return *observation;
  }
  // Counts a named code path. Looked up without building a string (marks are hit on
  // every command); a new name is inserted once.
  void Mark(std::string_view name) {
    auto it = marks_.find(name);
    if (it == marks_.end()) it = marks_.emplace(std::string(name), 0).first;
    ++it->second;
  }

  // elector.cc: candidate rounds and vote granting (§1.3).
  void StartElectionRound();
  void CastVoteForSelf();
  void SendVoteRequests(bool trial);
  void CountVotes();
  void HandleRequestVote(const RachisMessage& message);
  void HandleRequestVoteResponse(const RachisMessage& message);
  void ReplyVote(const RachisMessage& request, bool granted, uint64_t term,
                 bool not_in_topology, const std::string& reason);

  // follower.cc: AppendEntries and InstallSnapshot on the receiving side (§1.4).
  // `shared`: the message's entries as the sender shares them, or empty (copied);
  // `shared_hashes`: their EntryHash, or empty (computed).
  void HandleAppendEntries(const RachisMessage& message, absl::Span<const LogEntryPtr> shared,
                           absl::Span<const uint64_t> shared_hashes);
  void HandleInstallSnapshot(const RachisMessage& message);
  bool AcceptLeader(const RachisMessage& message);
  void ReplyAppendEntries(const RachisMessage& request, bool success, uint64_t match_index);

  // leader.cc: the leader's side (§1.4, §1.5).
  void BecomeLeaderElect();
  void TakeOffice();
  void RefreshAmbassadors();
  void SendToFollower(const std::string& tag, FollowerAmbassador* ambassador);
  void SendNegotiationProbe(const std::string& tag, FollowerAmbassador* ambassador);
  void SendSnapshot(const std::string& tag, FollowerAmbassador* ambassador);
  void BroadcastAppend(bool heartbeat_only_when_due);
  void HandleAppendEntriesResponse(const RachisMessage& message);
  void HandleInstallSnapshotResponse(const RachisMessage& message);
  void TryAdvanceCommit();
  bool EnsureThatWeHaveLeadership();
  void CheckPromotables();
  bool TopologyChangeInFlight() const;
  void LeaderTick();

  // commands.cc: submission, forwarding, de-duplication, results (§1.4).
  // `history_checked`: the caller just found `request_id` absent from the LogHistory.
  void LeaderAccept(const std::string& request_id, const std::string& command,
                    const std::string& forwarded_by, bool history_checked = false);
  void HandleForwardCommand(const RachisMessage& message);
  void HandleForwardCommandResponse(const RachisMessage& message);
  void DeliverResult(CommandResult result);
  void ResolveWaiters(const std::string& request_id, uint64_t index,
                      const std::string& result);
  void FailLeaderWaiters(const std::string& reason);
  void ExpireSubmissions();
  // A LogHistory key: a request id with its hash, computed once per id (AppliedIdHash)
  // and kept with the record, so neither lookup, insertion nor removal rehashes it.
  struct AppliedKey {
    std::string_view id;
    size_t hash = 0;
    static AppliedKey Of(std::string_view id) { return {id, AppliedIdHash(id)}; }
  };
  static size_t AppliedIdHash(std::string_view id);
  // Where a result not kept in the LogHistory is applied into (its room is reused).
  std::string apply_result_;
  // One LogHistory record (AppliedRequest without the protobuf strings).
  struct AppliedRecord {
    std::string request_id;
    uint64_t index = 0;
    std::string result;
    size_t hash = 0;  // AppliedIdHash(request_id)
  };
  // Makes room for the newest LogHistory record of `key` (forgetting the oldest at the
  // bound) and fills in all but its result; nullptr if nothing is kept. The caller
  // writes the result, then indexes it (IndexAppliedRecord) at `*position`.
  AppliedRecord* ClaimAppliedRecord(const AppliedKey& key, uint64_t index, uint64_t* position);
  // The LogHistory record of `request_id`, or nullptr.
  const AppliedRecord* FindApplied(const std::string& request_id) const {
    return FindApplied(AppliedKey::Of(request_id));
  }
  const AppliedRecord* FindApplied(const AppliedKey& key) const;
  void RestoreHistory(const Snapshot& snapshot);

  RachisOptions options_;
  RachisState state_ = RachisState::kPassive;
  // Persistent (HardState).
  uint64_t term_ = 0;
  std::string voted_for_;
  uint64_t commit_index_ = 0;
  // Volatile.
  uint64_t applied_index_ = 0;
  std::string leader_tag_;
  RaftLog log_;
  // The latest snapshot (base of log_). Invariant: never null after Create().
  std::shared_ptr<const Snapshot> snapshot_ = std::make_shared<const Snapshot>();
  ClusterTopology topology_;  // in force: last topology entry in the log, else snapshot's
  std::vector<std::string> member_tags_;  // topology_.MemberTags(), kept with topology_
  // Every (tag, node id) of topology_: members, then promotables, then watchers, each in
  // tag order (NodeIdOf's order), kept with topology_ for the per-message lookups.
  std::vector<std::pair<std::string, int32_t>> topology_nodes_;
  // a == b for node tags (a few characters), compared in place rather than by a call.
  static bool SameTag(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }
  // *field = tag; a tag of the same length (the usual case in a reused envelope) is
  // written over the present one in place.
  static void AssignTag(std::string* field, std::string_view tag) {
    if (field->size() != tag.size()) {
      field->assign(tag);
      return;
    }
    char* out = field->data();
    for (size_t i = 0; i < tag.size(); ++i) out[i] = tag[i];
  }
  // topology_.NodeIdOf(tag) without the map lookups; nullptr if not in the topology.
  const int32_t* FindNodeId(std::string_view tag) const {
    for (const auto& [node_tag, node_id] : topology_nodes_) {
      if (SameTag(node_tag, tag)) return &node_id;
    }
    return nullptr;
  }
  // FindNodeId(tag) != nullptr for the sender of a message, which names its node id:
  // the entry of that id is tried first (one tag compared), then every entry.
  bool KnownSender(std::string_view tag, int32_t node_id) const {
    for (const auto& [node_tag, id] : topology_nodes_) {
      if (id == node_id) {
        if (SameTag(node_tag, tag)) return true;
        break;
      }
    }
    return FindNodeId(tag) != nullptr;
  }
  std::map<uint64_t, ClusterTopology> topology_entries_;  // index -> topology entry

  // TimeoutEvent (§1.2).
  int64_t now_ns_ = 0;
  bool time_started_ = false;
  int64_t last_deferral_ns_ = 0;
  int64_t timeout_ns_ = 0;

  // Candidate (§1.3).
  uint64_t election_term_ = 0;
  bool forced_election_ = false;
  bool real_election_started_ = false;
  std::set<std::string> trial_votes_;
  std::set<std::string> real_votes_;
  // The term and vote last made durable (restored, or in a Ready's HardState the host
  // reported synced through Advance). A candidate's own vote counts towards winning only
  // once it is durable (§1.3 step 4: CastVoteForSelf commits its transaction first).
  uint64_t durable_term_ = 0;
  std::string durable_voted_for_;
  bool SelfVoteDurable() const {
    return durable_term_ == term_ && durable_voted_for_ == options_.tag;
  }

  // Leader (§1.4).
  std::map<std::string, FollowerAmbassador> ambassadors_;
  // Per member of topology_, in tag order, where its match index is read: own_match_
  // for this node (what is durable here, written by TryAdvanceCommit before it reads
  // the slots), the ambassador's match_index (map nodes are stable), or kNoMatch for a
  // member without an ambassador; one load per member, with no branch. Rebuilt lazily
  // after ambassadors_ or topology_ change (InvalidateMemberSlots).
  std::vector<const uint64_t*> member_slots_;
  uint64_t own_match_ = 0;
  static constexpr uint64_t kNoMatch = 0;
  bool member_slots_valid_ = false;
  // Counts changes of ambassadors_' membership (pointers and iterators into it are
  // valid while it stays the same).
  uint64_t ambassadors_epoch_ = 0;
  void InvalidateMemberSlots() {
    member_slots_valid_ = false;
    ++ambassadors_epoch_;
    RebuildAmbassadorList();
  }
  void RebuildMemberSlots();
  // ambassadors_ in its (tag) order, for the per-message lookups and walks without the
  // tree; rebuilt at once whenever its membership changes (InvalidateMemberSlots).
  struct AmbassadorRef {
    const std::string* tag = nullptr;  // the map's key
    FollowerAmbassador* ambassador = nullptr;
  };
  std::vector<AmbassadorRef> ambassador_list_;
  void RebuildAmbassadorList();
  // The ambassador of `tag`, or nullptr.
  const AmbassadorRef* FindAmbassador(std::string_view tag) const {
    for (const AmbassadorRef& ref : ambassador_list_) {
      if (SameTag(*ref.tag, tag)) return &ref;
    }
    return nullptr;
  }
  uint64_t next_sequence_ = 1;
  int64_t office_start_ns_ = 0;

  // Commands (§1.4).
  // A few entries at most (requests in progress); iterated in key order.
  SortedStringMap<PendingSubmission> pending_;                  // submitted here
  SortedStringMap<uint64_t> leader_inflight_;                   // request id -> index
  std::map<std::string, std::set<std::string>> remote_waiters_; // request id -> tags
  // LogHistory: applied requests in apply order (oldest first, increasing index), and
  // the position of each by id. Positions count from the first record ever kept. The
  // records sit in a ring: applied_history_count_ records from slot
  // applied_history_head_ on, wrapping at the end of applied_history_ (AppliedSlot()).
  // A forgotten record's slot keeps its strings for the next record to reuse, so a full
  // history neither allocates nor moves records. The keys view the records' own request
  // ids; slots move only when the ring grows, which re-keys every record.
  // Invariant: the map holds exactly the requests of the live records.
  std::vector<AppliedRecord> applied_history_;
  // applied_history_.size(), kept beside it: every apply wraps ring positions with it,
  // and the vector's size would take a division by the record's size (80 bytes).
  size_t applied_history_slots_ = 0;
  size_t applied_history_head_ = 0;
  size_t applied_history_count_ = 0;
  uint64_t applied_history_first_ = 0;
  // Looked up only, never iterated (no hash order reaches behaviour).
  HistoryIndex applied_position_by_request_;
  // The request id of the live record at `position` (HistoryIndex's id_at).
  struct AppliedIdAt {
    const RachisNode* node;
    std::string_view operator()(uint64_t position) const {
      return node->AppliedSlot(static_cast<size_t>(position - node->applied_history_first_))
          .request_id;
    }
  };
  static constexpr int kMaxHistoryReserve = 1 << 16;
  // The record `offset` places after the oldest. REQUIRES: offset < count.
  AppliedRecord& AppliedSlot(size_t offset) {
    size_t slot = applied_history_head_ + offset;
    if (slot >= applied_history_slots_) slot -= applied_history_slots_;
    return applied_history_[slot];
  }
  const AppliedRecord& AppliedSlot(size_t offset) const {
    return const_cast<RachisNode*>(this)->AppliedSlot(offset);
  }
  // A slot for the newest record (its strings may hold an old record's: overwrite them).
  AppliedRecord& NewAppliedSlot();
  void IndexAppliedRecord(const AppliedRecord& record, uint64_t position);
  // Forgets the oldest record (its slot keeps its strings for reuse).
  void ForgetOldestApplied();

  // Persistence bookkeeping.
  bool hard_state_dirty_ = false;
  std::shared_ptr<const Snapshot> snapshot_to_persist_;
  uint64_t unstable_from_ = 0;    // 0: no log change to persist
  uint64_t persisted_index_ = 0;  // highest log index known durable here
  bool ready_outstanding_ = false;
  int64_t next_ready_id_ = 1;

  // Room reserved in outbox_ and observations_ when a Ready begins to fill them: a
  // leader's Ready carries one message per follower, a follower's Ready about three
  // observations (appended, commit, applied).
  static constexpr size_t kReadyReserve = 8;
  static constexpr size_t kReadyObservationReserve = 4;
  std::vector<std::shared_ptr<RachisEnvelope>> outbox_;
  std::vector<CommandResult> results_;
  Ready ready_;  // TakeReadyInPlace()'s
  // The observations of the next Ready are its first observation_count_; those after
  // them came back with a recycled vector (RecycleObservations) and are overwritten in
  // place (their vectors' room reused) as new observations are made.
  std::vector<RachisObservation> observations_;
  size_t observation_count_ = 0;
  // Drops the recycled observations not written over (before a Ready takes the rest).
  ABSL_ATTRIBUTE_ALWAYS_INLINE void DropUnwrittenObservations() {
    if (observations_.size() > observation_count_) {
      observations_.erase(
          observations_.begin() + static_cast<std::ptrdiff_t>(observation_count_),
          observations_.end());
    }
  }
  std::map<std::string, int64_t, std::less<>> marks_;
};

}  // namespace ravensim::rachis

#endif  // RAVENSIM_CORE_RACHIS_RACHIS_NODE_H_
