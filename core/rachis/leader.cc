// The leader side (RAVENDB_MODEL.md §1.4, §1.5; Leader.cs, FollowerAmbassador.cs):
// LeaderElect's noop, ambassadors with negotiation and snapshots, the commit rule,
// the vote of no confidence, promotion and topology changes.
#include <algorithm>
#include <functional>
#include <iterator>
#include <limits>
#include <optional>

#include "absl/base/optimization.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/rachis/quorum.h"
#include "core/rachis/rachis_node.h"

namespace ravensim::rachis {

// §1.1: SetNewStateInTx(LeaderElect) appends a noop in the new term.
void RachisNode::BecomeLeaderElect() {
  RachisObservation won{.kind = RachisObservation::Kind::kElectionWon, .term = term_};
  for (const std::string& tag : real_votes_) {
    if (topology_.IsMember(tag)) won.supporters.push_back(tag);
  }
  won.voters = member_tags_;
  Observe(std::move(won));
  SetState(RachisState::kLeaderElect, "election won");
  leader_tag_ = options_.tag;
  office_start_ns_ = now_ns_;
  ambassadors_.clear();
  InvalidateMemberSlots();
  RefreshAmbassadors();
  auto noop = std::make_shared<LogEntry>();
  noop->set_index(log_.LastIndex() + 1);
  noop->set_term(term_);
  noop->set_flags(ENTRY_FLAGS_NOOP);
  AppendToLog(std::move(noop));
  for (auto& [tag, ambassador] : ambassadors_) SendToFollower(tag, &ambassador);
}

// TakeOffice (§1.1): LeaderElect -> Leader on the first commit of its own term.
void RachisNode::TakeOffice() {
  Mark("took office");
  SetState(RachisState::kLeader, "noop of own term committed");
}

void RachisNode::RefreshAmbassadors() {
  for (const std::string& tag : topology_.AllTags()) {
    if (tag == options_.tag || ambassadors_.count(tag) > 0) continue;
    FollowerAmbassador ambassador;
    ambassador.high = log_.LastIndex() + 1;
    ambassador.last_reply_ns = now_ns_;
    ambassador.last_send_ns = now_ns_ - options_.election_timeout_ns;
    ambassadors_[tag] = ambassador;
  }
  for (auto it = ambassadors_.begin(); it != ambassadors_.end();) {
    it = topology_.Contains(it->first) ? std::next(it) : ambassadors_.erase(it);
  }
  InvalidateMemberSlots();
}

void RachisNode::SendToFollower(const std::string& tag, FollowerAmbassador* ambassador) {
  if (ambassador->topology_mismatch) return;
  switch (ambassador->mode) {
    case FollowerAmbassador::Mode::kNegotiate:
      SendNegotiationProbe(tag, ambassador);
      return;
    case FollowerAmbassador::Mode::kSnapshot:
      SendSnapshot(tag, ambassador);
      return;
    case FollowerAmbassador::Mode::kReplicate:
      break;
  }
  const uint64_t prev = ambassador->next_index - 1;
  if (prev < log_.snapshot_index()) {
    // The entries it needs were compacted away: InstallSnapshot (§1.4).
    ambassador->mode = FollowerAmbassador::Mode::kSnapshot;
    SendSnapshot(tag, ambassador);
    return;
  }
  const uint64_t sequence = next_sequence_++;
  ambassador->sequence = sequence;
  ambassador->in_flight = true;
  ambassador->last_send_ns = now_ns_;
  RachisEnvelope* envelope;
  if (ambassador->listed) {
    // The node id kept with the ambassador (the lookup AddEnvelopeTo would make).
    envelope = &NewEnvelope(RachisMessage::kAppendEntries);
    FillEnvelope(tag, ambassador->node_id, envelope->mutable_message());
  } else {
    envelope = AddEnvelopeTo(tag, RachisMessage::kAppendEntries);
    if (envelope == nullptr) return;
  }
  AppendEntries* ae = envelope->mutable_message()->mutable_append_entries();
  ae->set_prev_log_index(prev);
  ae->set_prev_log_term(*log_.TermAt(prev));
  // The log's entries themselves, shared with the message (no copies), with their hashes.
  log_.ForEachWithHashFrom(
      prev + 1, static_cast<uint64_t>(std::max(options_.max_entries_per_append, 0)),
      [envelope](const LogEntryPtr& entry, uint64_t hash) { envelope->AddEntry(entry, hash); });
  ae->set_leader_commit(commit_index_);
  ae->set_sequence(sequence);
  if (ABSL_PREDICT_FALSE(ambassador->force_elections)) ae->set_force_elections(true);
}

// Negotiation (§1.4): a binary search for the last index where the follower's log
// matches ours. The first probe is our last index (the steady-state case).
void RachisNode::SendNegotiationProbe(const std::string& tag,
                                      FollowerAmbassador* ambassador) {
  uint64_t probe = ambassador->first_probe
                       ? log_.LastIndex()
                       : ambassador->low + (ambassador->high - ambassador->low) / 2;
  if (probe < log_.snapshot_index()) {
    if (ambassador->high <= log_.snapshot_index()) {
      ambassador->mode = FollowerAmbassador::Mode::kSnapshot;
      SendSnapshot(tag, ambassador);
      return;
    }
    probe = log_.snapshot_index();
  }
  Mark("leader sent negotiation probe");
  RachisMessage message;
  AppendEntries* ae = message.mutable_append_entries();
  ae->set_prev_log_index(probe);
  ae->set_prev_log_term(*log_.TermAt(probe));
  ae->set_leader_commit(commit_index_);
  ae->set_sequence(next_sequence_);
  // Probes open every conversation, so they carry the topology a Passive node needs.
  *ae->mutable_topology() = topology_.ToProto();
  ambassador->sequence = next_sequence_++;
  ambassador->in_flight = true;
  ambassador->last_send_ns = now_ns_;
  SendTo(tag, std::move(message));
}

void RachisNode::SendSnapshot(const std::string& tag, FollowerAmbassador* ambassador) {
  Mark("leader sent snapshot");
  RachisMessage message;
  *message.mutable_install_snapshot()->mutable_snapshot() = *snapshot_;
  message.mutable_install_snapshot()->set_sequence(next_sequence_);
  ambassador->sequence = next_sequence_++;
  ambassador->in_flight = true;
  ambassador->last_send_ns = now_ns_;
  SendTo(tag, std::move(message));
}

// New entries: wake every ambassador that is replicating and idle.
void RachisNode::BroadcastAppend(bool heartbeat_only_when_due) {
  const int64_t heartbeat = options_.election_timeout_ns / 3;
  for (const AmbassadorRef& ref : ambassador_list_) {
    const std::string& tag = *ref.tag;
    FollowerAmbassador& ambassador = *ref.ambassador;
    const bool due = now_ns_ - ambassador.last_send_ns >= heartbeat;
    if (heartbeat_only_when_due) {
      if (!due) continue;
      ambassador.in_flight = false;
    } else if (ambassador.in_flight ||
               ambassador.mode != FollowerAmbassador::Mode::kReplicate ||
               ambassador.next_index > log_.LastIndex()) {
      continue;
    }
    SendToFollower(tag, &ambassador);
  }
}

void RachisNode::HandleAppendEntriesResponse(const RachisMessage& message) {
  if (message.term() > term_) {
    BecomeFollower(message.term(), "");
    return;
  }
  if (state_ != RachisState::kLeader && state_ != RachisState::kLeaderElect) return;
  if (message.term() < term_) return;
  const AmbassadorRef* ref = FindAmbassador(message.from());
  if (ref == nullptr) return;
  const uint64_t epoch = ambassadors_epoch_;
  FollowerAmbassador& a = *ref->ambassador;
  const AppendEntriesResponse& response = message.append_entries_response();
  a.last_reply_ns = now_ns_;
  if (response.topology_mismatch()) {
    Mark("follower of another topology dropped");
    a.topology_mismatch = true;
    return;
  }
  const bool current = response.sequence() == a.sequence;
  if (current) a.in_flight = false;
  if (response.success()) {
    a.match_index = std::max(a.match_index, response.match_index());
    a.low = std::max(a.low, response.match_index());
    if (a.mode == FollowerAmbassador::Mode::kNegotiate) {
      a.first_probe = false;
      a.high = std::max(a.high, a.low + 1);
      if (a.low + 1 >= a.high) {
        a.mode = FollowerAmbassador::Mode::kReplicate;
        a.next_index = a.low + 1;
      }
    }
    if (a.mode == FollowerAmbassador::Mode::kReplicate) {
      a.next_index = std::max(a.next_index, a.match_index + 1);
    }
    TryAdvanceCommit();
    CheckPromotables();
  } else {
    if (!current) return;  // a stale answer to an older probe
    Mark("leader negotiating with follower");
    if (a.mode == FollowerAmbassador::Mode::kReplicate) {
      a.mode = FollowerAmbassador::Mode::kNegotiate;
      a.low = a.match_index;
      a.high = std::numeric_limits<uint64_t>::max();
    }
    a.first_probe = false;
    a.high = std::min({a.high, response.probe_index(), response.last_log_index() + 1});
    a.high = std::max(a.high, a.low + 1);
    if (a.low + 1 >= a.high) {
      a.mode = FollowerAmbassador::Mode::kReplicate;
      a.next_index = a.low + 1;
    }
  }
  // Promotion or a state change may have refreshed the map (and the list).
  const AmbassadorRef* again = epoch == ambassadors_epoch_ ? ref : FindAmbassador(message.from());
  if (again == nullptr || again->ambassador->in_flight) return;
  if (state_ != RachisState::kLeader && state_ != RachisState::kLeaderElect) return;
  if (again->ambassador->mode != FollowerAmbassador::Mode::kReplicate ||
      again->ambassador->next_index <= log_.LastIndex()) {
    SendToFollower(*again->tag, again->ambassador);
  }
}

void RachisNode::HandleInstallSnapshotResponse(const RachisMessage& message) {
  if (message.term() > term_) {
    BecomeFollower(message.term(), "");
    return;
  }
  if (state_ != RachisState::kLeader && state_ != RachisState::kLeaderElect) return;
  auto it = ambassadors_.find(message.from());
  if (it == ambassadors_.end() || message.term() < term_) return;
  FollowerAmbassador& a = it->second;
  a.last_reply_ns = now_ns_;
  if (message.install_snapshot_response().sequence() == a.sequence) a.in_flight = false;
  const uint64_t match = message.install_snapshot_response().match_index();
  a.match_index = std::max(a.match_index, match);
  a.low = std::max(a.low, match);
  a.mode = FollowerAmbassador::Mode::kReplicate;
  a.next_index = std::max(a.next_index, a.match_index + 1);
  TryAdvanceCommit();
  CheckPromotables();
  auto again = ambassadors_.find(message.from());
  if (again != ambassadors_.end() && !again->second.in_flight &&
      (state_ == RachisState::kLeader || state_ == RachisState::kLeaderElect)) {
    SendToFollower(again->first, &again->second);
  }
}

// GetMaxIndexOnQuorum (§1.4): the highest index held by a majority of Members (the
// leader counts what is durable on its own disk); commit it only if it is of the
// leader's term (Raft §5.4.2). Promotables and watchers are never counted.
void RachisNode::TryAdvanceCommit() {
  const int majority = topology_.Majority();
  const size_t count = topology_.members.size();
  if (static_cast<int>(count) < majority) return;
  if (!member_slots_valid_) RebuildMemberSlots();
  // Match index per member, in tag order; the leader counts only what is durable here.
  own_match_ = std::min(persisted_index_, log_.LastIndex());
  const uint64_t* const* slots = member_slots_.data();
  // The highest index a majority holds is above the commit index iff a majority holds
  // something above it (the common case on every response is: nothing new).
  int above_commit = 0;
  for (size_t i = 0; i < count; ++i) above_commit += *slots[i] > commit_index_ ? 1 : 0;
  if (above_commit < majority) return;
  absl::InlinedVector<uint64_t, 16> matches(count);
  for (size_t i = 0; i < count; ++i) matches[i] = *slots[i];
  const uint64_t index = QuorumIndex(matches, majority);  // the highest a majority holds
  if (log_.TermAt(index) != term_) {
    Mark("commit deferred: quorum index not of leader's term");
    return;
  }
  absl::InlinedVector<const std::string*, 16> supporters;  // sorted: members in tag order
  for (size_t i = 0; i < count; ++i) {
    if (matches[i] >= index) supporters.push_back(&member_tags_[i]);
  }
  AdvanceCommitTo(index, /*by_quorum=*/true, supporters);
  BroadcastAppend(/*heartbeat_only_when_due=*/false);
}

void RachisNode::RebuildAmbassadorList() {
  ambassador_list_.clear();
  for (auto& [tag, ambassador] : ambassadors_) {
    const int32_t* node_id = FindNodeId(tag);
    ambassador.listed = node_id != nullptr;
    ambassador.node_id = node_id != nullptr ? *node_id : -1;
    ambassador_list_.push_back({&tag, &ambassador});
  }
}

void RachisNode::RebuildMemberSlots() {
  member_slots_.clear();
  member_slots_.reserve(topology_.members.size());
  for (const auto& [tag, node_id] : topology_.members) {
    const uint64_t* match = &kNoMatch;
    if (tag == options_.tag) {
      match = &own_match_;
    } else if (auto it = ambassadors_.find(tag); it != ambassadors_.end()) {
      match = &it->second.match_index;
    }
    member_slots_.push_back(match);
  }
  member_slots_valid_ = true;
}

// EnsureThatWeHaveLeadership (§1.4): self + Members heard from within ElectionTimeout.
bool RachisNode::EnsureThatWeHaveLeadership() {
  if (now_ns_ - office_start_ns_ < options_.election_timeout_ns) return true;
  int heard = topology_.IsMember(options_.tag) ? 1 : 0;
  for (const auto& [tag, ambassador] : ambassadors_) {
    if (!topology_.IsMember(tag)) continue;
    if (now_ns_ - ambassador.last_reply_ns < options_.election_timeout_ns) ++heard;
  }
  if (heard >= topology_.Majority()) return true;
  // VoteOfNoConfidence -> SwitchToCandidateState (§1.1).
  Mark("vote of no confidence");
  SwitchToCandidate(/*forced=*/false);
  return false;
}

void RachisNode::LeaderTick() {
  if (!EnsureThatWeHaveLeadership()) return;
  BroadcastAppend(/*heartbeat_only_when_due=*/true);
}

bool RachisNode::TopologyChangeInFlight() const {
  return !topology_entries_.empty() && topology_entries_.rbegin()->first > commit_index_;
}

// CheckPromotables (§1.5): promote one Promotable whose log matches ours.
void RachisNode::CheckPromotables() {
  if (state_ != RachisState::kLeader || TopologyChangeInFlight()) return;
  for (const auto& [tag, node_id] : topology_.promotables) {
    auto it = ambassadors_.find(tag);
    if (it == ambassadors_.end() || it->second.match_index != log_.LastIndex()) continue;
    Mark("promotable promoted to member");
    const std::string promoted = tag;
    const int32_t id = node_id;
    absl::StatusOr<std::string> done = ModifyTopology(now_ns_, promoted, id,
                                                      NodeKind::kMember);
    CHECK_MSG(done.ok(), done.status().ToString());
    return;
  }
}

absl::StatusOr<std::string> RachisNode::ModifyTopology(int64_t now_ns,
                                                       const std::string& tag,
                                                       int32_t node_id, NodeKind kind) {
  AdvanceTime(now_ns);
  if (state_ != RachisState::kLeader) {
    return absl::FailedPreconditionError(absl::StrCat(options_.tag, " is not the leader"));
  }
  // §1.5: only one topology modification in flight.
  if (TopologyChangeInFlight()) {
    return absl::FailedPreconditionError("a topology change is already in flight");
  }
  std::string target = tag;
  if (target.empty()) {
    if (kind == NodeKind::kRemove) return absl::InvalidArgumentError("remove needs a tag");
    target = NextNodeTag(topology_.last_node_id);
    while (topology_.Contains(target)) target = NextNodeTag(target);
  }
  if (absl::Status s = ValidateNodeTag(target); !s.ok()) return s;
  if (target == options_.tag) {
    return absl::FailedPreconditionError("cannot modify the leader itself");
  }
  std::optional<int32_t> existing = topology_.NodeIdOf(target);
  if (kind == NodeKind::kRemove && !existing.has_value()) {
    return absl::NotFoundError(absl::StrCat("node ", target, " is not in the topology"));
  }
  if (node_id < 0) {
    if (!existing.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat("new node ", target, " needs an id"));
    }
    node_id = *existing;
  }
  // A removed node's ambassador is dropped when the entry refreshes the ambassadors
  // (below), but in RavenDB not before the new entry has woken every ambassador:
  // TryModifyTopologyAsync signals _newEntry, whose handler releases the ambassadors to
  // send, ahead of _voterResponded, whose handler (OnVoterConfirmation) runs
  // RefreshAmbassadors and disposes the removed one. So an idle ambassador sends its
  // node the entries it lacks, the removal among them, and the node, appending a
  // topology without itself, goes Passive ("I was kicked out of the cluster"). Modelled
  // as one last append to a replicating, idle ambassador; one waiting for a reply is
  // disposed before it sends again. If that append is lost, the node learns of its
  // removal only when a leader denies its vote with NotInTopology (§1.3 rule 3).
  std::optional<FollowerAmbassador> last_append;
  if (kind == NodeKind::kRemove) {
    const auto it = ambassadors_.find(target);
    if (it != ambassadors_.end() && it->second.mode == FollowerAmbassador::Mode::kReplicate &&
        !it->second.in_flight && !it->second.topology_mismatch &&
        it->second.next_index > log_.snapshot_index()) {
      last_append = it->second;
      last_append->listed = true;  // addressed by the id it had, as it leaves topology_
      last_append->node_id = node_id;
    }
  }
  auto entry = std::make_shared<LogEntry>();
  entry->set_index(log_.LastIndex() + 1);
  entry->set_term(term_);
  entry->set_flags(ENTRY_FLAGS_TOPOLOGY);
  *entry->mutable_topology() =
      topology_.With(target, node_id, kind, static_cast<int64_t>(entry->index())).ToProto();
  AppendToLog(std::move(entry));  // takes effect now and refreshes the ambassadors
  BroadcastAppend(/*heartbeat_only_when_due=*/false);
  if (last_append.has_value()) {
    Mark("removed node sent its removal");
    SendToFollower(target, &*last_append);
  }
  return target;
}

absl::Status RachisNode::StepDown(int64_t now_ns) {
  AdvanceTime(now_ns);
  if (state_ != RachisState::kLeader) {
    return absl::FailedPreconditionError(absl::StrCat(options_.tag, " is not the leader"));
  }
  const std::string* best = nullptr;
  FollowerAmbassador* best_ambassador = nullptr;
  for (auto& [tag, ambassador] : ambassadors_) {
    if (!topology_.IsMember(tag)) continue;
    if (best_ambassador == nullptr ||
        ambassador.match_index > best_ambassador->match_index ||
        (ambassador.match_index == best_ambassador->match_index &&
         ambassador.last_reply_ns > best_ambassador->last_reply_ns)) {
      best = &tag;
      best_ambassador = &ambassador;
    }
  }
  if (best == nullptr) return absl::FailedPreconditionError("no voter to hand over to");
  // Leader.StepDown: ForceElectionsNow on the chosen voter's ambassador, which is woken
  // up. Its next AppendEntries carries the flag with every entry the voter still lacks,
  // so the voter runs its forced election holding the leader's log; an append already
  // in flight is answered first (as in RavenDB, whose ambassador waits for the reply).
  Mark("leader stepped down");
  best_ambassador->force_elections = true;
  if (!best_ambassador->in_flight) SendToFollower(*best, best_ambassador);
  return absl::OkStatus();
}

}  // namespace ravensim::rachis
