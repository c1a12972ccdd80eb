#include "sim/harness/rachis_host.h"

#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/cluster/register_state_machine.h"
#include "core/rachis/persistence.h"
#include "sim/harness/rachis_observations.h"

namespace ravensim::harness {

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
  // A first boot gets the bootstrap topology; a wiped node does not (§1.1 Passive).
  if (context.incarnation <= 1 && !options_.bootstrap_topology.topology_id().empty()) {
    options.bootstrap_topology = options_.bootstrap_topology;
  }
  options.random_word = [this] { return prng_->Next(); };
  options.state_machine = state_machine_.get();
  absl::StatusOr<std::unique_ptr<rachis::RachisNode>> node =
      rachis::RachisNode::Create(options, restored);
  // Records were checksummed, so a snapshot the state machine cannot read is a bug.
  CHECK_MSG(node.ok(), node.status().ToString());
  node_ = std::move(*node);
  ++incarnation_;
  awaiting_.reset();
  awaiting_records_.clear();
  armed_deadline_ns_ = -1;
}

void RachisHost::Start(const Context& context, const sim::DiskImage& disk, uint64_t seed,
                       Effects* effects) {
  prng_.emplace(seed);
  incarnation_ = context.incarnation * 1000;
  auto log = disk.logs.find(kLogName);
  const std::vector<std::string> empty;
  const std::vector<std::string>& records = log == disk.logs.end() ? empty : log->second;
  rachis::RestoredState restored = rachis::RecoverFromRecords(records);
  durable_records_.assign(records.begin(), records.begin() + restored.records_read);
  Rebuild(context, restored);
  if (restored.records_dropped > 1) {
    // Valid records follow the bad one: this is corruption of durable data, not a torn
    // tail. Replaying the prefix could forget a vote or an acknowledged entry, which
    // Raft cannot tolerate, so the node refuses to run (as a RavenDB server whose
    // storage fails its checksums refuses to start) until it is wiped and re-added.
    halted_ = true;
    counters_["recovery corrupt records"] += restored.records_dropped;
    effects->Observe("rachis.halted_corrupt_log", restored.records_read);
    return;
  }
  if (restored.records_dropped > 0) {
    // Torn or corrupt tail: cut it off before anything new is appended after it.
    counters_["recovery records dropped"] += restored.records_dropped;
    effects->Observe("rachis.recovery_dropped", restored.records_dropped);
    TruncateToDurable(effects);
  }
  node_->Tick(context.monotonic_now.nanos());
  Pump(context, effects);
}

void RachisHost::TruncateToDurable(Effects* effects) {
  effects->writes.push_back(sim::DiskWrite::Truncate(
      kLogName, static_cast<int64_t>(durable_records_.size())));
  effects->sync = true;
  effects->persist_id = next_persist_id_++;
  awaiting_persist_id_ = effects->persist_id;
  truncate_pending_ = true;
}

void RachisHost::OnMessage(const Context& context, NodeId from, std::string_view bytes,
                           Effects* effects) {
  if (halted_) return;
  RachisWire wire;
  if (!wire.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    Count("bad wire message");
    return;
  }
  const int64_t now = context.monotonic_now.nanos();
  switch (wire.body_case()) {
    case RachisWire::kRachis: {
      absl::Status status = node_->Step(now, wire.rachis());
      if (!status.ok()) Count(absl::StrCat("step error: ", status.code()));
      break;
    }
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
    // put the disk log back to that state.
    Count("persist failed");
    effects->Observe("rachis.persist_failed", 0, status.ToString());
    truncate_pending_ = false;
    Rebuild(context, rachis::RecoverFromRecords(durable_records_));
    node_->Tick(context.monotonic_now.nanos());
    TruncateToDurable(effects);
    Pump(context, effects);
    return;
  }
  if (truncate_pending_) {
    truncate_pending_ = false;
  } else if (awaiting_.has_value()) {
    for (std::string& record : awaiting_records_) durable_records_.push_back(std::move(record));
    awaiting_records_.clear();
    rachis::Ready done = std::move(*awaiting_);
    awaiting_.reset();
    node_->Advance(done);
  }
  Pump(context, effects);
}

void RachisHost::OnPeerDisconnected(const Context& context, NodeId peer, Effects* effects) {
  if (halted_) return;
  // Rachis resends on its heartbeat; nothing is pending on a connection.
  Pump(context, effects);
}

std::string EncodeRachisWire(const rachis::RachisMessage& message) {
  // RachisWire{rachis = message} without copying the message: field 1, wire type 2.
  const size_t size = message.ByteSizeLong();
  std::string out;
  out.reserve(size + 11);
  out.push_back('\x0a');
  for (uint64_t v = size; ; v >>= 7) {
    if (v < 0x80) {
      out.push_back(static_cast<char>(v));
      break;
    }
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
  }
  const size_t header = out.size();
  out.resize(header + size);
  message.SerializeWithCachedSizesToArray(reinterpret_cast<uint8_t*>(&out[header]));
  return out;
}

void RachisHost::EmitReady(const rachis::Ready& ready, Effects* effects) {
  for (const rachis::RachisObservation& o : ready.observations) {
    checkers::raft::RaftObservation proto = ToRaftObservation(o, options_.tag, incarnation_);
    effects->Observe(RachisObservationKind(o.kind), static_cast<int64_t>(o.index),
                     proto.SerializeAsString());
  }
  const bool after_persist = ready.NeedsSync();
  for (const rachis::RachisMessage& message : ready.messages) {
    effects->Send(message.to_node_id(), EncodeRachisWire(message), after_persist);
  }
  for (const rachis::CommandResult& result : ready.results) {
    auto client = client_of_request_.find(result.request_id);
    if (client == client_of_request_.end()) continue;
    RachisWire wire;
    ClientResponse* response = wire.mutable_client_response();
    response->set_request_id(result.request_id);
    response->set_outcome(result.outcome);
    response->set_index(result.index);
    response->set_result(result.result);
    response->set_reason(result.reason);
    effects->Send(client->second, wire.SerializeAsString(), after_persist);
    client_of_request_.erase(client);
  }
}

void RachisHost::Pump(const Context& context, Effects* effects) {
  // One Effects carries at most one persist; readies without durable parts flow freely.
  while (awaiting_persist_id_ == 0 && node_->HasReady()) {
    rachis::Ready ready = node_->TakeReady();
    EmitReady(ready, effects);
    if (!ready.NeedsSync()) {
      node_->Advance(ready);
      continue;
    }
    // Swap each part into a record for encoding and back (no copies of the entries).
    rachis::PersistedRecord record;
    if (ready.snapshot != nullptr) {
      awaiting_records_.push_back(rachis::EncodeSnapshotRecord(*ready.snapshot));
    }
    if (ready.log_append.has_value()) {
      record.mutable_log_append()->Swap(&*ready.log_append);
      awaiting_records_.push_back(rachis::EncodeRecord(record));
      record.mutable_log_append()->Swap(&*ready.log_append);
    }
    if (ready.hard_state.has_value()) {
      *record.mutable_hard_state() = *ready.hard_state;
      awaiting_records_.push_back(rachis::EncodeRecord(record));
    }
    for (const std::string& bytes : awaiting_records_) {
      effects->writes.push_back(sim::DiskWrite::Append(kLogName, bytes));
    }
    effects->sync = true;
    effects->persist_id = next_persist_id_++;
    awaiting_persist_id_ = effects->persist_id;
    awaiting_ = std::move(ready);
  }
  ArmTimer(effects);
}

void RachisHost::ArmTimer(Effects* effects) {
  const int64_t deadline = node_->NextDeadlineNanos();
  if (deadline == armed_deadline_ns_) return;
  armed_deadline_ns_ = deadline;
  if (deadline == std::numeric_limits<int64_t>::max()) {
    effects->CancelTimer(kTickTimer);
    return;
  }
  effects->SetTimer(kTickTimer, SimTime::FromNanos(deadline));
}

}  // namespace ravensim::harness
