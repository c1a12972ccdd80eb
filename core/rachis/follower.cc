// The follower side of replication (RAVENDB_MODEL.md §1.4; Follower.cs, Negotiation.cs):
// AppendEntries with log negotiation, and InstallSnapshot.
#include <algorithm>

#include "absl/base/optimization.h"
#include "core/base/check.h"
#include "core/rachis/rachis_node.h"

namespace ravensim::rachis {

void RachisNode::ReplyAppendEntries(const RachisMessage& request, bool success,
                                    uint64_t match_index) {
  AppendEntriesResponse* response =
      AddMessage(request.from(), request.from_node_id(), RachisMessage::kAppendEntriesResponse)
          .mutable_append_entries_response();
  response->set_success(success);
  response->set_match_index(match_index);
  response->set_last_log_index(log_.LastIndex());
  response->set_probe_index(request.append_entries().prev_log_index());
  response->set_sequence(request.append_entries().sequence());
}

// Checks the sender may lead us at its term and makes us its Follower. False if the
// message must be refused (a stale term: answered so the old leader learns our term).
bool RachisNode::AcceptLeader(const RachisMessage& message) {
  if (message.term() < term_) {
    // §1.4: a message of a term lower than ours is rejected.
    Mark("append from a stale leader rejected");
    if (message.has_append_entries()) ReplyAppendEntries(message, false, 0);
    return false;
  }
  if (state_ == RachisState::kPassive) {
    // §1.1: Passive accepts a leader whose cluster lists it.
    ClusterTopology leader_topology = ClusterTopology::FromProto(
        message.has_append_entries() ? message.append_entries().topology()
                                     : message.install_snapshot().snapshot().topology());
    if (!leader_topology.Contains(options_.tag)) return false;
    Mark("passive node joined a leader");
  }
  if (message.term() == term_ &&
      (state_ == RachisState::kLeader || state_ == RachisState::kLeaderElect)) {
    // Two leaders in one term: impossible in Raft, reachable here only when a voter
    // forgot its vote with its disk (§1.3 Elector rule 2). Both reported ELECTION_WON /
    // a leader state, so the checker flags election safety; ignore the other leader.
    Mark("append from a second leader of our term ignored");
    return false;
  }
  if (message.term() > term_) SetTerm(message.term(), "");
  if (state_ != RachisState::kFollower) {
    SetState(RachisState::kFollower, "accepted AppendEntries from a leader");
  }
  Defer(message.from());
  return true;
}

void RachisNode::HandleAppendEntries(const RachisMessage& message,
                                     absl::Span<const LogEntryPtr> shared,
                                     absl::Span<const uint64_t> shared_hashes) {
  if (!AcceptLeader(message)) return;
  const AppendEntries& ae = message.append_entries();
  const uint64_t prev = ae.prev_log_index();
  // Negotiation (§1.4): tell the leader where our log stops matching.
  if (prev > log_.LastIndex()) {
    Mark("negotiation: follower log too short");
    ReplyAppendEntries(message, false, 0);
    return;
  }
  if (prev >= log_.snapshot_index() && log_.TermAt(prev) != ae.prev_log_term()) {
    Mark("negotiation: term mismatch at probe");
    ReplyAppendEntries(message, false, 0);
    return;
  }
  // Below our snapshot everything is committed, hence identical to the leader's.
  uint64_t match = prev;
  for (int k = 0; k < ae.entries_size(); ++k) {
    const LogEntry& entry = ae.entries(k);
    match = entry.index();
    if (entry.index() <= log_.snapshot_index()) continue;
    std::optional<uint64_t> existing = log_.TermAt(entry.index());
    if (existing.has_value() && *existing == entry.term()) continue;
    if (existing.has_value() && entry.index() <= commit_index_) {
      // The leader contradicts an entry we committed. Raft forbids it, but the modelled
      // system reaches it: a node that lost its disk has no topology id and grants its
      // vote to anyone (RAVENDB_MODEL.md §1.3 Elector rule 2), so a stale candidate can
      // win. Report it and refuse the append; never overwrite or apply over the
      // committed entry. No reply: the exchange ends here, as a connection that fails,
      // and the leader tries again at its next heartbeat. (A failure reply would restart
      // the negotiation, which ends at this same entry: requests and replies without
      // end, and over links of zero delay all at one instant of simulated time.) How
      // RavenDB's follower treats such a divergence (HandleDivergenceAtFirstLeaderEntry)
      // is not modelled: Raft rules the state out, and only the wipe hazard reaches it.
      Mark("append contradicting a committed entry refused");
      Observe({.kind = RachisObservation::Kind::kCommittedConflict,
               .term = term_,
               .index = entry.index(),
               .entry_term = entry.term(),
               .committed_term = *existing});
      return;
    }
    if (existing.has_value()) {
      // Conflicting suffix replaced (§1.4).
      Mark("follower truncated conflicting suffix");
      TruncateLogFrom(entry.index());
    }
    // The sender's own entry when it shares it (immutable), else a copy; with the hash
    // its sender's log keeps, when it came along (EntryHash of the same entry).
    if (shared.empty()) {
      AppendToLog(ShareEntry(entry));
    } else if (shared_hashes.empty()) {
      AppendToLog(shared[static_cast<size_t>(k)]);
    } else {
      AppendToLog(shared[static_cast<size_t>(k)], shared_hashes[static_cast<size_t>(k)]);
    }
  }
  // commit = min(LeaderCommit, last index verified to match) (§1.4).
  const uint64_t commit = std::min(ae.leader_commit(), match);
  if (commit > commit_index_) AdvanceCommitTo(commit, /*by_quorum=*/false, {});
  if (ABSL_PREDICT_FALSE(ae.force_elections()) && topology_.IsMember(options_.tag)) {
    // StepDown (§1.5, Follower.cs): with the leader's entries appended, run a forced
    // election instead of replying. The entries are persisted before any RequestVote
    // leaves (the Ready contract).
    Mark("forced election on leader's request");
    SwitchToCandidate(/*forced=*/true);
    return;
  }
  ReplyAppendEntries(message, true, match);
}

void RachisNode::HandleInstallSnapshot(const RachisMessage& message) {
  if (!AcceptLeader(message)) return;
  const Snapshot& snapshot = message.install_snapshot().snapshot();
  if (snapshot.last_included_index() <= commit_index_) {
    // We already hold (and committed) everything it covers.
    Mark("snapshot already covered");
  } else {
    Mark("follower installed snapshot");
    InstallSnapshotState(snapshot);
  }
  RachisMessage reply;
  reply.mutable_install_snapshot_response()->set_match_index(
      std::min(snapshot.last_included_index(), log_.LastIndex()));
  reply.mutable_install_snapshot_response()->set_sequence(
      message.install_snapshot().sequence());
  Reply(message, std::move(reply));
}

}  // namespace ravensim::rachis
