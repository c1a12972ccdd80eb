// Elections (RAVENDB_MODEL.md §1.3): the candidate's rounds (Candidate.cs) and the
// elector's vote granting (Elector.cs).
#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/rachis/rachis_node.h"

namespace ravensim::rachis {

// §1.3 steps 1-3: a round at ElectionTerm = CurrentTerm+1; a trial (pre-vote, nothing
// persisted) unless forced, in which case the vote for self is persisted at once.
void RachisNode::StartElectionRound() {
  CHECK(state_ == RachisState::kCandidate);
  election_term_ = term_ + 1;
  trial_votes_ = {options_.tag};
  real_votes_ = {options_.tag};
  real_election_started_ = false;
  last_deferral_ns_ = now_ns_;
  if (forced_election_) {
    CastVoteForSelf();
    return;
  }
  Mark("trial election started");
  SendVoteRequests(/*trial=*/true);
  CountVotes();
}

// CastVoteForSelf (§1.3 step 4): persist term+vote, then the real election at the same
// term. The vote reaches the disk before any RequestVote leaves (Ready contract).
void RachisNode::CastVoteForSelf() {
  SetTerm(election_term_, options_.tag);
  real_votes_ = {options_.tag};
  real_election_started_ = true;
  SendVoteRequests(/*trial=*/false);
  CountVotes();
}

// §1.3 step 3: one request per other Member.
void RachisNode::SendVoteRequests(bool trial) {
  for (const std::string& tag : topology_.MemberTags()) {
    if (tag == options_.tag) continue;
    RachisEnvelope* envelope = AddEnvelopeTo(tag, RachisMessage::kRequestVote);
    if (envelope == nullptr) continue;
    RachisMessage* message = envelope->mutable_message();
    // The message carries term_ by default; a vote request is for ElectionTerm.
    message->set_term(election_term_);
    RequestVote* rv = message->mutable_request_vote();
    rv->set_last_log_index(log_.LastIndex());
    rv->set_last_log_term(log_.LastTerm());
    rv->set_is_trial_election(trial);
    rv->set_is_forced_election(forced_election_);
  }
}

// §1.3 step 4: majority = (voters_excl_self + 1)/2 + 1; only Members count.
void RachisNode::CountVotes() {
  const int majority = topology_.Majority();
  int trial = 0;
  int real = 0;
  for (const std::string& tag : trial_votes_) trial += topology_.IsMember(tag) ? 1 : 0;
  for (const std::string& tag : real_votes_) real += topology_.IsMember(tag) ? 1 : 0;
  if (real_election_started_ && real >= majority) {
    // Our own vote counts once it is durable (CastVoteForSelf commits before anything
    // follows). With other voters this always holds by the time their votes arrive (the
    // requests left after the sync); a single voter waits here for Advance.
    if (!SelfVoteDurable()) return;
    BecomeLeaderElect();
    return;
  }
  if (!real_election_started_ && trial >= majority) {
    Mark("trial election won");
    CastVoteForSelf();
  }
}

void RachisNode::HandleRequestVoteResponse(const RachisMessage& message) {
  if (state_ != RachisState::kCandidate) return;
  const RequestVoteResponse& response = message.request_vote_response();
  if (response.not_in_topology()) {
    // §1.3: an authoritative NotInTopology from a leader -> Passive.
    SetState(RachisState::kPassive, "told NotInTopology by the leader");
    return;
  }
  if (!response.vote_granted() && message.term() > term_) {
    // §1.1: Candidate --(higher term)--> Follower.
    BecomeFollower(message.term(), "");
    return;
  }
  if (response.election_term() != election_term_ || !response.vote_granted()) return;
  if (response.is_trial_election()) {
    if (real_election_started_) return;
    trial_votes_.insert(message.from());
  } else {
    if (!real_election_started_) return;
    real_votes_.insert(message.from());
  }
  CountVotes();
}

void RachisNode::ReplyVote(const RachisMessage& request, bool granted, uint64_t term,
                           bool not_in_topology, const std::string& reason) {
  RachisMessage& reply =
      AddMessage(request.from(), request.from_node_id(), RachisMessage::kRequestVoteResponse);
  reply.set_term(term);
  RequestVoteResponse* response = reply.mutable_request_vote_response();
  response->set_election_term(request.term());
  response->set_vote_granted(granted);
  response->set_is_trial_election(request.request_vote().is_trial_election());
  response->set_not_in_topology(not_in_topology);
  response->set_reason(reason);
  if (!granted) Mark(absl::StrCat("vote denied: ", reason));
}

// Elector.HandleVoteRequest: the rules of §1.3, in order.
void RachisNode::HandleRequestVote(const RachisMessage& message) {
  const RequestVote& rv = message.request_vote();
  const std::string& source = message.from();
  // Rule 1: a vote request from our own leader makes us leaderless.
  if (leader_tag_ == source && state_ == RachisState::kFollower) leader_tag_.clear();
  // Rule 2: a node with no TopologyId (wiped) is not part of any cluster.
  if (topology_.topology_id.empty()) {
    ReplyVote(message, true, message.term(), false, "not part of any cluster");
    return;
  }
  // Rule 3: unknown requester; NotInTopology is authoritative only from a Leader.
  if (!topology_.Contains(source)) {
    ReplyVote(message, false, term_, state_ == RachisState::kLeader,
              "requester not in my topology");
    return;
  }
  // Rule 5: stale term, or a less up-to-date last log term.
  if (message.term() <= term_) {
    ReplyVote(message, false, term_, false, "my term is higher or equal");
    return;
  }
  if (rv.last_log_term() < log_.LastTerm()) {
    ReplyVote(message, false, term_, false, "my last log term is higher");
    return;
  }
  // Rule 6: a leader in good standing resists a non-forced election.
  if (!rv.is_forced_election() &&
      (state_ == RachisState::kLeader || state_ == RachisState::kLeaderElect)) {
    ReplyVote(message, false, term_, false, "coup will be resisted");
    return;
  }
  // Rule 7 (already voted for another / in a higher term) cannot fire here: a vote is
  // kept only for CurrentTerm, and message.term() > CurrentTerm at this point.
  // Rule 8: a term beyond CurrentTerm+1 means the cluster moved on: adopt it, deny.
  if (message.term() > term_ + 1) {
    BecomeFollower(message.term(), "");
    ReplyVote(message, false, term_, false, "increasing my term");
    return;
  }
  const bool my_log_longer =
      rv.last_log_term() == log_.LastTerm() && log_.LastIndex() > rv.last_log_index();
  if (rv.is_trial_election()) {
    // Rule 9: deny while a leader kept us up to date within T/2.
    if (now_ns_ - last_deferral_ns_ < options_.election_timeout_ns / 2 &&
        !leader_tag_.empty()) {
      ReplyVote(message, false, term_, false, "my leader is keeping me up to date");
      return;
    }
    if (my_log_longer) {
      ReplyVote(message, false, term_, false, "my log is more up to date");
      return;
    }
    ReplyVote(message, true, message.term(), false, "I might vote for you");
    return;
  }
  // Rule 10: the real vote, persisted before the reply leaves.
  if (my_log_longer) {
    ReplyVote(message, false, term_, false, "my log is more up to date");
    return;
  }
  BecomeFollower(message.term(), "");
  SetTerm(message.term(), source);
  Mark("real vote granted");
  ReplyVote(message, true, message.term(), false, "I've voted for you");
}

}  // namespace ravensim::rachis
