#include "sim/harness/rachis_observations.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

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
    for (const std::string tag : {"", "A", "ZB"}) {
      for (const rachis::RachisObservation& o : Samples()) {
        std::string encoded = "stale contents are replaced";
        EncodeRachisObservation(o, tag, incarnation, &encoded);
        EXPECT_EQ(encoded, ToRaftObservation(o, tag, incarnation).SerializeAsString())
            << RachisObservationKind(o.kind) << " tag '" << tag << "' incarnation "
            << incarnation;
      }
    }
  }
}

TEST(RachisObservationsTest, DecodeStampsTimeAndNodeAndRejectsOtherKinds) {
  rachis::RachisObservation commit = Samples()[5];
  Observation observation{.kind = RachisObservationKind(commit.kind),
                          .value = static_cast<int64_t>(commit.index)};
  EncodeRachisObservation(commit, "C", 2, &observation.detail);
  ObservationRecord record{.time = SimTime::FromNanos(1234), .node = 2, .incarnation = 2,
                           .observation = &observation};
  RaftObservation decoded;
  ASSERT_TRUE(DecodeRachisObservation(record, &decoded));
  EXPECT_EQ(decoded.kind(), RaftObservation::COMMIT_ADVANCED);
  EXPECT_EQ(decoded.time_ns(), 1234);
  EXPECT_EQ(decoded.node(), 2);
  EXPECT_EQ(decoded.tag(), "C");
  EXPECT_EQ(decoded.index(), uint64_t{1} << 20);
  EXPECT_TRUE(decoded.by_quorum());
  EXPECT_EQ(decoded.supporters_size(), 3);
  EXPECT_EQ(decoded.voters_size(), 5);

  Observation other{.kind = "client.invoke", .detail = observation.detail};
  record.observation = &other;
  EXPECT_FALSE(DecodeRachisObservation(record, &decoded));
  Observation garbage{.kind = "rachis.commit", .detail = std::string("\xff\xff\xff", 3)};
  record.observation = &garbage;
  EXPECT_FALSE(DecodeRachisObservation(record, &decoded));
}

}  // namespace
}  // namespace ravensim::harness
