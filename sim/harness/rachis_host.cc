#include "sim/harness/rachis_host.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/cluster/register_state_machine.h"
#include "core/rachis/persistence.h"
#include "sim/harness/rachis_observations.h"
#include "sim/harness/rachis_wire.h"

namespace ravensim::harness {
namespace {

// The log append records made by the hosts of this thread (all the nodes of a simulation
// run in one thread): see LogAppendRecordCache.
rachis::LogAppendRecordCache& LogAppendRecords() {
  thread_local rachis::LogAppendRecordCache cache;
  return cache;
}

}  // namespace

RachisHost::RachisHost(RachisHostOptions options) : options_(std::move(options)) {
  if (!options_.state_machine_factory) {
    options_.state_machine_factory = [] {
      return std::make_unique<cluster::RegisterStateMachine>();
    };
  }
}

RachisHost::~RachisHost() = default;

void RachisHost::Rebuild(const Context& context, const rachis::RestoredState& restored) {
  state_machine_ = options_.state_machine_factory();
  rachis::RachisOptions options;
  options.tag = options_.tag;
  options.node_id = context.self;
  options.election_timeout_ns = options_.election_timeout_ns;
  options.operation_timeout_ns = options_.operation_timeout_ns;
  options.snapshot_every_entries = options_.snapshot_every_entries;
  options.max_entries_per_append = options_.max_entries_per_append;
  // The machine the cluster was set up on has the bootstrap topology as if on its disk,
  // durable before the run: an empty disk there means nothing else was made durable
  // yet (a crash before the first fsync), not a new machine. A replaced (wiped) machine
  // does not: it comes back with no topology (§1.1 Passive).
  if (!disk_replaced_ && !options_.bootstrap_topology.topology_id().empty()) {
    options.bootstrap_topology = options_.bootstrap_topology;
  }
  options.random_word = [this] { return prng_->Next(); };
  options.state_machine = state_machine_.get();
  // Messages are built in the bodies the network carries (EmitReady relies on it).
  options.new_envelope =
      [](rachis::RachisMessage::BodyCase body) -> std::shared_ptr<rachis::RachisEnvelope> {
    return NewRachisMessageBody(body);
  };
  absl::StatusOr<std::unique_ptr<rachis::RachisNode>> node =
      rachis::RachisNode::Create(options, restored);
  // Records were checksummed, so a snapshot the state machine cannot read is a bug.
  CHECK_MSG(node.ok(), node.status().ToString());
  node_ = std::move(*node);
  ++incarnation_;
  awaiting_ = nullptr;
  awaiting_record_count_ = 0;
  armed_deadline_ns_ = -1;
}

std::string RachisHost::SegmentName(uint64_t number) {
  std::string digits = std::to_string(number);
  if (digits.size() < 6) digits.insert(0, 6 - digits.size(), '0');
  return absl::StrCat(kLogPrefix, ".", digits);
}

bool RachisHost::ParseSegmentName(const std::string& name, uint64_t* number) {
  const size_t prefix = sizeof(kLogPrefix) - 1;
  if (name.size() < prefix + 7 || name.compare(0, prefix, kLogPrefix) != 0 ||
      name[prefix] != '.' || name.size() > prefix + 1 + 19) {
    return false;
  }
  uint64_t value = 0;
  for (size_t i = prefix + 1; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    value = value * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  // Only the canonical spelling: the host deletes and appends by SegmentName().
  if (value == 0 || SegmentName(value) != name) return false;
  *number = value;
  return true;
}

void RachisHost::Start(const Context& context, const sim::DiskImage& disk, uint64_t seed,
                       Effects* effects) {
  prng_.emplace(seed);
  incarnation_ = context.incarnation * 1000;
  disk_replaced_ = disk.replaced;
  std::vector<rachis::LogSegment> segments;
  for (const auto& [name, records] : disk.logs) {
    uint64_t number = 0;
    if (!ParseSegmentName(name, &number)) continue;
    segments.push_back(rachis::LogSegment{number, &records});
  }
  rachis::SegmentedRecovery recovery = rachis::RecoverFromSegments(std::move(segments));
  rachis::RestoredState& restored = recovery.state;
  segment_ = recovery.segment;
  durable_ = restored;
  durable_appends_.clear();
  durable_snapshot_.reset();
  durable_.records_dropped = 0;  // a torn tail is cut off below (RepairDisk)
  durable_record_count_ = restored.records_read;
  doomed_segments_.insert(recovery.discarded.begin(), recovery.discarded.end());
  Rebuild(context, restored);
  if (recovery.corrupt) {
    // Valid records follow a bad one, or the sealed base that replaced the older
    // segments is gone: this is corruption of durable data, not a torn tail. Replaying
    // what is left could forget a vote or an acknowledged entry, which Raft cannot
    // tolerate, so the node refuses to run (as a RavenDB server whose storage fails its
    // checksums refuses to start) until it is wiped and re-added.
    halted_ = true;
    counters_["recovery corrupt records"] += std::max<int64_t>(restored.records_dropped, 1);
    effects->Observe("rachis.halted_corrupt_log", restored.records_read,
                     SegmentName(recovery.corrupt_segment));
    return;
  }
  if (restored.records_dropped > 0) {
    // Torn or corrupt tail: cut it off before anything new is appended after it.
    counters_["recovery records dropped"] += restored.records_dropped;
    effects->Observe("rachis.recovery_dropped", restored.records_dropped);
  }
  if (!recovery.discarded.empty()) {
    counters_["recovery segments discarded"] += static_cast<int64_t>(recovery.discarded.size());
  }
  if (restored.records_dropped > 0 || !doomed_segments_.empty()) RepairDisk(effects);
  node_->Tick(context.monotonic_now.nanos());
  Pump(context, effects);
}

// Inline into its callers: nearly every persist has nothing to delete.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline void RachisHost::AddDeletes(Effects* effects) {
  CHECK(effects->writes.empty());
  if (doomed_segments_.empty()) {  // nearly every persist
    deleting_.clear();
    return;
  }
  AddDoomedDeletes(effects);
}

void RachisHost::AddDoomedDeletes(Effects* effects) {
  deleting_.assign(doomed_segments_.begin(), doomed_segments_.end());
  for (uint64_t number : deleting_) {
    effects->writes.push_back(sim::DiskWrite::Truncate(SegmentName(number), 0));
  }
}

void RachisHost::SetPersist(Effects* effects) {
  effects->sync = true;
  effects->persist_id = next_persist_id_++;
  awaiting_persist_id_ = effects->persist_id;
}

void RachisHost::RepairDisk(Effects* effects) {
  AddDeletes(effects);
  if (segment_ != 0) {
    effects->writes.push_back(sim::DiskWrite::Truncate(
        SegmentName(segment_), durable_record_count_));
  }
  if (effects->writes.empty()) return;
  SetPersist(effects);
  repair_pending_ = true;
}

void RachisHost::OnMessage(const Context& context, NodeId from, std::string_view bytes,
                           Effects* effects) {
  if (halted_) return;
  RachisWire wire;
  if (!wire.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    Count("bad wire message");
    return;
  }
  HandleWire(context, from, wire, effects);
}

// Inline into each caller (one per message kind): a step nearly always succeeds, and the
// error is counted out of line.
template <typename Message>
ABSL_ATTRIBUTE_ALWAYS_INLINE inline void RachisHost::Step(const Context& context,
                                                          const Message& message) {
  absl::Status status = node_->Step(context.monotonic_now.nanos(), message);
  if (ABSL_PREDICT_FALSE(!status.ok())) CountStepError(status);
}

void RachisHost::CountStepError(const absl::Status& status) {
  Count(absl::StrCat("step error: ", status.code()));
}

void RachisHost::OnMessageBody(const Context& context, NodeId from,
                               const sim::MessageBody& body, Effects* effects) {
  if (const RachisMessageBody* message = RachisMessageBodyOf(body)) {
    if (halted_) return;
    Step(context, static_cast<const rachis::RachisEnvelope&>(*message));
    PumpReadies(context, effects);
    return;
  }
  const RachisWire* wire = RachisWireOf(body);
  if (wire == nullptr) {
    OnMessage(context, from, body.Encode(), effects);
    return;
  }
  if (halted_) return;
  HandleWire(context, from, *wire, effects);
}

void RachisHost::HandleWire(const Context& context, NodeId from, const RachisWire& wire,
                            Effects* effects) {
  const int64_t now = context.monotonic_now.nanos();
  switch (wire.body_case()) {
    case RachisWire::kRachis:
      Step(context, wire.rachis());
      break;
    case RachisWire::kClientRequest: {
      const ClientRequest& request = wire.client_request();
      if (request.request_id().empty()) {
        Count("client request without id");
        break;
      }
      client_of_request_[request.request_id()] = from;
      node_->Submit(now, request.request_id(), request.command());
      break;
    }
    default:
      Count("unexpected wire message");
      break;
  }
  Pump(context, effects);
}

void RachisHost::OnTimer(const Context& context, uint64_t tag, Effects* effects) {
  if (halted_) return;
  if (tag == kTickTimer) {
    armed_deadline_ns_ = -1;
    node_->Tick(context.monotonic_now.nanos());
  }
  Pump(context, effects);
}

absl::StatusOr<std::string> RachisHost::ModifyTopology(const Context& context,
                                                       const std::string& tag,
                                                       int32_t node_id, rachis::NodeKind kind,
                                                       Effects* effects) {
  if (halted_) return absl::FailedPreconditionError(absl::StrCat(options_.tag, " has halted"));
  absl::StatusOr<std::string> done =
      node_->ModifyTopology(context.monotonic_now.nanos(), tag, node_id, kind);
  Pump(context, effects);
  return done;
}

absl::Status RachisHost::StepDown(const Context& context, Effects* effects) {
  if (halted_) return absl::FailedPreconditionError(absl::StrCat(options_.tag, " has halted"));
  const absl::Status done = node_->StepDown(context.monotonic_now.nanos());
  Pump(context, effects);
  return done;
}

void RachisHost::OnPersisted(const Context& context, uint64_t persist_id,
                             const absl::Status& status, Effects* effects) {
  if (halted_) return;
  if (persist_id != awaiting_persist_id_) {
    Count("stale persist completion");
    return;
  }
  awaiting_persist_id_ = 0;
  if (!status.ok()) {
    // The in-memory node ran ahead of the disk: restart it from what is durable and
    // put the disk back to that state (deleting a segment it had begun).
    Count("persist failed");
    effects->Observe("rachis.persist_failed", 0, status.ToString());
    deleting_.clear();
    if (awaiting_ != nullptr && awaiting_segment_ != segment_) {
      Count("persist failed in a new segment");
      doomed_segments_.insert(awaiting_segment_);
    }
    repair_pending_ = false;
    Rebuild(context, FullDurableState());
    node_->Tick(context.monotonic_now.nanos());
    RepairDisk(effects);
    Pump(context, effects);
    return;
  }
  for (uint64_t number : deleting_) doomed_segments_.erase(number);
  deleting_.clear();
  if (repair_pending_) {
    repair_pending_ = false;
  } else if (awaiting_ != nullptr) {
    // Advanced and mirrored in place, then dropped (no move of the whole Ready).
    rachis::Ready& done = *awaiting_;
    node_->Advance(done);
    MirrorDurable(done);
    awaiting_ = nullptr;
    if (awaiting_segment_ != segment_) {
      // The new segment's base is durable: it is current, and the old one is doomed.
      if (segment_ != 0) doomed_segments_.insert(segment_);
      segment_ = awaiting_segment_;
      durable_record_count_ = awaiting_record_count_;
    } else {
      durable_record_count_ += awaiting_record_count_;
    }
    durable_.records_read = durable_record_count_;
  }
  Pump(context, effects);
  if (awaiting_persist_id_ == 0 && !doomed_segments_.empty()) {
    // Nothing else to persist: delete the superseded segment on its own.
    AddDeletes(effects);
    SetPersist(effects);
  }
}

void RachisHost::OnPeerDisconnected(const Context& context, NodeId peer, Effects* effects) {
  if (halted_) return;
  // Rachis resends on its heartbeat; nothing is pending on a connection.
  Pump(context, effects);
}

// Inline into Pump, its one caller (once per Ready).
ABSL_ATTRIBUTE_ALWAYS_INLINE inline void RachisHost::EmitReady(rachis::Ready& ready,
                                                               Effects* effects) {
  if (options_.observation_views) {
    AppendRachisObservations(ready.observations, options_.tag, incarnation_,
                             &effects->observations, &observation_view_,
                             options_.observation_views);
  } else {
    AppendRachisObservations(ready.observations, options_.tag, incarnation_,
                             &effects->observations);
  }
  node_->RecycleObservations(std::move(ready.observations));
  // Rarely grows: the World's Effects keep their vectors' room.
  const size_t sends = ready.messages.size() + ready.results.size();
  if (ABSL_PREDICT_FALSE(effects->messages.capacity() - effects->messages.size() < sends)) {
    effects->messages.reserve(effects->messages.size() + sends);
  }
  const bool after_persist = ready.NeedsSync();
  // Messages go to their receivers in process (rachis_wire.h): each envelope is a
  // RachisMessageBody (options.new_envelope), handed over as it was built.
  for (std::shared_ptr<rachis::RachisEnvelope>& envelope : ready.messages) {
    const NodeId to = envelope->message().to_node_id();
    // Built in place (Effects::Send would move a whole OutgoingMessage once more).
    effects->messages.emplace_back(
        to,
        MakeRachisMessage(std::static_pointer_cast<const RachisMessageBody>(std::move(envelope))),
        after_persist);
  }
  ready.messages.clear();
  for (const rachis::CommandResult& result : ready.results) {
    auto client = client_of_request_.find(result.request_id);
    if (client == client_of_request_.end()) continue;
    // Filled in the body it travels in (no move of the wire into it), a reused one whose
    // fields are all set here.
    std::shared_ptr<RachisWireBody> body = NewClientResponseBody();
    ClientResponse* response = body->mutable_wire()->mutable_client_response();
    response->set_request_id(result.request_id);
    response->set_outcome(result.outcome);
    response->set_index(result.index);
    response->set_result(result.result);
    response->set_reason(result.reason);
    effects->messages.emplace_back(client->second, MakeClientResponseMessage(std::move(body)),
                                   after_persist);
    client_of_request_.erase(client);
  }
}

// Inline into OnPersisted, its one caller (once per synced Ready).
ABSL_ATTRIBUTE_ALWAYS_INLINE inline void RachisHost::MirrorDurable(rachis::Ready& done) {
  // The records just synced, applied by the rules recovery replays them with. A new
  // segment's base restores the current durable state with the snapshot applied
  // (EncodeSegmentBase), which is what applying the snapshot here gives. The Ready is
  // spent (Advance() has seen it): its log append moves into durable_appends_, applied
  // only when the state is needed (most of its entries are compacted away first).
  if (done.snapshot != nullptr) {
    // Applied as a stand-in with the snapshot's position only (ApplyRecord reads no
    // more of it); the snapshot itself is kept shared until a rebuild needs it.
    rachis::PersistedRecord record;
    rachis::Snapshot* position = record.mutable_snapshot();
    position->set_last_included_index(done.snapshot->last_included_index());
    position->set_last_included_term(done.snapshot->last_included_term());
    rachis::ApplyRecord(std::move(record), &DurableState());
    durable_snapshot_ = done.snapshot;
  }
  if (done.log_append.has_value()) durable_appends_.push_back(std::move(*done.log_append));
  if (done.hard_state.has_value()) durable_.hard_state = *done.hard_state;
  if (awaiting_segment_ != segment_) durable_.sealed_segment = awaiting_segment_;
}

rachis::RestoredState& RachisHost::FullDurableState() {
  rachis::RestoredState& state = DurableState();
  if (durable_snapshot_ != nullptr) {
    state.snapshot = *durable_snapshot_;
    durable_snapshot_.reset();
  }
  return state;
}

rachis::RestoredState& RachisHost::DurableState() {
  // The appends are dropped right after: their entries are moved, not shared again.
  rachis::ApplyLogAppends(std::span(durable_appends_), &durable_);
  durable_appends_.clear();
  return durable_;
}

void RachisHost::Pump(const Context& context, Effects* effects) {
  PumpReadies(context, effects);
}

// Inline into OnMessageBody (every message between nodes); Pump for the other inputs.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline void RachisHost::PumpReadies(const Context& context,
                                                                 Effects* effects) {
  // One Effects carries at most one persist; readies without durable parts flow freely.
  while (awaiting_persist_id_ == 0 && node_->HasReady()) {
    // Nothing is awaited while no persist is in flight. The node refills the Ready it
    // keeps (its vectors' room reused, nothing built or destroyed per Ready); awaiting_
    // points at it while its records persist, and the node is not asked for another
    // until then.
    CHECK(awaiting_ == nullptr);
    rachis::Ready& ready = *(awaiting_ = &node_->TakeReadyInPlace());
    EmitReady(ready, effects);
    if (!ready.NeedsSync()) {
      node_->Advance(ready);
      awaiting_ = nullptr;
      continue;
    }
    // A snapshot (or the first write of an empty disk) starts a new segment whose base
    // restores the whole durable state, so that the older segment can be deleted.
    const bool new_segment = ready.snapshot != nullptr || segment_ == 0;
    // The number after the current one: a leftover of that number (a base that failed
    // or was cut short) was deleted, synced, before any new persist, and numbering
    // stays dense, so a segment beyond the first exists only while its predecessor is
    // sealed or after it was itself sealed (what RecoverFromSegments relies on).
    awaiting_segment_ = new_segment ? segment_ + 1 : segment_;
    // Doomed segments go first: they are superseded by the durable current segment.
    AddDeletes(effects);
    const size_t first_record = effects->writes.size();
    if (awaiting_segment_ != segment_name_number_) {
      segment_name_ = SegmentName(awaiting_segment_);
      segment_name_number_ = awaiting_segment_;
    }
    // The records, appended in order to the segment, each written straight into its
    // DiskWrite.
    const auto append = [this, effects](std::string&& bytes) {
      effects->writes.emplace_back(sim::DiskOp::kAppend, segment_name_, std::move(bytes),
                                   int64_t{0});
    };
    if (ready.snapshot != nullptr) {
      // The durable state is read where it is (not copied: it holds thousands of entries).
      std::vector<std::string> base =
          segment_ == 0 ? rachis::EncodeSegmentBase(rachis::RestoredState(), *ready.snapshot)
                        : rachis::EncodeSegmentBase(DurableState(), *ready.snapshot);
      for (std::string& bytes : base) append(std::move(bytes));
    }
    // The log append is encoded from the log's shared entries (no copies); the other
    // nodes' hosts in this thread append the same entries, so their one-entry records
    // are made once (LogAppendRecordCache: the same bytes).
    if (ready.log_append.has_value()) append(LogAppendRecords().Encode(*ready.log_append));
    if (ready.hard_state.has_value()) {
      rachis::PersistedRecord record;
      *record.mutable_hard_state() = *ready.hard_state;
      append(rachis::EncodeRecord(record));
    }
    if (new_segment) append(rachis::EncodeSealedRecord(awaiting_segment_));
    awaiting_record_count_ = static_cast<int64_t>(effects->writes.size() - first_record);
    SetPersist(effects);
  }
  ArmTimer(effects);
}

void RachisHost::SetTickTimer(int64_t deadline, Effects* effects) {
  armed_deadline_ns_ = deadline;
  if (deadline == std::numeric_limits<int64_t>::max()) {
    effects->CancelTimer(kTickTimer);
    return;
  }
  effects->SetTimer(kTickTimer, SimTime::FromNanos(deadline));
}

}  // namespace ravensim::harness
