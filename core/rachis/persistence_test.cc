#include "core/rachis/persistence.h"

#include "gtest/gtest.h"

namespace ravensim::rachis {
namespace {

PersistedRecord Append(uint64_t truncate_from, std::vector<std::pair<uint64_t, uint64_t>> entries) {
  PersistedRecord record;
  record.mutable_log_append()->set_truncate_from(truncate_from);
  for (auto [index, term] : entries) {
    LogEntry* entry = record.mutable_log_append()->add_entries();
    entry->set_index(index);
    entry->set_term(term);
  }
  return record;
}

PersistedRecord Hard(uint64_t term, const std::string& vote) {
  PersistedRecord record;
  record.mutable_hard_state()->set_term(term);
  record.mutable_hard_state()->set_voted_for(vote);
  return record;
}

TEST(PersistenceTest, RoundTripsAndReplaysInOrder) {
  std::vector<std::string> records = {
      EncodeRecord(Hard(1, "A")), EncodeRecord(Append(1, {{1, 1}, {2, 1}, {3, 1}})),
      EncodeRecord(Append(3, {{3, 2}})), EncodeRecord(Hard(2, "B"))};
  RestoredState state = RecoverFromRecords(records);
  EXPECT_EQ(state.records_read, 4);
  EXPECT_EQ(state.records_dropped, 0);
  EXPECT_EQ(state.hard_state.term(), 2u);
  EXPECT_EQ(state.hard_state.voted_for(), "B");
  ASSERT_EQ(state.entries.size(), 3u);
  EXPECT_EQ(state.entries[2].term(), 2u);
}

TEST(PersistenceTest, TornTailIsDroppedNeverApplied) {
  std::vector<std::string> records = {EncodeRecord(Hard(1, "A")),
                                      EncodeRecord(Append(1, {{1, 1}})),
                                      EncodeRecord(Hard(5, "C"))};
  records[2].resize(records[2].size() - 2);  // torn write
  RestoredState state = RecoverFromRecords(records);
  EXPECT_EQ(state.records_read, 2);
  EXPECT_EQ(state.records_dropped, 1);
  EXPECT_EQ(state.hard_state.term(), 1u);
  EXPECT_EQ(state.entries.size(), 1u);
}

TEST(PersistenceTest, CorruptRecordStopsRecoveryThere) {
  std::vector<std::string> records = {EncodeRecord(Hard(1, "A")), EncodeRecord(Hard(2, "B")),
                                      EncodeRecord(Hard(3, "C"))};
  records[1][10] ^= 0x40;  // a flipped bit
  EXPECT_FALSE(DecodeRecord(records[1]).ok());
  RestoredState state = RecoverFromRecords(records);
  EXPECT_EQ(state.hard_state.term(), 1u);
  EXPECT_EQ(state.records_dropped, 2);
  EXPECT_FALSE(DecodeRecord("short").ok());
}

TEST(PersistenceTest, SnapshotRecordEncodingMatchesProtobuf) {
  PersistedRecord record;
  record.mutable_snapshot()->set_last_included_index(77);
  record.mutable_snapshot()->set_state_machine(std::string(500, 's'));
  EXPECT_EQ(EncodeSnapshotRecord(record.snapshot()), EncodeRecord(record));
}

TEST(PersistenceTest, SnapshotKeepsMatchingSuffixOrDropsDisagreeingLog) {
  RestoredState state;
  ApplyRecord(Append(1, {{1, 1}, {2, 1}, {3, 2}}), &state);
  PersistedRecord snapshot;
  snapshot.mutable_snapshot()->set_last_included_index(2);
  snapshot.mutable_snapshot()->set_last_included_term(1);
  ApplyRecord(snapshot, &state);
  ASSERT_EQ(state.entries.size(), 1u);
  EXPECT_EQ(state.entries[0].index(), 3u);
  snapshot.mutable_snapshot()->set_last_included_index(3);
  snapshot.mutable_snapshot()->set_last_included_term(7);  // disagrees
  ApplyRecord(snapshot, &state);
  EXPECT_TRUE(state.entries.empty());
  ApplyRecord(Append(4, {{4, 7}}), &state);
  ASSERT_EQ(state.entries.size(), 1u);
  ApplyRecord(Append(4, {{6, 7}}), &state);  // a gap is never applied
  EXPECT_EQ(state.entries.size(), 0u);
}

}  // namespace
}  // namespace ravensim::rachis
