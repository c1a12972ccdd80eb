// RachisNode: construction, state transitions, timers, message dispatch and the Ready
// bookkeeping. The log, commit, apply and compaction live in log_apply.cc, elections in
// elector.cc, the follower side in follower.cc, the leader side in leader.cc and
// command handling in commands.cc.
#include "core/rachis/rachis_node.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/rachis/checksum.h"
#include "core/rachis/entry_hash.h"

namespace ravensim::rachis {

const char* RachisStateName(RachisState state) {
  switch (state) {
    case RachisState::kPassive: return "Passive";
    case RachisState::kFollower: return "Follower";
    case RachisState::kCandidate: return "Candidate";
    case RachisState::kLeaderElect: return "LeaderElect";
    case RachisState::kLeader: return "Leader";
  }
  return "?";
}

RachisNode::RachisNode(const RachisOptions& options) : options_(options) {
  // The LogHistory fills up to its bound and stays there: size the index once.
  const size_t history = static_cast<size_t>(
      std::clamp(options_.log_history_max_entries, 0, kMaxHistoryReserve));
  applied_position_by_request_.Reserve(history);
  applied_history_.reserve(history);
}

absl::StatusOr<std::unique_ptr<RachisNode>> RachisNode::Create(
    const RachisOptions& options, const RestoredState& restored) {
  if (absl::Status s = ValidateNodeTag(options.tag); !s.ok()) return s;
  if (!options.random_word) {
    return absl::InvalidArgumentError("RachisOptions.random_word is required");
  }
  if (options.state_machine == nullptr) {
    return absl::InvalidArgumentError("RachisOptions.state_machine is required");
  }
  if (options.election_timeout_ns < 3) {
    return absl::InvalidArgumentError("RachisOptions.election_timeout_ns is too small");
  }
  std::unique_ptr<RachisNode> node(new RachisNode(options));
  if (!node->options_.new_envelope) {
    node->options_.new_envelope = [](RachisMessage::BodyCase) {
      return std::make_shared<RachisEnvelope>();
    };
  }
  if (absl::Status s = node->Restore(restored); !s.ok()) return s;
  return node;
}

absl::Status RachisNode::Restore(const RestoredState& restored) {
  if (restored.Empty() && options_.bootstrap_topology.has_value()) {
    auto bootstrap = std::make_shared<Snapshot>();
    bootstrap->set_last_included_index(0);
    bootstrap->set_last_included_term(0);
    *bootstrap->mutable_topology() = *options_.bootstrap_topology;
    bootstrap->set_state_machine(options_.state_machine->Serialize());
    snapshot_ = std::move(bootstrap);
    snapshot_to_persist_ = snapshot_;
  } else if (restored.snapshot.has_value()) {
    snapshot_ = std::make_shared<const Snapshot>(*restored.snapshot);
    absl::Status s = options_.state_machine->Restore(snapshot_->state_machine());
    if (!s.ok()) return s;
    RestoreHistory(*snapshot_);
  }
  log_.ResetTo(snapshot_->last_included_index(), snapshot_->last_included_term());
  Observe({.kind = RachisObservation::Kind::kLogReset,
           .index = log_.snapshot_index(),
           .entry_term = log_.snapshot_term()});
  for (const LogEntryPtr& entry : restored.entries) {
    if (entry->index() <= log_.snapshot_index()) continue;
    AppendToLog(entry);
  }
  unstable_from_ = 0;  // everything restored is already on disk
  persisted_index_ = log_.LastIndex();
  term_ = restored.hard_state.term();
  voted_for_ = restored.hard_state.voted_for();
  durable_term_ = term_;
  durable_voted_for_ = voted_for_;
  applied_index_ = log_.snapshot_index();
  commit_index_ = std::min(std::max(restored.hard_state.commit_index(), applied_index_),
                           log_.LastIndex());
  RecomputeTopology();
  // RachisConsensus.Initialize (§1.1): no topology id, or not in it -> Passive;
  // otherwise Follower with the election timer running.
  if (topology_.topology_id.empty() || !topology_.Contains(options_.tag)) {
    state_ = RachisState::kPassive;
  } else {
    state_ = RachisState::kFollower;
  }
  RandomizeTimeout(/*extend=*/false);
  Observe({.kind = RachisObservation::Kind::kStateChanged, .state = state_, .term = term_});
  if (commit_index_ > applied_index_) {
    Observe({.kind = RachisObservation::Kind::kCommitAdvanced, .index = commit_index_});
  }
  ApplyCommitted();
  return absl::OkStatus();
}

void RachisNode::AdvanceTime(int64_t now_ns) {
  if (!time_started_) {
    time_started_ = true;
    last_deferral_ns_ = now_ns;
  } else if (now_ns < now_ns_) {
    // TimeoutEvent.ExpiredLastDeferral treats a clock going backwards as expired (§1.2).
    last_deferral_ns_ = now_ns - timeout_ns_;
  }
  now_ns_ = now_ns;
}

int64_t RachisNode::mark(const std::string& name) const {
  auto it = marks_.find(name);
  return it == marks_.end() ? 0 : it->second;
}

// --- State and timers -----------------------------------------------------------------

void RachisNode::SetState(RachisState state, const std::string& reason) {
  const RachisState old = state_;
  if (old == RachisState::kLeader || old == RachisState::kLeaderElect) {
    if (state != RachisState::kLeader) {
      FailLeaderWaiters(absl::StrCat("leadership lost: ", reason));
      ambassadors_.clear();
      InvalidateMemberSlots();
    }
  }
  state_ = state;
  if (state == RachisState::kFollower || state == RachisState::kCandidate) {
    RandomizeTimeout(/*extend=*/false);
  }
  Observe({.kind = RachisObservation::Kind::kStateChanged, .state = state_, .term = term_});
}

void RachisNode::SetTerm(uint64_t term, const std::string& voted_for) {
  CHECK_GE(term, term_);
  term_ = term;
  voted_for_ = voted_for;
  hard_state_dirty_ = true;
}

// RandomizeTimeout (§1.2): uniform in [2/3·T, T), or [4/3·T, 2T) after a failed round.
void RachisNode::RandomizeTimeout(bool extend) {
  const int64_t t = options_.election_timeout_ns * (extend ? 2 : 1);
  const int64_t low = t * 2 / 3;
  const uint64_t span = static_cast<uint64_t>(t - low);
  timeout_ns_ = low + static_cast<int64_t>(options_.random_word() % span);
}

// TimeoutEvent.Defer (§1.2): remember when we last heard from `leader_tag`.
void RachisNode::Defer(const std::string& leader_tag) {
  last_deferral_ns_ = now_ns_;
  // Nearly always the leader already known (every AppendEntries defers).
  if (!SameTag(leader_tag_, leader_tag)) leader_tag_ = leader_tag;
}

int64_t RachisNode::NextDeadlineInAnyState() const {
  int64_t deadline = std::numeric_limits<int64_t>::max();
  switch (state_) {
    case RachisState::kPassive:
      break;
    case RachisState::kFollower:
    case RachisState::kCandidate:
      deadline = last_deferral_ns_ + timeout_ns_;
      break;
    case RachisState::kLeaderElect:
    case RachisState::kLeader: {
      const int64_t heartbeat = options_.election_timeout_ns / 3;
      deadline = now_ns_ + heartbeat;
      for (const AmbassadorRef& ref : ambassador_list_) {
        deadline = std::min(deadline, ref.ambassador->last_send_ns + heartbeat);
      }
      break;
    }
  }
  for (const auto& [request_id, pending] : pending_) {
    deadline = std::min(deadline, pending.deadline_ns);
  }
  return std::max(deadline, now_ns_ + 1);
}

void RachisNode::Tick(int64_t now_ns) {
  AdvanceTime(now_ns);
  ExpireSubmissions();
  switch (state_) {
    case RachisState::kPassive:
      break;
    case RachisState::kFollower:
      if (now_ns_ - last_deferral_ns_ >= timeout_ns_) OnElectionTimeout();
      break;
    case RachisState::kCandidate:
      if (now_ns_ - last_deferral_ns_ >= timeout_ns_) {
        // §1.3 step 4: no result in time -> retry at CurrentTerm+1 with a longer timeout.
        Mark("candidate round timed out");
        RandomizeTimeout(/*extend=*/true);
        StartElectionRound();
      }
      break;
    case RachisState::kLeaderElect:
    case RachisState::kLeader:
      LeaderTick();
      break;
  }
}

// §1.1: Follower --(election timeout, and I am a Member)--> Candidate.
void RachisNode::OnElectionTimeout() { SwitchToCandidate(/*forced=*/false); }

// SwitchToCandidateState (§1.1).
void RachisNode::SwitchToCandidate(bool forced) {
  if (!topology_.Contains(options_.tag)) {
    SetState(RachisState::kPassive, "not in topology at candidacy time");
    return;
  }
  if (!topology_.IsMember(options_.tag)) {
    // Promotables and watchers never run for office; keep waiting for a leader.
    Defer("");
    RandomizeTimeout(/*extend=*/false);
    return;
  }
  leader_tag_.clear();
  // A single member (RavenDB's SwitchToSingleLeader: vote for self in term+1 and become
  // LeaderElect, in one transaction) takes the same round as any candidate: its trial
  // needs no one else's vote, so it casts its vote for term+1 at once, and CountVotes
  // counts that vote only once it is durable (Advance), as the transaction's commit
  // does. It never leads a term its disk did not record (which, restarted from that
  // disk, it would lead again with other entries).
  forced_election_ = forced;
  SetState(RachisState::kCandidate, forced ? "forced election" : "election timeout");
  StartElectionRound();
}

void RachisNode::BecomeFollower(uint64_t term, const std::string& leader_tag) {
  if (term > term_) SetTerm(term, "");
  if (state_ != RachisState::kFollower) {
    SetState(topology_.Contains(options_.tag) || topology_.topology_id.empty()
                 ? RachisState::kFollower
                 : RachisState::kPassive,
             "higher term or valid leader");
  }
  Defer(leader_tag);
}

// --- Messages -------------------------------------------------------------------------

void RachisNode::FillEnvelope(const std::string& to, int32_t to_node_id,
                              RachisMessage* message) const {
  // A reused envelope often holds the same strings already (RachisOptions::new_envelope):
  // comparing is cheaper than assigning.
  if (!SameTag(message->from(), options_.tag)) AssignTag(message->mutable_from(), options_.tag);
  if (!SameTag(message->to(), to)) AssignTag(message->mutable_to(), to);
  if (message->topology_id() != topology_.topology_id) {
    message->set_topology_id(topology_.topology_id);
  }
  message->set_term(term_);
  message->set_from_node_id(options_.node_id);
  message->set_to_node_id(to_node_id);
}

void RachisNode::Emit(const std::string& to, int32_t to_node_id, RachisMessage message) {
  FillEnvelope(to, to_node_id, &message);
  // Copied onto the envelope's arena (the paths that build a message first are rare).
  *NewEnvelope(RachisMessage::BODY_NOT_SET).mutable_message() = std::move(message);
}

RachisEnvelope& RachisNode::NewEnvelope(RachisMessage::BodyCase body) {
  // TakeReady() hands the vector over: start each Ready's with room for a typical one.
  if (outbox_.capacity() == 0) outbox_.reserve(kReadyReserve);
  return *outbox_.emplace_back(options_.new_envelope(body));
}

RachisMessage& RachisNode::AddMessage(const std::string& to, int32_t to_node_id,
                                      RachisMessage::BodyCase body) {
  RachisMessage* message = NewEnvelope(body).mutable_message();  // built in place
  FillEnvelope(to, to_node_id, message);
  return *message;
}

const int32_t* RachisNode::PeerNodeId(const std::string& to) {
  const int32_t* node_id = FindNodeId(to);
  if (node_id == nullptr) Mark("message to a tag outside the topology dropped");
  return node_id;
}

RachisEnvelope* RachisNode::AddEnvelopeTo(const std::string& to,
                                          RachisMessage::BodyCase body) {
  const int32_t* node_id = PeerNodeId(to);
  if (node_id == nullptr) return nullptr;
  RachisEnvelope& envelope = NewEnvelope(body);
  FillEnvelope(to, *node_id, envelope.mutable_message());
  return &envelope;
}

void RachisNode::SendTo(const std::string& to, RachisMessage message) {
  if (const int32_t* node_id = PeerNodeId(to)) Emit(to, *node_id, std::move(message));
}

void RachisNode::Reply(const RachisMessage& request, RachisMessage message) {
  Emit(request.from(), request.from_node_id(), std::move(message));
}

absl::Status RachisNode::Step(int64_t now_ns, const RachisMessage& message) {
  return StepMessage(now_ns, message, {}, {});
}

absl::Status RachisNode::Step(int64_t now_ns, const RachisEnvelope& envelope) {
  const absl::Span<const LogEntryPtr> shared = envelope.SharedEntries();
  return StepMessage(now_ns, envelope.message(), shared,
                     shared.empty() ? absl::Span<const uint64_t>() : envelope.added_hashes());
}

// Inline into both Step()s: every message passes here.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline absl::Status RachisNode::StepMessage(
    int64_t now_ns, const RachisMessage& message, absl::Span<const LogEntryPtr> shared_entries,
    absl::Span<const uint64_t> shared_hashes) {
  AdvanceTime(now_ns);
  if (!SameTag(message.to(), options_.tag)) {
    return absl::InvalidArgumentError(
        absl::StrCat("message for '", message.to(), "' delivered to ", options_.tag));
  }
  if (message.from().empty()) return absl::InvalidArgumentError("message has no sender");
  // §1.5: connections from a different TopologyId are rejected.
  if (!message.topology_id().empty() && !topology_.topology_id.empty() &&
      message.topology_id() != topology_.topology_id) {
    Mark("topology mismatch rejected");
    if (message.has_append_entries()) {
      RachisMessage reply;
      reply.mutable_append_entries_response()->set_topology_mismatch(true);
      reply.mutable_append_entries_response()->set_sequence(
          message.append_entries().sequence());
      Reply(message, std::move(reply));
    }
    return absl::FailedPreconditionError(
        absl::StrCat("message from topology ", message.topology_id(), ", mine is ",
                     topology_.topology_id));
  }
  const bool known = KnownSender(message.from(), message.from_node_id());
  const bool joining = state_ == RachisState::kPassive || topology_.topology_id.empty();
  switch (message.body_case()) {
    case RachisMessage::kRequestVote:
      HandleRequestVote(message);  // Elector rule 3 answers unknown requesters.
      break;
    // A leader is accepted on its term alone, whether or not our topology lists it
    // (RachisConsensus.AcceptNewConnection checks the topology id, then
    // Follower.CheckIfValidLeader the term): our topology may come from an entry that
    // leader is about to overwrite. Refusing it left a follower whose uncommitted
    // change had removed the new leader deaf to it for good.
    case RachisMessage::kAppendEntries:
      if (!known && !joining) Mark("append from outside our topology, judged on its term");
      HandleAppendEntries(message, shared_entries, shared_hashes);
      return absl::OkStatus();
    case RachisMessage::kInstallSnapshot:
      HandleInstallSnapshot(message);
      return absl::OkStatus();
    case RachisMessage::kRequestVoteResponse:
      if (known) HandleRequestVoteResponse(message);
      break;
    case RachisMessage::kAppendEntriesResponse:
      if (known) HandleAppendEntriesResponse(message);
      break;
    case RachisMessage::kInstallSnapshotResponse:
      if (known) HandleInstallSnapshotResponse(message);
      break;
    case RachisMessage::kForwardCommand:
      if (known) HandleForwardCommand(message);
      break;
    case RachisMessage::kForwardCommandResponse:
      if (known) HandleForwardCommandResponse(message);
      break;
    case RachisMessage::BODY_NOT_SET:
      return absl::InvalidArgumentError("message has no body");
  }
  if (!known) {
    return absl::NotFoundError(
        absl::StrCat("message from '", message.from(), "', not in the topology"));
  }
  return absl::OkStatus();
}

// --- Ready ------------------------------------------------------------------------------

Ready RachisNode::TakeReady() {
  // The kept Ready, moved out whole: the next TakeReadyInPlace() refills every part.
  return std::move(TakeReadyInPlace());
}

Ready& RachisNode::TakeReadyInPlace() {
  CHECK(!ready_outstanding_);
  Ready& ready = ready_;
  ready.id = next_ready_id_++;
  ready.snapshot = std::move(snapshot_to_persist_);
  snapshot_to_persist_.reset();
  if (unstable_from_ != 0) {
    const uint64_t from = std::max(unstable_from_, log_.snapshot_index() + 1);
    SharedLogAppend& append =
        ready.log_append.has_value() ? *ready.log_append : ready.log_append.emplace();
    append = SharedLogAppend();
    append.set_truncate_from(from);
    if (from <= log_.LastIndex()) append.reserve(log_.LastIndex() - from + 1);
    log_.ForEachFrom(from, std::numeric_limits<uint64_t>::max(),
                     [&append](const LogEntryPtr& entry) { append.add_entry(entry); });
    unstable_from_ = 0;
  } else {
    ready.log_append.reset();
  }
  if (hard_state_dirty_) {
    HardState& hard_state =
        ready.hard_state.has_value() ? *ready.hard_state : ready.hard_state.emplace();
    hard_state.set_term(term_);
    hard_state.set_voted_for(voted_for_);
    hard_state.set_commit_index(commit_index_);
    hard_state_dirty_ = false;
  } else {
    ready.hard_state.reset();
  }
  // Each vector swaps with the node's: the Ready's old one (emptied) gathers the next.
  ready.messages.clear();
  ready.messages.swap(outbox_);
  ready.results.clear();
  ready.results.swap(results_);
  DropUnwrittenObservations();
  observation_count_ = 0;
  // What the last Ready's observations left (all of them, if not moved out) is written
  // over by the next ones, as recycled ones are (RecycleObservations).
  ready.observations.swap(observations_);
  ready_outstanding_ = true;
  return ready;
}

void RachisNode::Advance(const Ready& handled) {
  CHECK(ready_outstanding_);
  CHECK_EQ(handled.id, next_ready_id_ - 1);
  ready_outstanding_ = false;
  if (handled.log_append.has_value() && handled.log_append->entries_size() > 0) {
    const LogEntry& last = *handled.log_append->shared_entries().back();
    if (log_.TermAt(last.index()) == last.term()) {
      persisted_index_ = std::max(persisted_index_, std::min(last.index(), log_.LastIndex()));
    }
  }
  if (handled.hard_state.has_value()) {
    durable_term_ = handled.hard_state->term();
    durable_voted_for_ = handled.hard_state->voted_for();
    // A candidate whose own vote completes its majority (a single voter) wins now.
    if (state_ == RachisState::kCandidate && real_election_started_) CountVotes();
  }
  if (state_ == RachisState::kLeader || state_ == RachisState::kLeaderElect) {
    TryAdvanceCommit();
  }
}

}  // namespace ravensim::rachis
