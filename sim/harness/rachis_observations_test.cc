#include "sim/harness/rachis_observations.h"

#include <algorithm>
#include <span>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "sim/prng.h"

namespace ravensim::harness {
namespace {

using Kind = rachis::RachisObservation::Kind;
using checkers::raft::RaftObservation;

std::vector<rachis::RachisObservation> Samples() {
  std::vector<rachis::RachisObservation> samples;
  samples.push_back({.kind = Kind::kStateChanged, .state = rachis::RachisState::kLeader,
                     .term = 7});
  samples.push_back({.kind = Kind::kEntryAppended, .term = 3, .index = 300,
                     .entry_term = 3, .prev_term = 2, .command_hash = 0xfedcba9876543210ULL});
  samples.push_back({.kind = Kind::kLogTruncated, .term = 4, .index = 12});
  samples.push_back({.kind = Kind::kSnapshotInstalled, .term = 5, .index = 4096,
                     .entry_term = 5});
  samples.push_back({.kind = Kind::kLogReset});  // Every number zero.
  rachis::RachisObservation commit{.kind = Kind::kCommitAdvanced, .term = 9,
                                   .index = 1u << 20, .by_quorum = true};
  commit.supporters = {"A", "B", "C"};
  commit.voters = {"A", "B", "C", "D", "E"};
  samples.push_back(commit);
  samples.push_back({.kind = Kind::kApplied, .term = 9, .index = 77, .entry_term = 8,
                     .command_hash = 1});
  samples.push_back({.kind = Kind::kApplied, .index = 78, .skipped = true});
  samples.push_back({.kind = Kind::kApplied, .index = 79, .not_request = true});
  rachis::RachisObservation won{.kind = Kind::kElectionWon, .term = 2};
  won.supporters = {"B", ""};  // An empty element is still an element.
  won.voters = {"A", "B", "C"};
  samples.push_back(won);
  rachis::RachisObservation topology{.kind = Kind::kTopologyChanged, .term = 1, .index = 5};
  topology.voters = {"A", "ZA"};
  topology.non_voters = {"W1", "P"};
  samples.push_back(topology);
  samples.push_back({.kind = Kind::kCommittedConflict, .term = 6, .index = 40,
                     .entry_term = 6, .committed_term = 5});
  return samples;
}

TEST(RachisObservationsTest, EncodingIsByteForByteTheSerializedMessage) {
  for (uint64_t incarnation : {uint64_t{0}, uint64_t{1}, uint64_t{3000}}) {
    for (const std::string tag : {"", "A", "ZB", "A-TAG-LONGER-THAN-8"}) {
      for (const rachis::RachisObservation& o : Samples()) {
        std::string encoded = "stale contents are replaced";
        EncodeRachisObservation(o, tag, incarnation, &encoded);
        EXPECT_EQ(encoded, ToRaftObservation(o, tag, incarnation).SerializeAsString())
            << RachisObservationKind(o.kind) << " tag '" << tag << "' incarnation "
            << incarnation;
        // With a commit and applied entries folded in (zero fields left out, large ones
        // at full size).
        const std::vector<rachis::RachisObservation> folded = {
            {.kind = Kind::kCommitAdvanced, .index = UINT64_MAX},
            {.kind = Kind::kApplied, .index = 5, .entry_term = 2, .command_hash = 7},
            {.kind = Kind::kApplied, .not_request = true},
            {.kind = Kind::kApplied, .index = UINT64_MAX, .entry_term = UINT64_MAX,
             .command_hash = UINT64_MAX, .skipped = true, .not_request = true}};
        for (size_t from : {0, 1}) {
          const auto part = std::span(folded).subspan(from);
          EncodeRachisObservation(o, tag, incarnation, &encoded, part);
          EXPECT_EQ(encoded, ToRaftObservation(o, tag, incarnation, part).SerializeAsString())
              << RachisObservationKind(o.kind) << " with folded observations from " << from;
        }
      }
    }
  }
}

TEST(RachisObservationsTest, EncodingMatchesAtEveryVarintLengthStep) {
  // The encoder writes one- and two-byte varints without a loop: every field at the
  // values around each length step, against the serialized message.
  std::vector<uint64_t> values = {0, 1, 127, 128, 255, 16383, 16384, UINT64_MAX};
  for (int bits = 21; bits < 64; bits += 7) {
    values.push_back((uint64_t{1} << bits) - 1);
    values.push_back(uint64_t{1} << bits);
  }
  for (uint64_t v : values) {
    const std::vector<rachis::RachisObservation> observations = {
        {.kind = Kind::kEntryAppended, .term = v, .index = v, .entry_term = v,
         .prev_term = v, .command_hash = v},
        {.kind = Kind::kCommitAdvanced, .term = v, .index = v},
        {.kind = Kind::kApplied, .term = v, .index = v, .entry_term = v, .command_hash = v},
        {.kind = Kind::kCommittedConflict, .term = v, .index = v, .entry_term = v,
         .committed_term = v}};
    for (size_t i = 0; i < observations.size(); ++i) {
      const auto folded = std::span(observations).subspan(i + 1);
      std::string encoded;
      EncodeRachisObservation(observations[i], "A", v, &encoded, folded);
      EXPECT_EQ(encoded,
                ToRaftObservation(observations[i], "A", v, folded).SerializeAsString())
          << i << " at " << v;
    }
    std::vector<Observation> out;
    AppendRachisObservations(observations, "A", v, &out);
    ASSERT_FALSE(out.empty());
    const size_t folded = FoldedIntoFirst(observations);
    EXPECT_EQ(out[0].detail,
              ToRaftObservation(observations[0], "A", v,
                                std::span(observations).subspan(1, folded))
                  .SerializeAsString())
        << v;
  }
}

TEST(RachisObservationsTest, LargeObservationsAreEncodedAsTheSmallOnes) {
  // Beyond the encoder's stack room (many long tags): the same bytes, from both entries.
  rachis::RachisObservation topology{.kind = Kind::kTopologyChanged, .term = 3, .index = 9};
  for (int i = 0; i < 40; ++i) topology.voters.push_back(std::string(20, 'a' + i % 26));
  const std::string expected = ToRaftObservation(topology, "A", 1).SerializeAsString();
  ASSERT_GT(expected.size(), 512u);
  std::string encoded;
  EncodeRachisObservation(topology, "A", 1, &encoded);
  EXPECT_EQ(encoded, expected);
  std::vector<Observation> out;
  AppendRachisObservations(std::span(&topology, 1), "A", 1, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, "rachis.topology");
  EXPECT_EQ(out[0].value, 9);
  EXPECT_EQ(out[0].detail, expected);
}

rachis::RachisObservation Applied(uint64_t term, uint64_t index, uint64_t hash) {
  return {.kind = Kind::kApplied, .term = term, .index = index, .entry_term = term - 1,
          .command_hash = hash};
}

TEST(RachisObservationsTest, CommitsAndAppliesRightAfterWhatLedToThemAreFolded) {
  const rachis::RachisObservation commit = Samples()[5];  // term 9, by quorum
  const rachis::RachisObservation state = Samples()[0];
  const rachis::RachisObservation appended{.kind = Kind::kEntryAppended, .term = 9,
                                           .index = 11, .entry_term = 9, .prev_term = 9,
                                           .command_hash = 3};
  const rachis::RachisObservation follower_commit{.kind = Kind::kCommitAdvanced, .term = 9,
                                                  .index = 10};
  std::vector<rachis::RachisObservation> ready = {
      Applied(9, 1, 1),  // 0: not after a commit
      commit, Applied(9, 2, 2), Applied(9, 3, UINT64_MAX), state, Applied(9, 4, 4),  // 1-5
      commit, Applied(8, 5, 5),  // 6-7: another term
      commit, Applied(9, 6, 6),  // 8-9: something an entry could not carry (below)
      appended, follower_commit, Applied(9, 10, 10), appended,  // 10-13
      appended, commit,                                         // 14-15: by quorum
      appended, follower_commit, state, Applied(9, 10, 10)};   // 16-19
  ready[9].prev_term = 1;
  const std::vector<size_t> folded = {0, 2, 0, 0, 0, 0, 0, 0, 0, 0,
                                      2, 1, 0, 0, 0, 0, 1, 0, 0, 0};
  ASSERT_EQ(folded.size(), ready.size());
  for (size_t i = 0; i < ready.size(); ++i) {
    EXPECT_EQ(FoldedIntoFirst(std::span(ready).subspan(i)), folded[i]) << i;
  }
  EXPECT_EQ(FoldedIntoFirst(std::span(ready).subspan(1, 1)), 0u);
  EXPECT_EQ(FoldedIntoFirst(std::span(ready).subspan(10, 2)), 1u);
  EXPECT_EQ(FoldedIntoFirst({}), 0u);

  std::vector<Observation> out(1);  // Appended after what is there.
  AppendRachisObservations(ready, "B", 2, &out);
  std::vector<size_t> sources;  // The first observation of each emitted one.
  for (size_t i = 0; i < ready.size(); i += 1 + folded[i]) sources.push_back(i);
  ASSERT_EQ(out.size(), 1 + sources.size());
  for (size_t j = 0; j < sources.size(); ++j) {
    const size_t i = sources[j];
    const Observation& emitted = out[1 + j];
    EXPECT_EQ(emitted.kind, RachisObservationKind(ready[i].kind)) << i;
    EXPECT_EQ(emitted.value, static_cast<int64_t>(ready[i].index)) << i;
    EXPECT_EQ(emitted.detail,
              ToRaftObservation(ready[i], "B", 2, std::span(ready).subspan(i + 1, folded[i]))
                  .SerializeAsString())
        << i;
  }
  RaftObservation decoded;
  ASSERT_TRUE(decoded.ParseFromString(out[2].detail));  // ready[1]
  EXPECT_EQ(decoded.kind(), RaftObservation::COMMIT_ADVANCED);
  EXPECT_EQ(decoded.commit_index(), 0u);
  ASSERT_EQ(decoded.applied_size(), 2);
  EXPECT_EQ(decoded.applied(1).index(), 3u);
  EXPECT_EQ(decoded.applied(1).entry_term(), 8u);
  EXPECT_EQ(decoded.applied(1).command_hash(), UINT64_MAX);
  const size_t j = std::find(sources.begin(), sources.end(), 10) - sources.begin();
  ASSERT_LT(j, sources.size());
  ASSERT_TRUE(decoded.ParseFromString(out[1 + j].detail));  // ready[10]
  EXPECT_EQ(decoded.kind(), RaftObservation::ENTRY_APPENDED);
  EXPECT_EQ(decoded.index(), 11u);
  EXPECT_EQ(decoded.commit_index(), 10u);
  ASSERT_EQ(decoded.applied_size(), 1);
  EXPECT_EQ(decoded.applied(0).index(), 10u);
}

TEST(RachisObservationsTest, DecodeStampsTimeAndNodeAndRejectsOtherKinds) {
  rachis::RachisObservation commit = Samples()[5];
  Observation observation{.kind = RachisObservationKind(commit.kind),
                          .value = static_cast<int64_t>(commit.index)};
  EncodeRachisObservation(commit, "C", 2, &observation.detail);
  ObservationRecord record{.time = SimTime::FromNanos(1234), .node = 2, .incarnation = 2,
                           .observation = &observation};
  checkers::raft::RaftObservationView decoded;
  ASSERT_TRUE(DecodeRachisObservation(record, &decoded));
  EXPECT_EQ(decoded.kind, RaftObservation::COMMIT_ADVANCED);
  EXPECT_EQ(decoded.time_ns, 1234);
  EXPECT_EQ(decoded.node, 2);
  EXPECT_EQ(decoded.tag, "C");
  EXPECT_EQ(decoded.index, uint64_t{1} << 20);
  EXPECT_TRUE(decoded.by_quorum);
  EXPECT_EQ(decoded.supporters.size(), 3u);
  EXPECT_EQ(decoded.voters.size(), 5u);

  Observation other{.kind = "client.invoke", .detail = observation.detail};
  record.observation = &other;
  EXPECT_FALSE(DecodeRachisObservation(record, &decoded));
  Observation garbage{.kind = "rachis.commit", .detail = std::string("\xff\xff\xff", 3)};
  record.observation = &garbage;
  EXPECT_FALSE(DecodeRachisObservation(record, &decoded));
  // The host's own observations share the prefix; an empty detail would parse as an
  // empty RaftObservation, so the kind alone must keep them out.
  Observation host{.kind = "rachis.recovery_dropped", .value = 3};
  record.observation = &host;
  EXPECT_FALSE(DecodeRachisObservation(record, &decoded));
}

TEST(RachisObservationsTest, CoreKindsAreExactlyTheKindsTheHostEncodes) {
  using Kind = rachis::RachisObservation::Kind;
  for (Kind kind : {Kind::kStateChanged, Kind::kEntryAppended, Kind::kLogTruncated,
                    Kind::kSnapshotInstalled, Kind::kLogReset, Kind::kCommitAdvanced,
                    Kind::kApplied, Kind::kElectionWon, Kind::kTopologyChanged,
                    Kind::kCommittedConflict}) {
    EXPECT_TRUE(IsCoreRachisObservationKind(RachisObservationKind(kind)))
        << RachisObservationKind(kind);
  }
  for (const char* other : {"rachis.persist_failed", "rachis.recovery_dropped",
                            "rachis.halted_corrupt_log", "rachis.", "rachis.unknown",
                            "rachis.commit ", "client.invoke", ""}) {
    EXPECT_FALSE(IsCoreRachisObservationKind(other)) << other;
  }
}

// A deterministic stream of test values, on the simulator's own generator.
class Values {
 public:
  explicit Values(uint64_t seed) : prng_(seed) {}
  uint64_t Next() { return prng_.Next(); }
  uint64_t Below(uint64_t n) { return prng_.UniformBelow(n); }
  // Zero, small, two-byte and full-width values, so every field is sometimes left out.
  uint64_t Number() {
    switch (Below(4)) {
      case 0: return 0;
      case 1: return Below(128);
      case 2: return Below(20000);
      default: return Next();
    }
  }
  std::vector<std::string> Tags() {
    std::vector<std::string> tags(Below(4) == 0 ? Below(4) : 0);
    for (std::string& t : tags) t = std::string(Below(3), static_cast<char>('A' + Below(5)));
    return tags;
  }

 private:
  sim::Prng prng_;
};

void ExpectSameView(const checkers::raft::RaftObservationView& a,
                    const checkers::raft::RaftObservationView& b, const std::string& where) {
  EXPECT_EQ(a.kind, b.kind) << where;
  EXPECT_EQ(a.time_ns, b.time_ns) << where;
  EXPECT_EQ(a.node, b.node) << where;
  EXPECT_EQ(a.tag, b.tag) << where;
  EXPECT_EQ(a.incarnation, b.incarnation) << where;
  EXPECT_EQ(a.role, b.role) << where;
  EXPECT_EQ(a.term, b.term) << where;
  EXPECT_EQ(a.index, b.index) << where;
  EXPECT_EQ(a.entry_term, b.entry_term) << where;
  EXPECT_EQ(a.prev_term, b.prev_term) << where;
  EXPECT_EQ(a.command_hash, b.command_hash) << where;
  EXPECT_EQ(a.by_quorum, b.by_quorum) << where;
  EXPECT_EQ(a.supporters, b.supporters) << where;
  EXPECT_EQ(a.voters, b.voters) << where;
  EXPECT_EQ(a.non_voters, b.non_voters) << where;
  EXPECT_EQ(a.committed_term, b.committed_term) << where;
  ASSERT_EQ(a.applied.size(), b.applied.size()) << where;
  for (size_t i = 0; i < a.applied.size(); ++i) {
    EXPECT_EQ(a.applied[i].index, b.applied[i].index) << where << " applied " << i;
    EXPECT_EQ(a.applied[i].entry_term, b.applied[i].entry_term) << where << " applied " << i;
    EXPECT_EQ(a.applied[i].command_hash, b.applied[i].command_hash)
        << where << " applied " << i;
    EXPECT_EQ(a.applied[i].skipped, b.applied[i].skipped) << where << " applied " << i;
    EXPECT_EQ(a.applied[i].not_request, b.applied[i].not_request)
        << where << " applied " << i;
  }
  EXPECT_EQ(a.commit_index, b.commit_index) << where;
  EXPECT_EQ(a.skipped, b.skipped) << where;
  EXPECT_EQ(a.not_request, b.not_request) << where;
}

TEST(RachisObservationsTest, ViewsAreWhatTheRecordsDecodeTo) {
  // Random Readies, shaped like the node's (appends, commits and applies of one term,
  // which fold) with everything else mixed in: the direct views must be, field by
  // field, what the checker would decode from the records AppendRachisObservations
  // makes of them, one view per record, in order, and the records the same as without
  // views.
  Values values(20261124);
  checkers::raft::RaftObservationView view;  // Reused, as the host does.
  checkers::raft::RaftObservationView decoded;
  size_t records_seen = 0;
  size_t folded_seen = 0;
  size_t views = 0;
  for (int round = 0; round < 5000; ++round) {
    std::vector<rachis::RachisObservation> ready(values.Below(8));
    const uint64_t term = values.Number();
    for (size_t i = 0; i < ready.size(); ++i) {
      rachis::RachisObservation& o = ready[i];
      // Any kind, but mostly appends (1), commits (5) and applies (6), often in the
      // order the node makes them: a commit after an append, applies after a commit.
      uint64_t kind = values.Below(4) == 0   ? values.Below(10)
                      : values.Below(3) == 0 ? 1
                                             : 5 + values.Below(2);
      if (i > 0 && values.Below(2) == 0) {
        const Kind before = ready[i - 1].kind;
        if (before == Kind::kEntryAppended) kind = 5;
        if (before == Kind::kCommitAdvanced || before == Kind::kApplied) kind = 6;
      }
      o.kind = static_cast<Kind>(kind);
      o.state = static_cast<rachis::RachisState>(values.Below(5));
      o.term = values.Below(8) == 0 ? values.Number() : term;
      o.index = values.Number();
      if (values.Below(2) == 0) {  // As the node makes them (these fold).
        if (o.kind != Kind::kCommitAdvanced) {
          o.entry_term = values.Number();
          o.command_hash = values.Next();
        }
        if (o.kind == Kind::kEntryAppended) o.prev_term = values.Number();
        if (o.kind == Kind::kApplied) {
          o.skipped = values.Below(4) == 0;
          o.not_request = values.Below(4) == 0;
        }
        continue;
      }
      o.entry_term = values.Number();
      o.prev_term = values.Number();
      o.command_hash = values.Number();
      o.committed_term = values.Below(4) == 0 ? values.Number() : 0;
      o.by_quorum = values.Below(2) == 0;
      o.skipped = values.Below(3) == 0;
      o.not_request = values.Below(3) == 0;
      o.supporters = values.Tags();
      o.voters = values.Tags();
      o.non_voters = values.Tags();
    }
    const std::string tag = values.Below(4) == 0 ? "TAG-OF-NODE" : "B";
    const uint64_t incarnation = values.Number();
    // The records alone, and the records with their views, one view right after each
    // record is appended.
    std::vector<Observation> expected;
    AppendRachisObservations(ready, tag, incarnation, &expected);
    std::vector<Observation> records;
    AppendRachisObservations(
        ready, tag, incarnation, &records, &view,
        [&](checkers::raft::RaftObservationView& v) {
          ASSERT_EQ(&v, &view);
          ASSERT_FALSE(records.empty());
          ObservationRecord record{.time = SimTime::FromNanos(0), .node = 0,
                                   .observation = &records.back()};
          ASSERT_TRUE(DecodeRachisObservation(record, &decoded));
          folded_seen += v.applied.size() + (v.commit_index != 0 ? 1 : 0);
          ExpectSameView(v, decoded, "round " + std::to_string(round) + " record " +
                                         std::to_string(records.size() - 1));
          ++views;
        });
    EXPECT_EQ(views, records.size()) << round;
    ASSERT_EQ(records.size(), expected.size()) << round;
    for (size_t i = 0; i < records.size(); ++i) {
      EXPECT_EQ(records[i].kind, expected[i].kind) << round;
      EXPECT_EQ(records[i].value, expected[i].value) << round;
      EXPECT_EQ(records[i].detail, expected[i].detail) << round;
    }
    views = 0;
    records_seen += records.size();
  }
  // The rounds made what they are meant to test: many records, many folded.
  EXPECT_GT(records_seen, 5000u);
  EXPECT_GT(folded_seen, 1000u);
}

}  // namespace
}  // namespace ravensim::harness
