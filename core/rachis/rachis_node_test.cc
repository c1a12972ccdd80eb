// RachisNode driven directly, one message at a time, in the style of etcd's
// raft_paper_test.go: init, step, check what the Ready asks for.
#include "core/rachis/rachis_node.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/rachis/entry_hash.h"
#include "core/rachis/persistence.h"
#include "core/rachis/test_cluster.h"
#include "gtest/gtest.h"

namespace ravensim::rachis {
namespace {

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kT = 300 * kMs;

ClusterTopologyProto Topology(int members, int watchers = 0) {
  ClusterTopologyProto topology;
  topology.set_topology_id("t1");
  for (int i = 0; i < members + watchers; ++i) {
    TopologyNode* node = i < members ? topology.add_members() : topology.add_watchers();
    node->set_tag(std::string(1, static_cast<char>('A' + i)));
    node->set_node_id(i);
  }
  return topology;
}

LogEntry Entry(uint64_t index, uint64_t term, const std::string& command = "") {
  LogEntry entry;
  entry.set_index(index);
  entry.set_term(term);
  entry.set_flags(command.empty() ? ENTRY_FLAGS_NOOP : ENTRY_FLAGS_STATE_MACHINE_COMMAND);
  entry.set_command(command);
  if (!command.empty()) entry.set_request_id("req-" + command);
  return entry;
}

// A node "A" with the given topology, durable term and log.
struct Fixture {
  ListStateMachine state_machine;
  std::unique_ptr<RachisNode> node;
  uint64_t word = 0;  // every timeout draw returns this word

  explicit Fixture(int members, uint64_t term = 0, std::vector<LogEntry> entries = {},
                   int watchers = 0, const std::string& tag = "A") {
    RachisOptions options;
    options.tag = tag;
    options.node_id = tag[0] - 'A';
    options.random_word = [this] { return word; };
    options.state_machine = &state_machine;
    RestoredState restored;
    Snapshot snapshot;
    *snapshot.mutable_topology() = Topology(members, watchers);
    restored.snapshot = snapshot;
    restored.hard_state.set_term(term);
    for (LogEntry& entry : entries) restored.entries.push_back(ShareEntry(std::move(entry)));
    node = std::move(*RachisNode::Create(options, restored));
    node->Tick(0);
    Drain();
  }
  Ready Drain() {
    Ready all;
    while (node->HasReady()) {
      Ready ready = node->TakeReady();
      if (ready.hard_state.has_value()) all.hard_state = ready.hard_state;
      if (ready.log_append.has_value()) all.log_append = ready.log_append;
      for (auto& m : ready.messages) all.messages.push_back(m);
      for (auto& r : ready.results) all.results.push_back(r);
      for (auto& o : ready.observations) all.observations.push_back(o);
      node->Advance(ready);
    }
    return all;
  }
  RachisMessage From(const std::string& from, uint64_t term) {
    RachisMessage message;
    message.set_from(from);
    message.set_from_node_id(from[0] - 'A');
    message.set_to(node->tag());
    message.set_topology_id("t1");
    message.set_term(term);
    return message;
  }
  Ready Step(int64_t now, const RachisMessage& message) {
    EXPECT_TRUE(node->Step(now, message).ok());
    return Drain();
  }
  RachisMessage VoteResponse(const std::string& from, uint64_t election_term, bool trial,
                             bool granted) {
    RachisMessage m = From(from, granted ? election_term : election_term - 1);
    m.mutable_request_vote_response()->set_election_term(election_term);
    m.mutable_request_vote_response()->set_is_trial_election(trial);
    m.mutable_request_vote_response()->set_vote_granted(granted);
    return m;
  }
  RachisMessage VoteRequest(const std::string& from, uint64_t term, uint64_t last_index,
                            uint64_t last_term, bool trial, bool forced = false) {
    RachisMessage m = From(from, term);
    m.mutable_request_vote()->set_last_log_index(last_index);
    m.mutable_request_vote()->set_last_log_term(last_term);
    m.mutable_request_vote()->set_is_trial_election(trial);
    m.mutable_request_vote()->set_is_forced_election(forced);
    return m;
  }
  RachisMessage Append(const std::string& from, uint64_t term, uint64_t prev_index,
                       uint64_t prev_term, std::vector<LogEntry> entries, uint64_t commit) {
    RachisMessage m = From(from, term);
    AppendEntries* ae = m.mutable_append_entries();
    ae->set_prev_log_index(prev_index);
    ae->set_prev_log_term(prev_term);
    for (auto& e : entries) *ae->add_entries() = e;
    ae->set_leader_commit(commit);
    *ae->mutable_topology() = Topology(3);
    return m;
  }
  RachisMessage AppendResponse(const std::string& from, uint64_t term, uint64_t match,
                               uint64_t sequence = 0) {
    RachisMessage m = From(from, term);
    m.mutable_append_entries_response()->set_success(true);
    m.mutable_append_entries_response()->set_match_index(match);
    m.mutable_append_entries_response()->set_last_log_index(match);
    m.mutable_append_entries_response()->set_sequence(sequence);
    return m;
  }
  // Makes A the leader of `term_before + 1` in a cluster of `members`.
  void WinElection(int64_t now) {
    node->Tick(now);
    Drain();
    const uint64_t election = node->term() + 1;
    for (int i = 1; i <= node->topology().Majority() - 1; ++i) {
      Step(now, VoteResponse(std::string(1, 'A' + i), election, true, true));
    }
    for (int i = 1; i <= node->topology().Majority() - 1; ++i) {
      Step(now, VoteResponse(std::string(1, 'A' + i), election, false, true));
    }
  }
};

// §1.2: the election timeout is uniform in [2/3·T, T): word 0 gives exactly 2/3·T.
TEST(RachisNodeTest, FollowerTimesOutAtRandomizedTimeout) {
  Fixture f(3);
  f.node->Tick(199 * kMs);
  EXPECT_EQ(f.node->state(), RachisState::kFollower);
  f.node->Tick(200 * kMs);
  EXPECT_EQ(f.node->state(), RachisState::kCandidate);
}

// §1.3 step 2: a non-forced election starts as a trial: nothing persisted.
TEST(RachisNodeTest, CandidateStartsWithTrialElectionPersistingNothing) {
  Fixture f(3);
  f.node->Tick(kT);
  Ready ready = f.Drain();
  EXPECT_EQ(f.node->state(), RachisState::kCandidate);
  EXPECT_FALSE(ready.hard_state.has_value());
  EXPECT_EQ(f.node->term(), 0u);
  ASSERT_EQ(ready.messages.size(), 2u);
  for (const auto& envelope : ready.messages) {
    const RachisMessage& m = envelope->message();
    ASSERT_TRUE(m.has_request_vote());
    EXPECT_TRUE(m.request_vote().is_trial_election());
    EXPECT_EQ(m.term(), 1u);
  }
}

// §1.3 step 4: a trial majority -> vote for self persisted -> real RequestVotes.
TEST(RachisNodeTest, TrialMajorityLeadsToPersistedRealElection) {
  Fixture f(3);
  f.node->Tick(kT);
  f.Drain();
  Ready ready = f.Step(kT, f.VoteResponse("B", 1, true, true));
  ASSERT_TRUE(ready.hard_state.has_value());
  EXPECT_EQ(ready.hard_state->term(), 1u);
  EXPECT_EQ(ready.hard_state->voted_for(), "A");
  ASSERT_EQ(ready.messages.size(), 2u);
  EXPECT_FALSE(ready.messages[0]->message().request_vote().is_trial_election());
  ready = f.Step(kT, f.VoteResponse("C", 1, false, true));
  EXPECT_EQ(f.node->state(), RachisState::kLeaderElect);
  // §1.1: LeaderElect appends a noop of its term.
  ASSERT_TRUE(ready.log_append.has_value());
  ASSERT_EQ(ready.log_append->entries_size(), 1);
  EXPECT_EQ(ready.log_append->entries(0).flags(), ENTRY_FLAGS_NOOP);
  EXPECT_EQ(ready.log_append->entries(0).term(), 1u);
  // The noop commits with a majority -> Leader.
  f.Step(kT, f.AppendResponse("B", 1, 1, 0));
  EXPECT_EQ(f.node->state(), RachisState::kLeader);
  EXPECT_EQ(f.node->commit_index(), 1u);
}

TEST(RachisNodeTest, FailedRoundRetriesWithExtendedTimeoutAndHigherTerm) {
  Fixture f(3);
  f.word = 199 * kMs;  // draws land at the top of their range
  f.node->Tick(kT);    // Candidate; this round's timeout is drawn from [200, 300) ms
  f.Drain();
  f.node->Tick(kT + 298 * kMs);
  EXPECT_EQ(f.node->mark("candidate round timed out"), 0);
  f.node->Tick(kT + 299 * kMs);
  EXPECT_EQ(f.node->mark("candidate round timed out"), 1);
  Ready ready = f.Drain();
  ASSERT_FALSE(ready.messages.empty());
  EXPECT_EQ(ready.messages[0]->message().term(), 1u);  // still CurrentTerm+1: trials persist nothing
  // After a failed round the draw is extended to [4/3·T, 2T) = [400, 600) ms.
  const int64_t retry = kT + 299 * kMs;
  f.node->Tick(retry + 598 * kMs);
  EXPECT_EQ(f.node->mark("candidate round timed out"), 1);
  f.node->Tick(retry + 599 * kMs);
  EXPECT_EQ(f.node->mark("candidate round timed out"), 2);
}

// Elector rule 9: deny a trial vote while a leader kept us up to date within T/2.
TEST(RachisNodeTest, ElectorDeniesTrialWhileLeaderIsFresh) {
  Fixture f(3);
  f.Step(10 * kMs, f.Append("B", 1, 0, 0, {}, 0));
  Ready ready = f.Step(100 * kMs, f.VoteRequest("C", 2, 0, 0, true));
  ASSERT_EQ(ready.messages.size(), 1u);
  EXPECT_FALSE(ready.messages[0]->message().request_vote_response().vote_granted());
  // After T/2 without the leader the trial vote is granted, without persisting.
  ready = f.Step(200 * kMs, f.VoteRequest("C", 2, 0, 0, true));
  EXPECT_TRUE(ready.messages[0]->message().request_vote_response().vote_granted());
  EXPECT_FALSE(ready.hard_state.has_value());
  EXPECT_EQ(f.node->term(), 1u);
}

// Elector rule 10: the real vote is persisted, and only one vote per term.
TEST(RachisNodeTest, ElectorPersistsRealVoteOncePerTerm) {
  Fixture f(3);
  Ready ready = f.Step(kMs, f.VoteRequest("B", 1, 0, 0, false));
  EXPECT_TRUE(ready.messages[0]->message().request_vote_response().vote_granted());
  ASSERT_TRUE(ready.hard_state.has_value());
  EXPECT_EQ(ready.hard_state->voted_for(), "B");
  ready = f.Step(kMs, f.VoteRequest("C", 1, 0, 0, false));
  EXPECT_FALSE(ready.messages[0]->message().request_vote_response().vote_granted());
}

// Elector rule 5: a candidate with an older last log term is denied.
TEST(RachisNodeTest, ElectorDeniesLessUpToDateLog) {
  Fixture f(3, 2, {Entry(1, 1), Entry(2, 2)});
  Ready ready = f.Step(kMs, f.VoteRequest("B", 3, 5, 1, false));
  EXPECT_FALSE(ready.messages[0]->message().request_vote_response().vote_granted());
  ready = f.Step(kMs, f.VoteRequest("B", 3, 1, 2, false));  // same term, shorter
  EXPECT_FALSE(ready.messages[0]->message().request_vote_response().vote_granted());
  ready = f.Step(kMs, f.VoteRequest("B", 3, 2, 2, false));
  EXPECT_TRUE(ready.messages[0]->message().request_vote_response().vote_granted());
}

// Elector rule 6: a leader resists a non-forced election, yields to a forced one.
TEST(RachisNodeTest, LeaderResistsNonForcedElection) {
  Fixture f(3);
  f.WinElection(kT);
  ASSERT_EQ(f.node->state(), RachisState::kLeaderElect);
  Ready ready = f.Step(kT, f.VoteRequest("B", 2, 1, 1, false));
  EXPECT_FALSE(ready.messages[0]->message().request_vote_response().vote_granted());
  EXPECT_EQ(f.node->state(), RachisState::kLeaderElect);
  ready = f.Step(kT, f.VoteRequest("B", 2, 1, 1, false, /*forced=*/true));
  EXPECT_TRUE(ready.messages[0]->message().request_vote_response().vote_granted());
  EXPECT_EQ(f.node->state(), RachisState::kFollower);
}

// Elector rule 8: a term beyond CurrentTerm+1 is adopted (persisted) and denied.
TEST(RachisNodeTest, ElectorAdoptsMuchHigherTerm) {
  Fixture f(3, 1);
  Ready ready = f.Step(kMs, f.VoteRequest("B", 5, 0, 0, true));
  EXPECT_FALSE(ready.messages[0]->message().request_vote_response().vote_granted());
  ASSERT_TRUE(ready.hard_state.has_value());
  EXPECT_EQ(ready.hard_state->term(), 5u);
  EXPECT_EQ(ready.hard_state->voted_for(), "");
}

// A leader is accepted on its term alone, as RavenDB's follower accepts a connection
// (topology id, then CheckIfValidLeader's term check), even when this node's topology
// does not list it: that topology may come from an uncommitted change the leader is
// about to overwrite. (A follower that dropped such appends stayed deaf to the only
// leader its cluster could elect: no leader ever again.)
TEST(RachisNodeTest, FollowerAcceptsALeaderOutsideItsTopologyOnItsTerm) {
  Fixture f(3, /*term=*/1);
  Ready stale = f.Step(kMs, f.Append("D", 0, 0, 0, {Entry(1, 0, "x")}, 0));
  ASSERT_EQ(stale.messages.size(), 1u);  // Refused, and told our term.
  EXPECT_FALSE(stale.messages[0]->message().append_entries_response().success());
  EXPECT_EQ(stale.messages[0]->message().term(), 1u);
  EXPECT_EQ(f.node->commit_index(), 0u);

  Ready ready = f.Step(2 * kMs, f.Append("D", 2, 0, 0, {Entry(1, 2, "a")}, 1));
  ASSERT_EQ(ready.messages.size(), 1u);
  EXPECT_EQ(ready.messages[0]->message().to(), "D");
  EXPECT_TRUE(ready.messages[0]->message().append_entries_response().success());
  EXPECT_EQ(f.node->state(), RachisState::kFollower);
  EXPECT_EQ(f.node->term(), 2u);
  EXPECT_EQ(f.node->commit_index(), 1u);
  EXPECT_EQ(f.node->mark("append from outside our topology, judged on its term"), 2);
}

// Elector rule 3: unknown requesters are denied; NotInTopology only from a leader.
TEST(RachisNodeTest, ElectorDeniesNodesOutsideTopology) {
  Fixture f(3);
  RachisMessage request = f.VoteRequest("Q", 1, 0, 0, false);
  EXPECT_EQ(f.node->Step(kMs, request).code(), absl::StatusCode::kNotFound);
  Ready ready = f.Drain();
  ASSERT_EQ(ready.messages.size(), 1u);
  EXPECT_FALSE(ready.messages[0]->message().request_vote_response().vote_granted());
  EXPECT_FALSE(ready.messages[0]->message().request_vote_response().not_in_topology());
}

// §1.5: messages from another cluster are rejected; malformed ones are errors.
TEST(RachisNodeTest, StepRejectsOtherClusterAndMisaddressedMessages) {
  Fixture f(3);
  RachisMessage other = f.Append("B", 1, 0, 0, {}, 0);
  other.set_topology_id("another");
  EXPECT_EQ(f.node->Step(kMs, other).code(), absl::StatusCode::kFailedPrecondition);
  Ready ready = f.Drain();
  ASSERT_EQ(ready.messages.size(), 1u);
  EXPECT_TRUE(ready.messages[0]->message().append_entries_response().topology_mismatch());
  EXPECT_EQ(f.node->term(), 0u);
  RachisMessage wrong = f.Append("B", 1, 0, 0, {}, 0);
  wrong.set_to("C");
  EXPECT_EQ(f.node->Step(kMs, wrong).code(), absl::StatusCode::kInvalidArgument);
}

// §1.4: negotiation on mismatch, conflicting suffix replaced, commit bounded by match.
TEST(RachisNodeTest, FollowerRejectsMismatchAndReplacesConflictingSuffix) {
  Fixture f(3, 1, {Entry(1, 1, "a"), Entry(2, 1, "b"), Entry(3, 1, "c")});
  Ready ready = f.Step(kMs, f.Append("B", 2, 5, 2, {}, 0));
  EXPECT_FALSE(ready.messages[0]->message().append_entries_response().success());
  EXPECT_EQ(ready.messages[0]->message().append_entries_response().last_log_index(), 3u);
  ready = f.Step(kMs, f.Append("B", 2, 2, 1, {Entry(3, 2, "x")}, 10));
  EXPECT_TRUE(ready.messages[0]->message().append_entries_response().success());
  EXPECT_EQ(ready.messages[0]->message().append_entries_response().match_index(), 3u);
  EXPECT_EQ(f.node->log().TermAt(3), 2u);
  EXPECT_EQ(f.node->commit_index(), 3u);  // min(leader commit 10, match 3)
  ASSERT_TRUE(ready.log_append.has_value());
  EXPECT_EQ(ready.log_append->truncate_from(), 3u);
  EXPECT_EQ(f.state_machine.applied(), (std::vector<std::string>{"a", "b", "x"}));
}

// StepDown (§1.5), the chosen voter's side: the append that asks for a forced election
// is applied first, then the voter campaigns at once (no trial) with the leader's log,
// and sends no reply to the append.
TEST(RachisNodeTest, ForcedElectionAppendIsAppliedThenCampaigns) {
  Fixture f(3, 1, {Entry(1, 1, "a")});
  RachisMessage append = f.Append("B", 1, 1, 1, {Entry(2, 1, "b"), Entry(3, 1, "c")}, 1);
  append.mutable_append_entries()->set_force_elections(true);
  const Ready ready = f.Step(kMs, append);
  EXPECT_EQ(f.node->state(), RachisState::kCandidate);
  EXPECT_EQ(f.node->log().LastIndex(), 3u);
  ASSERT_TRUE(ready.hard_state.has_value());  // the vote for itself, persisted
  EXPECT_EQ(ready.hard_state->term(), 2u);
  EXPECT_EQ(ready.hard_state->voted_for(), "A");
  int vote_requests = 0;
  for (const auto& m : ready.messages) {
    EXPECT_FALSE(m->message().has_append_entries_response());
    if (!m->message().has_request_vote()) continue;
    ++vote_requests;
    EXPECT_TRUE(m->message().request_vote().is_forced_election());
    EXPECT_FALSE(m->message().request_vote().is_trial_election());
    EXPECT_EQ(m->message().request_vote().last_log_index(), 3u);
  }
  EXPECT_EQ(vote_requests, 2);
}

// Envelopes handed out for reuse still hold an earlier message's envelope fields (of the
// same or another length): every message leaves with its own.
TEST(RachisNodeTest, ReusedEnvelopesGetEveryEnvelopeFieldSet) {
  ListStateMachine state_machine;
  RachisOptions options;
  options.tag = "A";
  options.node_id = 0;
  options.random_word = [] { return uint64_t{0}; };
  options.state_machine = &state_machine;
  int handed_out = 0;
  options.new_envelope = [&handed_out](RachisMessage::BodyCase) {
    auto envelope = std::make_shared<RachisEnvelope>();
    RachisMessage* m = envelope->mutable_message();
    const bool same_length = handed_out++ % 2 == 0;
    m->set_from(same_length ? "Z" : "ZZZ");
    m->set_to(same_length ? "Q" : "");
    m->set_topology_id("another");
    m->set_term(99);
    m->set_from_node_id(77);
    m->set_to_node_id(88);
    return envelope;
  };
  RestoredState restored;
  Snapshot snapshot;
  *snapshot.mutable_topology() = Topology(3);
  restored.snapshot = snapshot;
  std::unique_ptr<RachisNode> node = std::move(*RachisNode::Create(options, restored));
  node->Tick(0);
  node->Tick(kT);  // election timeout: trial vote requests to B and C
  int checked = 0;
  while (node->HasReady()) {
    Ready ready = node->TakeReady();
    for (const auto& envelope : ready.messages) {
      const RachisMessage& m = envelope->message();
      EXPECT_EQ(m.from(), "A");
      EXPECT_TRUE(m.to() == "B" || m.to() == "C") << m.to();
      EXPECT_EQ(m.to_node_id(), m.to() == "B" ? 1 : 2);
      EXPECT_EQ(m.from_node_id(), 0);
      EXPECT_EQ(m.topology_id(), "t1");
      EXPECT_EQ(m.term(), 1u);  // the trial election's term
      ++checked;
    }
    node->Advance(ready);
  }
  EXPECT_GE(checked, 2);
  EXPECT_GE(handed_out, 2);
}

// A leader's envelope carries each entry's hash from its log; the follower appending the
// shared entries with those hashes reports exactly what it reports for the same message
// with copied entries (hashes computed here), and the leader's log's own hashes.
TEST(RachisNodeTest, SharedEntriesWithHashesAppendAsCopiedOnes) {
  Fixture leader(3);
  leader.WinElection(kT);
  leader.node->Submit(kT, "req-x", "x");
  leader.node->Submit(kT, "req-y", "y");
  leader.Drain();
  // B answers the probe (matching nothing yet); the next heartbeat replicates from 1.
  leader.Step(kT, leader.AppendResponse("B", leader.node->term(), 0));
  leader.node->Tick(kT + kT / 3 + kMs);
  std::vector<std::shared_ptr<RachisEnvelope>> appends;
  for (auto& m : leader.Drain().messages) {
    if (m->message().has_append_entries() && m->message().to() == "B" &&
        m->message().append_entries().entries_size() > 0) {
      appends.push_back(m);
    }
  }
  ASSERT_FALSE(appends.empty());
  Fixture shared(3, 0, {}, 0, "B");
  Fixture copied(3, 0, {}, 0, "B");
  for (const auto& envelope : appends) {
    ASSERT_EQ(envelope->SharedEntryHashes().size(), envelope->SharedEntries().size());
    for (size_t i = 0; i < envelope->SharedEntries().size(); ++i) {
      const LogEntry& entry = *envelope->SharedEntries()[i];
      EXPECT_EQ(envelope->SharedEntryHashes()[i], EntryHash(entry));
      EXPECT_EQ(envelope->SharedEntryHashes()[i], leader.node->log().HashAt(entry.index()));
    }
    EXPECT_TRUE(shared.node->Step(kT, *envelope).ok());
    const Ready from_shared = shared.Drain();
    const Ready from_copied = copied.Step(kT, envelope->message());
    ASSERT_EQ(from_shared.observations.size(), from_copied.observations.size());
    int appended = 0;
    for (size_t i = 0; i < from_shared.observations.size(); ++i) {
      const RachisObservation& a = from_shared.observations[i];
      const RachisObservation& b = from_copied.observations[i];
      EXPECT_EQ(a.kind, b.kind);
      EXPECT_EQ(a.index, b.index);
      EXPECT_EQ(a.entry_term, b.entry_term);
      EXPECT_EQ(a.command_hash, b.command_hash);
      if (a.kind == RachisObservation::Kind::kEntryAppended) {
        ++appended;
        EXPECT_EQ(a.command_hash, leader.node->log().HashAt(a.index));
      }
    }
    EXPECT_GT(appended, 0);
  }
  EXPECT_EQ(shared.node->log().LastIndex(), copied.node->log().LastIndex());
  for (uint64_t i = 1; i <= shared.node->log().LastIndex(); ++i) {
    EXPECT_EQ(shared.node->log().HashAt(i), copied.node->log().HashAt(i));
  }
}

// §1.3 Elector rule 2 lets a node that lost its disk vote for a stale candidate, which
// can then send entries that contradict committed ones. The follower refuses the append,
// keeps its committed entries and reports the conflict instead of aborting.
TEST(RachisNodeTest, FollowerRefusesToOverwriteCommittedEntryAndReports) {
  Fixture f(3, 1, {Entry(1, 1, "a"), Entry(2, 1, "b"), Entry(3, 1, "c")});
  Ready ready = f.Step(kMs, f.Append("B", 1, 3, 1, {}, 2));
  ASSERT_EQ(f.node->commit_index(), 2u);
  // A stale leader of a later term whose log diverges at index 2.
  // No reply (RavenDB's follower fails the connection): a failure reply would restart
  // the leader's negotiation, which ends at this entry again, without end.
  ready = f.Step(2 * kMs, f.Append("C", 3, 1, 1, {Entry(2, 2, "x"), Entry(3, 2, "y")}, 3));
  EXPECT_EQ(ready.messages.size(), 0u);
  EXPECT_EQ(f.node->log().TermAt(2), 1u);
  EXPECT_EQ(f.node->log().TermAt(3), 1u);
  EXPECT_EQ(f.node->commit_index(), 2u);
  EXPECT_EQ(f.state_machine.applied(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(f.node->mark("append contradicting a committed entry refused"), 1);
  int conflicts = 0;
  for (const RachisObservation& o : ready.observations) {
    if (o.kind != RachisObservation::Kind::kCommittedConflict) continue;
    ++conflicts;
    EXPECT_EQ(o.index, 2u);
    EXPECT_EQ(o.entry_term, 2u);
    EXPECT_EQ(o.committed_term, 1u);
    EXPECT_EQ(o.term, 3u);
  }
  EXPECT_EQ(conflicts, 1);
  // An uncommitted suffix is still replaced as usual.
  ready = f.Step(3 * kMs, f.Append("C", 3, 2, 1, {Entry(3, 3, "z")}, 2));
  EXPECT_TRUE(ready.messages[0]->message().append_entries_response().success());
  EXPECT_EQ(f.node->log().TermAt(3), 3u);
}

// Two leaders in one term need a voter that forgot its vote (a wiped disk, §1.3 Elector
// rule 2). The leader ignores the other leader's append instead of aborting; the checker
// reports election safety from the two leadership observations.
TEST(RachisNodeTest, LeaderIgnoresAppendFromSecondLeaderOfItsTerm) {
  Fixture f(3);
  f.WinElection(kT);
  const uint64_t term = f.node->term();
  const RachisState state = f.node->state();
  const uint64_t last_index = f.node->log().LastIndex();  // its own noop
  ASSERT_TRUE(state == RachisState::kLeaderElect || state == RachisState::kLeader);
  Ready ready = f.Step(kT, f.Append("B", term, 0, 0, {Entry(1, term, "x")}, 1));
  EXPECT_TRUE(ready.messages.empty());
  EXPECT_EQ(f.node->state(), state);
  EXPECT_EQ(f.node->term(), term);
  EXPECT_EQ(f.node->mark("append from a second leader of our term ignored"), 1);
  EXPECT_EQ(f.node->log().LastIndex(), last_index);
  EXPECT_NE(f.node->log().At(1).command(), "x");
}

// Raft Figure 8 / §5.4.2: a new leader never commits an entry of an older term by
// counting replicas; it commits it only once an entry of its own term is on a majority.
TEST(RachisNodeTest, Figure8LeaderCommitsOnlyEntriesOfItsOwnTerm) {
  // A (S1 in the figure) has entries of terms 1 and 2 and becomes leader of term 4.
  Fixture f(5, 3, {Entry(1, 1, "a"), Entry(2, 2, "b")});
  f.WinElection(kT);
  ASSERT_EQ(f.node->term(), 4u);
  ASSERT_EQ(f.node->log().LastIndex(), 3u);  // the noop of term 4
  // Two followers report holding index 2 (a majority with A): not committable.
  f.Step(kT, f.AppendResponse("B", 4, 2));
  f.Step(kT, f.AppendResponse("C", 4, 2));
  EXPECT_EQ(f.node->commit_index(), 0u);
  EXPECT_GT(f.node->mark("commit deferred: quorum index not of leader's term"), 0);
  // Once the term-4 noop is on a majority, everything before it commits with it.
  f.Step(kT, f.AppendResponse("B", 4, 3));
  EXPECT_EQ(f.node->commit_index(), 0u);  // A and B: not yet a majority of five
  f.Step(kT, f.AppendResponse("C", 4, 3));
  EXPECT_EQ(f.node->commit_index(), 3u);
  EXPECT_EQ(f.node->state(), RachisState::kLeader);
}

// §1.4: a leader that has not heard from a majority within T steps down.
TEST(RachisNodeTest, LeaderStepsDownWithoutMajority) {
  Fixture f(3);
  f.WinElection(kT);
  f.Step(kT, f.AppendResponse("B", 1, 1));
  ASSERT_EQ(f.node->state(), RachisState::kLeader);
  f.node->Tick(kT + 250 * kMs);
  EXPECT_EQ(f.node->state(), RachisState::kLeader);
  f.Step(kT + 250 * kMs, f.AppendResponse("B", 1, 1));
  f.node->Tick(kT + 500 * kMs);  // B heard 250 ms ago: still a majority with A
  EXPECT_EQ(f.node->state(), RachisState::kLeader);
  f.node->Tick(kT + 551 * kMs);  // 301 ms since B: vote of no confidence
  EXPECT_EQ(f.node->state(), RachisState::kCandidate);
  EXPECT_EQ(f.node->mark("vote of no confidence"), 1);
}

// A sender is known by its tag alone: the node id it names (tried first) changes
// nothing, whether it is its own, another member's or none in the topology.
TEST(RachisNodeTest, SenderIsKnownByTagWhateverNodeIdItNames) {
  for (int32_t named_id : {1, 2, 42}) {
    Fixture f(3);
    RachisMessage append = f.Append("B", 1, 0, 0, {Entry(1, 1, "a")}, 1);
    append.set_from_node_id(named_id);
    Ready ready = f.Step(kMs, append);
    ASSERT_EQ(ready.messages.size(), 1u);
    EXPECT_TRUE(ready.messages[0]->message().append_entries_response().success());
    EXPECT_EQ(ready.messages[0]->message().to_node_id(), named_id);  // replies go back
    EXPECT_EQ(f.node->commit_index(), 1u);
    RachisMessage stranger = f.VoteRequest("Q", 1, 0, 0, false);
    stranger.set_from_node_id(named_id);
    EXPECT_EQ(f.node->Step(kMs, stranger).code(), absl::StatusCode::kNotFound);
    f.Drain();
  }
}

// The leader's AppendEntries go to the node id the topology gives each tag, also after
// a topology change adds a node (whose replies here name another id).
TEST(RachisNodeTest, LeaderAppendsCarryEachPeersNodeId) {
  Fixture f(3);
  f.WinElection(kT);
  auto check = [](const Ready& ready) {
    int appends = 0;
    for (const auto& envelope : ready.messages) {
      const RachisMessage& m = envelope->message();
      if (!m.has_append_entries()) continue;
      ++appends;
      const int32_t expected = m.to() == "B" ? 1 : m.to() == "C" ? 2 : 7;
      EXPECT_EQ(m.to_node_id(), expected) << m.to();
    }
    return appends;
  };
  // The sequence of the last AppendEntries to `tag` in `ready` (0: none).
  auto sequence = [](const Ready& ready, const std::string& tag) {
    uint64_t found = 0;
    for (const auto& envelope : ready.messages) {
      const RachisMessage& m = envelope->message();
      if (m.to() == tag && m.has_append_entries()) found = m.append_entries().sequence();
    }
    return found;
  };
  int64_t now = kT + kT / 3;
  f.node->Tick(now);  // heartbeat probes
  Ready ready = f.Drain();
  EXPECT_GE(check(ready), 2);
  f.Step(now, f.AppendResponse("B", 1, 1, sequence(ready, "B")));
  ASSERT_EQ(f.node->state(), RachisState::kLeader);
  f.node->Submit(now, "r1", "one");
  ready = f.Drain();
  EXPECT_GE(check(ready), 1);
  f.Step(now, f.AppendResponse("B", 1, 2, sequence(ready, "B")));
  EXPECT_EQ(f.node->commit_index(), 2u);
  absl::StatusOr<std::string> added = f.node->ModifyTopology(now, "D", 7, NodeKind::kWatcher);
  ASSERT_TRUE(added.ok()) << added.status();
  ready = f.Drain();
  EXPECT_GE(check(ready), 1);
  now += kT / 3;
  f.node->Tick(now);  // heartbeats, and D's first probe
  ready = f.Drain();
  EXPECT_GE(check(ready), 3);
  const uint64_t last = f.node->log().LastIndex();
  f.Step(now, f.AppendResponse("B", 1, last, sequence(ready, "B")));
  f.Step(now, f.AppendResponse("D", 1, last, sequence(ready, "D")));  // D replicates now
  f.node->Submit(now, "r2", "two");
  ready = f.Drain();
  EXPECT_GE(check(ready), 2);
  EXPECT_GT(sequence(ready, "D"), 0u);
}

// Watchers never become candidates and do not count toward a commit.
TEST(RachisNodeTest, WatcherNeverCampaignsAndIsNotCountedForCommit) {
  Fixture watcher(1, 0, {}, 2, "B");
  watcher.node->Tick(10 * kT);
  EXPECT_EQ(watcher.node->state(), RachisState::kFollower);
  Fixture f(3, 0, {}, 2);  // members A B C, watchers D E
  f.WinElection(kT);
  f.Step(kT, f.AppendResponse("D", 1, 1));
  f.Step(kT, f.AppendResponse("E", 1, 1));
  EXPECT_EQ(f.node->commit_index(), 0u);
  f.Step(kT, f.AppendResponse("B", 1, 1));
  EXPECT_EQ(f.node->commit_index(), 1u);
}

// §1.4 LogHistory at apply time: a log can hold one request twice (a retry through a
// new leader while the first attempt sat uncommitted in its log); every node applies
// it once, at its first index, and skips the second entry.
TEST(RachisNodeTest, RequestInTheLogTwiceIsAppliedOnce) {
  Fixture f(3, 0, {}, 0, "B");
  // Entries 1 and 3 carry the same request id, "req-a".
  f.Step(kMs, f.Append("A", 1, 0, 0, {Entry(1, 1, "a"), Entry(2, 1, "b"), Entry(3, 1, "a")}, 3));
  EXPECT_EQ(f.node->commit_index(), 3u);
  EXPECT_EQ(f.node->applied_index(), 3u);
  EXPECT_EQ(f.state_machine.applied(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(f.node->mark("duplicate request not applied twice"), 1);
  // A leader's log with the same twin: the retry's waiter gets the first index.
  Fixture leader(1, 1, {Entry(1, 1, "a"), Entry(2, 1, "a")});
  leader.node->Tick(kT);
  leader.Drain();
  ASSERT_EQ(leader.node->state(), RachisState::kLeader);
  EXPECT_EQ(leader.state_machine.applied(), (std::vector<std::string>{"a"}));
  leader.node->Submit(kT, "req-a", "a");
  const Ready ready = leader.Drain();
  ASSERT_EQ(ready.results.size(), 1u);
  EXPECT_EQ(ready.results[0].outcome, COMMAND_OUTCOME_COMMITTED);
  EXPECT_EQ(ready.results[0].index, 1u);
  EXPECT_EQ(leader.state_machine.applied(), (std::vector<std::string>{"a"}));
}

// §1.4 GetMaxIndexOnQuorum: the leader counts an entry of its own only once it is
// durable (its Ready advanced), however many followers already acknowledged it. Hosts
// that send only after the fsync never show the difference; a host that sent first
// would.
TEST(RachisNodeTest, LeaderCountsItsOwnEntryOnlyOnceDurable) {
  Fixture f(5);
  f.WinElection(kT);
  f.Step(kT, f.AppendResponse("B", 1, 1));
  f.Step(kT, f.AppendResponse("C", 1, 1));
  ASSERT_EQ(f.node->commit_index(), 1u);
  f.node->Submit(kT, "r1", "cmd");
  ASSERT_TRUE(f.node->HasReady());
  Ready pending = f.node->TakeReady();  // the entry's persist, not yet done
  ASSERT_TRUE(pending.log_append.has_value());
  ASSERT_EQ(pending.log_append->entries_size(), 1);
  ASSERT_TRUE(f.node->Step(kT, f.AppendResponse("B", 1, 2)).ok());
  ASSERT_TRUE(f.node->Step(kT, f.AppendResponse("C", 1, 2)).ok());
  EXPECT_EQ(f.node->commit_index(), 1u);  // B and C: two of five; with A's copy, three
  f.node->Advance(pending);
  EXPECT_EQ(f.node->commit_index(), 2u);
  const Ready after = f.Drain();
  ASSERT_EQ(after.results.size(), 1u);
  EXPECT_EQ(after.results[0].outcome, COMMAND_OUTCOME_COMMITTED);
  EXPECT_EQ(after.results[0].index, 2u);
}

TEST(RachisNodeTest, SingleMemberBecomesLeaderAndCommitsAfterPersisting) {
  Fixture f(1);
  f.node->Tick(kT);
  // SwitchToSingleLeader: the vote for itself in term 1 must be durable before the
  // node leads term 1 (RavenDB commits the vote and the state change together).
  EXPECT_EQ(f.node->state(), RachisState::kCandidate);
  EXPECT_EQ(f.node->term(), 1u);
  Ready vote = f.node->TakeReady();
  ASSERT_TRUE(vote.hard_state.has_value());
  EXPECT_EQ(vote.hard_state->term(), 1u);
  EXPECT_EQ(vote.hard_state->voted_for(), "A");
  EXPECT_FALSE(vote.log_append.has_value());  // no noop before the vote is durable
  EXPECT_EQ(f.node->state(), RachisState::kCandidate);
  f.node->Advance(vote);
  EXPECT_EQ(f.node->state(), RachisState::kLeaderElect);
  f.Drain();  // the noop is persisted, then Advance() lets it commit
  EXPECT_EQ(f.node->state(), RachisState::kLeader);
  f.node->Submit(kT, "r1", "cmd");
  Ready ready = f.Drain();
  ASSERT_EQ(ready.results.size(), 1u);
  EXPECT_EQ(ready.results[0].outcome, COMMAND_OUTCOME_COMMITTED);
  EXPECT_EQ(ready.results[0].index, 2u);
  EXPECT_EQ(ready.results[0].result, "ok:cmd");
}

// A single voter whose vote never reached the disk (the host rebuilds the node from its
// durable state after a failed persist) must not have led that term: restarted from the
// disk it runs for the same term again, and two different entries at one (index, term)
// would follow. It leads no term before its vote for it is durable.
TEST(RachisNodeTest, SingleVoterLeadsNoTermItsDiskNeverRecorded) {
  Fixture f(1);
  f.node->Tick(kT);
  Ready vote = f.node->TakeReady();  // term 1, vote A: this persist fails
  ASSERT_TRUE(vote.hard_state.has_value());
  EXPECT_NE(f.node->state(), RachisState::kLeaderElect);
  EXPECT_NE(f.node->state(), RachisState::kLeader);
  for (const RachisObservation& o : vote.observations) {
    EXPECT_NE(o.kind, RachisObservation::Kind::kElectionWon);
  }
  EXPECT_EQ(f.node->state(), RachisState::kCandidate);
}

// The LogHistory finds every applied request id, of every length, and only those: ids
// that differ in one byte (first, middle or last) are different requests.
TEST(RachisNodeTest, LogHistoryTellsRequestIdsOfEveryLengthApart) {
  Fixture f(1);
  f.node->Tick(kT);
  f.Drain();
  ASSERT_EQ(f.node->state(), RachisState::kLeader);
  std::vector<std::string> ids;
  for (size_t length = 1; length <= 20; ++length) {
    std::string id(length, 'a');
    for (size_t i = 0; i < length; ++i) id[i] = static_cast<char>('a' + (i * 7 + length) % 26);
    ids.push_back(id);
  }
  std::vector<uint64_t> index_of;
  for (const std::string& id : ids) {
    f.node->Submit(kT, id, "cmd-" + id);
    Ready ready = f.Drain();
    ASSERT_EQ(ready.results.size(), 1u) << id;
    EXPECT_EQ(ready.results[0].outcome, COMMAND_OUTCOME_COMMITTED);
    index_of.push_back(ready.results[0].index);
  }
  EXPECT_EQ(f.node->mark("submission answered from log history"), 0);
  for (size_t k = 0; k < ids.size(); ++k) {
    f.node->Submit(kT, ids[k], "again");
    Ready ready = f.Drain();
    ASSERT_EQ(ready.results.size(), 1u);
    EXPECT_EQ(ready.results[0].index, index_of[k]) << ids[k];
    EXPECT_EQ(ready.results[0].result, "ok:cmd-" + ids[k]);
  }
  EXPECT_EQ(f.node->mark("submission answered from log history"),
            static_cast<int64_t>(ids.size()));
  int fresh = 0;
  for (const std::string& id : ids) {
    for (size_t at : {size_t{0}, id.size() / 2, id.size() - 1}) {
      std::string other = id;
      other[at] = static_cast<char>(other[at] == 'z' ? 'y' : 'z');
      const uint64_t last = f.node->log().LastIndex();
      f.node->Submit(kT, other, "new");
      Ready ready = f.Drain();
      ASSERT_EQ(ready.results.size(), 1u);
      if (ready.results[0].index > last) ++fresh;  // appended: not taken for `id`
    }
  }
  EXPECT_GE(fresh, static_cast<int>(ids.size()));  // variants may repeat for short ids
  EXPECT_EQ(f.node->mark("submission answered from log history"),
            static_cast<int64_t>(ids.size()) * 3 - fresh + static_cast<int64_t>(ids.size()));
}

TEST(RachisNodeTest, SubmitWithoutLeaderIsRejected) {
  Fixture f(3);
  f.node->Submit(kMs, "r1", "cmd");
  Ready ready = f.Drain();
  ASSERT_EQ(ready.results.size(), 1u);
  EXPECT_EQ(ready.results[0].outcome, COMMAND_OUTCOME_REJECTED);
}

// Advance(Ready&) takes back the room of a Ready's emptied messages and leaves a Ready
// whose messages are still there as it was; the Readies after it are those Advance(const
// Ready&) gives.
TEST(RachisNodeTest, AdvanceTakesBackOnlyEmptiedMessages) {
  Fixture mutable_ready(3);
  Fixture const_ready(3);
  auto drive = [](Fixture& f, bool take_back, bool empty_messages) {
    std::vector<std::string> sent;  // to:body_case:term of every message, in order
    for (int round = 0; round < 4; ++round) {
      f.node->Tick(kT * (round + 1));
      while (f.node->HasReady()) {
        Ready ready = f.node->TakeReady();
        for (const auto& envelope : ready.messages) {
          const RachisMessage& m = envelope->message();
          sent.push_back(m.to() + ":" + std::to_string(m.body_case()) + ":" +
                         std::to_string(m.term()));
        }
        const size_t count = ready.messages.size();
        if (empty_messages) ready.messages.clear();
        if (take_back) {
          f.node->Advance(ready);
        } else {
          f.node->Advance(static_cast<const Ready&>(ready));
        }
        EXPECT_EQ(ready.messages.size(), empty_messages ? 0u : count);
      }
    }
    return sent;
  };
  const std::vector<std::string> reference = drive(const_ready, false, false);
  EXPECT_GE(reference.size(), 4u);
  EXPECT_EQ(drive(mutable_ready, true, true), reference);
  Fixture kept(3);
  EXPECT_EQ(drive(kept, true, false), reference);
}

// Every field of an observation, for comparing.
std::string Describe(const RachisObservation& o) {
  std::string out = std::to_string(static_cast<int>(o.kind)) + " s" +
                    std::to_string(static_cast<int>(o.state)) + " t" + std::to_string(o.term) +
                    " i" + std::to_string(o.index) + " et" + std::to_string(o.entry_term) +
                    " pt" + std::to_string(o.prev_term) + " h" + std::to_string(o.command_hash) +
                    " ct" + std::to_string(o.committed_term) + " q" +
                    std::to_string(o.by_quorum);
  for (const auto* tags : {&o.supporters, &o.voters, &o.non_voters}) {
    out += " [";
    for (const std::string& tag : *tags) out += tag + ",";
    out += "]";
  }
  return out;
}

// Drives a Fixture(3, 0, {}, 1) node (members A B C, watcher D) through a trial and a
// real election to Leader, then six commands committed by B or C in turn, with the
// watcher E added after the third; `drain` handles every Ready after each step.
void ElectAndCommitSix(Fixture& f, const std::function<void()>& drain) {
  f.node->Tick(kT);
  drain();
  for (bool trial : {true, false}) {
    for (const char* from : {"B", "C"}) {
      EXPECT_TRUE(f.node->Step(kT, f.VoteResponse(from, 1, trial, true)).ok());
      drain();
    }
  }
  EXPECT_TRUE(f.node->Step(kT, f.AppendResponse("B", 1, 1)).ok());
  drain();
  EXPECT_EQ(f.node->state(), RachisState::kLeader);
  for (int k = 0; k < 6; ++k) {
    f.node->Submit(kT, "r" + std::to_string(k), "c" + std::to_string(k));
    drain();
    const uint64_t last = f.node->log().LastIndex();
    EXPECT_TRUE(f.node->Step(kT, f.AppendResponse(k % 2 == 0 ? "B" : "C", 1, last)).ok());
    drain();
    if (k == 2) {
      EXPECT_TRUE(f.node->ModifyTopology(kT, "E", 4, NodeKind::kWatcher).ok());
      drain();
    }
  }
}

// Observations written over recycled ones (RecycleObservations) are exactly those made
// fresh: elections, commits by quorum with supporters and voters, a topology change
// with non-voters, applies, in Readies of varying sizes.
TEST(RachisNodeTest, RecycledObservationsAreWrittenAsFreshOnes) {
  auto run = [](bool recycle) {
    Fixture f(3, 0, {}, 1);  // members A B C, watcher D
    std::vector<std::string> seen;
    auto drain = [&] {
      while (f.node->HasReady()) {
        Ready ready = f.node->TakeReady();
        seen.push_back("ready " + std::to_string(ready.observations.size()));
        for (const RachisObservation& o : ready.observations) seen.push_back(Describe(o));
        if (recycle) f.node->RecycleObservations(std::move(ready.observations));
        f.node->Advance(ready);
      }
    };
    ElectAndCommitSix(f, drain);
    return seen;
  };
  const std::vector<std::string> fresh = run(false);
  EXPECT_GE(fresh.size(), 20u);
  EXPECT_EQ(run(true), fresh);
  bool saw_quorum = false;
  bool saw_non_voters = false;
  for (const std::string& line : fresh) {
    saw_quorum |= line.find(" q1 [") != std::string::npos;
    saw_non_voters |= line.find("[D,") != std::string::npos;
  }
  EXPECT_TRUE(saw_quorum);
  EXPECT_TRUE(saw_non_voters);
}

// TakeReadyInPlace() gives the very Readies TakeReady() gives, whether the host moves
// parts out of the kept Ready or leaves them there (they are dropped at the next one).
TEST(RachisNodeTest, ReadyInPlaceMatchesReadyByValue) {
  // Everything a Ready carries, for comparing.
  auto describe = [](const Ready& ready) {
    std::vector<std::string> out;
    out.push_back("id " + std::to_string(ready.id) + " snap " +
                  std::to_string(ready.snapshot != nullptr));
    if (ready.snapshot != nullptr) {
      out.push_back("snapshot " + std::to_string(ready.snapshot->last_included_index()));
    }
    if (ready.log_append.has_value()) {
      std::string line = "append from " + std::to_string(ready.log_append->truncate_from());
      for (const LogEntryPtr& entry : ready.log_append->shared_entries()) {
        line += " " + std::to_string(entry->index()) + "/" + std::to_string(entry->term());
      }
      out.push_back(line);
    }
    if (ready.hard_state.has_value()) {
      out.push_back("hard " + ready.hard_state->ShortDebugString());
    }
    for (const auto& envelope : ready.messages) {
      out.push_back("message " + envelope->message().ShortDebugString());
    }
    for (const CommandResult& r : ready.results) {
      out.push_back("result " + r.request_id + " " + std::to_string(r.outcome) + " " +
                    std::to_string(r.index) + " " + r.result + " " + r.reason);
    }
    for (const RachisObservation& o : ready.observations) out.push_back(Describe(o));
    return out;
  };
  // 0: by value; 1: in place, parts moved out; 2: in place, parts left there.
  auto run = [&describe](int mode) {
    Fixture f(3, 0, {}, 1);
    std::vector<std::string> seen;
    auto drain = [&] {
      while (f.node->HasReady()) {
        if (mode == 0) {
          Ready ready = f.node->TakeReady();
          for (std::string& line : describe(ready)) seen.push_back(std::move(line));
          f.node->Advance(ready);
          continue;
        }
        Ready& ready = f.node->TakeReadyInPlace();
        for (std::string& line : describe(ready)) seen.push_back(std::move(line));
        if (mode == 1) {
          f.node->RecycleObservations(std::move(ready.observations));
          std::vector<std::shared_ptr<RachisEnvelope>> sent = std::move(ready.messages);
          ready.messages.clear();
        }
        f.node->Advance(ready);
        // The durable parts go after Advance(), which reads the log append.
        if (mode == 1) std::optional<SharedLogAppend> append = std::move(ready.log_append);
      }
    };
    ElectAndCommitSix(f, drain);
    f.node->Submit(kT, "r1", "again");  // answered from the LogHistory
    drain();
    f.node->Tick(10 * kT);  // no majority heard: the leader steps down
    drain();
    return seen;
  };
  const std::vector<std::string> by_value = run(0);
  EXPECT_GE(by_value.size(), 40u);
  EXPECT_EQ(run(1), by_value);
  EXPECT_EQ(run(2), by_value);
}

TEST(RachisNodeTest, NoNewReadyUntilAdvance) {
  Fixture f(3);
  f.node->Tick(kT);
  ASSERT_TRUE(f.node->HasReady());
  Ready ready = f.node->TakeReady();
  ASSERT_TRUE(f.node->Step(kT, f.VoteResponse("B", 1, true, true)).ok());
  EXPECT_FALSE(f.node->HasReady());
  f.node->Advance(ready);
  EXPECT_TRUE(f.node->HasReady());
}

TEST(RachisNodeTest, CreateRejectsIncompleteOptions) {
  ListStateMachine sm;
  RachisOptions options;
  options.tag = "RAFT";
  options.random_word = [] { return uint64_t{0}; };
  options.state_machine = &sm;
  EXPECT_FALSE(RachisNode::Create(options, RestoredState()).ok());
  options.tag = "A";
  options.random_word = nullptr;
  EXPECT_FALSE(RachisNode::Create(options, RestoredState()).ok());
}

TEST(RachisNodeTest, FreshNodeWithoutTopologyIsPassive) {
  ListStateMachine sm;
  RachisOptions options;
  options.tag = "A";
  options.random_word = [] { return uint64_t{0}; };
  options.state_machine = &sm;
  auto node = RachisNode::Create(options, RestoredState());
  ASSERT_TRUE(node.ok());
  (*node)->Tick(10 * kT);
  EXPECT_EQ((*node)->state(), RachisState::kPassive);
}

}  // namespace
}  // namespace ravensim::rachis
