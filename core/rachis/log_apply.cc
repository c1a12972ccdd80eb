// RachisNode: the log, the topology in force, commit, apply, compaction and snapshot
// installation (RAVENDB_MODEL.md §1.4, §1.5).
#include <algorithm>
#include <iterator>
#include <memory>
#include <optional>
#include <utility>

#include "core/base/check.h"
#include "core/rachis/entry_hash.h"
#include "core/rachis/rachis_node.h"
#include "google/protobuf/arena.h"

namespace ravensim::rachis {

// --- Log, topology, commit and apply ----------------------------------------------------

void RachisNode::AppendToLog(LogEntryPtr entry) {
  const uint64_t hash = EntryHash(*entry);
  AppendToLog(std::move(entry), hash);
}

void RachisNode::AppendToLog(LogEntryPtr entry, uint64_t hash) {
  const uint64_t index = entry->index();
  const uint64_t prev_term = log_.LastTerm();
  const uint64_t entry_term = entry->term();
  // The log keeps the entry alive (and immutable) once appended.
  const LogEntry* appended_entry = entry.get();
  log_.Append(std::move(entry), hash);
  unstable_from_ = unstable_from_ == 0 ? index : std::min(unstable_from_, index);
  {
    RachisObservation& appended = AddObservation(RachisObservation::Kind::kEntryAppended);
    appended.index = index;
    appended.entry_term = entry_term;
    appended.prev_term = prev_term;
    appended.command_hash = hash;
  }
  if (appended_entry->flags() == ENTRY_FLAGS_TOPOLOGY) {
    // §1.5: a topology takes effect when appended, not when committed.
    topology_entries_[index] = ClusterTopology::FromProto(appended_entry->topology());
    RecomputeTopology();
  }
}

void RachisNode::TruncateLogFrom(uint64_t index) {
  CHECK_GT(index, commit_index_);  // committed entries are never truncated
  log_.TruncateFrom(index);
  unstable_from_ = unstable_from_ == 0 ? index : std::min(unstable_from_, index);
  persisted_index_ = std::min(persisted_index_, index - 1);
  topology_entries_.erase(topology_entries_.lower_bound(index), topology_entries_.end());
  Observe({.kind = RachisObservation::Kind::kLogTruncated, .term = term_, .index = index});
  RecomputeTopology();
}

ClusterTopology RachisNode::TopologyAt(uint64_t index) const {
  auto it = topology_entries_.upper_bound(index);
  if (it == topology_entries_.begin()) return ClusterTopology::FromProto(snapshot_->topology());
  return std::prev(it)->second;
}

void RachisNode::RecomputeTopology() {
  ClusterTopology next = topology_entries_.empty()
                             ? ClusterTopology::FromProto(snapshot_->topology())
                             : topology_entries_.rbegin()->second;
  const bool changed = next.ToProto().SerializeAsString() !=
                       topology_.ToProto().SerializeAsString();
  if (!changed) return;
  const bool was_listed = topology_.Contains(options_.tag);
  topology_ = std::move(next);
  member_tags_ = topology_.MemberTags();
  topology_nodes_.clear();
  for (const auto* group : {&topology_.members, &topology_.promotables, &topology_.watchers}) {
    for (const auto& [tag, node_id] : *group) topology_nodes_.emplace_back(tag, node_id);
  }
  InvalidateMemberSlots();
  RachisObservation observation{.kind = RachisObservation::Kind::kTopologyChanged,
                                .term = term_,
                                .index = log_.LastIndex()};
  observation.voters = member_tags_;
  for (const auto& [tag, id] : topology_.promotables) observation.non_voters.push_back(tag);
  for (const auto& [tag, id] : topology_.watchers) observation.non_voters.push_back(tag);
  Observe(std::move(observation));
  if (state_ == RachisState::kLeader || state_ == RachisState::kLeaderElect) {
    RefreshAmbassadors();
  }
  if (state_ != RachisState::kPassive && was_listed && !topology_.Contains(options_.tag)) {
    // §1.1: removed from the topology -> Passive. (A joining node replaying older
    // topologies that predate it was never listed, so it is not "removed".)
    Mark("removed from topology");
    SetState(RachisState::kPassive, "removed from topology");
  }
}

void RachisNode::AdvanceCommitTo(uint64_t index, bool by_quorum,
                                 absl::Span<const std::string* const> supporters) {
  CHECK_LE(index, log_.LastIndex());
  if (index <= commit_index_) return;
  // The commit index rides along with the next HardState write but never forces one:
  // it can always be re-learned from the leader (difference from RavenDB, which
  // stores it in the apply transaction; see docs/RACHIS.md).
  commit_index_ = index;
  {
    RachisObservation& observation = AddObservation(RachisObservation::Kind::kCommitAdvanced);
    observation.index = index;
    observation.by_quorum = by_quorum;
    // Written into the (possibly recycled) observation's own vectors.
    for (const std::string* tag : supporters) observation.supporters.push_back(*tag);
    if (by_quorum) observation.voters = member_tags_;
  }
  // §1.1: LeaderElect -> Leader the first time it commits an entry of its own term.
  if (state_ == RachisState::kLeaderElect && log_.TermAt(index) == term_) TakeOffice();
  ApplyCommitted();
}

void RachisNode::ApplyCommitted() {
  while (applied_index_ < commit_index_) {
    const uint64_t index = applied_index_ + 1;
    const LogEntry& entry = log_.At(index);
    // Valid until the next observation is added (none is, before its last use below).
    RachisObservation& applied = AddObservation(RachisObservation::Kind::kApplied);
    applied.index = index;
    applied.entry_term = entry.term();
    applied.command_hash = log_.HashAt(index);
    if (entry.flags() == ENTRY_FLAGS_STATE_MACHINE_COMMAND) {
      const std::string& request_id = entry.request_id();
      applied.not_request = request_id.empty();
      const AppliedKey key = request_id.empty() ? AppliedKey{} : AppliedKey::Of(request_id);
      const AppliedRecord* seen = request_id.empty() ? nullptr : FindApplied(key);
      if (seen != nullptr) {
        // §1.4: LogHistory says this request was applied already; do not apply twice.
        applied.skipped = true;
        Mark("duplicate request not applied twice");
        const AppliedRecord original = *seen;
        applied_index_ = index;
        ResolveWaiters(request_id, original.index, original.result);
        continue;
      }
      // The result is applied straight into its LogHistory record (RememberApplied's
      // record, built in place).
      uint64_t position = 0;
      AppliedRecord* record = ClaimAppliedRecord(key, index, &position);
      std::string* result = record != nullptr ? &record->result : &apply_result_;
      options_.state_machine->ApplyInto(index, entry.command(), result);
      applied_index_ = index;
      if (record != nullptr) IndexAppliedRecord(*record, position);
      ResolveWaiters(request_id, index, *result);
      continue;
    }
    applied.not_request = true;  // a noop or a topology change
    applied_index_ = index;
  }
  MaybeCompact();
}

void RachisNode::MaybeCompact() {
  if (options_.snapshot_every_entries == 0) return;
  if (applied_index_ < log_.snapshot_index() + options_.snapshot_every_entries) return;
  snapshot_ = MakeSnapshot();
  log_.CompactThrough(snapshot_->last_included_index(), snapshot_->last_included_term());
  topology_entries_.erase(topology_entries_.begin(),
                          topology_entries_.upper_bound(applied_index_));
  snapshot_to_persist_ = snapshot_;
  Mark("log compacted into snapshot");
  Observe({.kind = RachisObservation::Kind::kSnapshotInstalled,
           .term = term_,
           .index = snapshot_->last_included_index(),
           .entry_term = snapshot_->last_included_term()});
}

std::shared_ptr<const Snapshot> RachisNode::MakeSnapshot() const {
  // Built on an arena that lives as long as the snapshot: its thousands of small
  // messages and strings are carved from a few blocks and freed together.
  auto arena = std::make_shared<google::protobuf::Arena>();
  Snapshot& snapshot = *google::protobuf::Arena::CreateMessage<Snapshot>(arena.get());
  snapshot.set_last_included_index(applied_index_);
  snapshot.set_last_included_term(*log_.TermAt(applied_index_));
  *snapshot.mutable_topology() = TopologyAt(applied_index_).ToProto();
  snapshot.set_state_machine(options_.state_machine->Serialize());
  // The LogHistory, written straight into its bytes: sized, then filled in one pass.
  size_t history_bytes = 0;
  for (size_t k = 0; k < applied_history_count_; ++k) {
    const AppliedRecord& record = AppliedSlot(k);
    history_bytes += LogHistoryRequestSize(record.request_id, record.index, record.result);
  }
  std::string* history = snapshot.mutable_log_history();
  history->resize(history_bytes);
  char* p = history->data();
  for (size_t k = 0; k < applied_history_count_; ++k) {
    const AppliedRecord& record = AppliedSlot(k);
    p = PutLogHistoryRequest(record.request_id, record.index, record.result, p);
  }
  CHECK(p == history->data() + history->size());
  return std::shared_ptr<const Snapshot>(std::move(arena), &snapshot);
}

void RachisNode::InstallSnapshotState(const Snapshot& snapshot) {
  const uint64_t index = snapshot.last_included_index();
  const uint64_t term = snapshot.last_included_term();
  CHECK_GT(index, commit_index_);
  if (log_.TermAt(index) == term) {
    log_.CompactThrough(index, term);
    Observe({.kind = RachisObservation::Kind::kSnapshotInstalled,
             .term = term_, .index = index, .entry_term = term});
    if (unstable_from_ != 0) unstable_from_ = std::max(unstable_from_, index + 1);
  } else {
    log_.ResetTo(index, term);
    Observe({.kind = RachisObservation::Kind::kLogReset,
             .term = term_, .index = index, .entry_term = term});
    unstable_from_ = 0;
  }
  persisted_index_ = std::min(persisted_index_, log_.LastIndex());
  absl::Status restored = options_.state_machine->Restore(snapshot.state_machine());
  CHECK_MSG(restored.ok(), restored.ToString());
  RestoreHistory(snapshot);
  snapshot_ = std::make_shared<const Snapshot>(snapshot);
  snapshot_to_persist_ = snapshot_;
  topology_entries_.erase(topology_entries_.begin(), topology_entries_.upper_bound(index));
  applied_index_ = index;
  commit_index_ = index;  // the snapshot record itself carries it to the disk
  Observe({.kind = RachisObservation::Kind::kCommitAdvanced, .term = term_, .index = index});
  RecomputeTopology();
}

void RachisNode::Observe(RachisObservation observation) {
  NextObservationSlot() = std::move(observation);
}

void RachisNode::RecycleObservations(std::vector<RachisObservation>&& observations) {
  if (observations_.capacity() != 0) return;
  // Kept as they are (not destroyed): the next observations are written over them.
  observations_ = std::move(observations);
  observation_count_ = 0;
}

}  // namespace ravensim::rachis
