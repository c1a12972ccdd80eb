#include "core/rachis/persistence.h"

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/rachis/wire_field.h"

#include "gtest/gtest.h"

namespace ravensim::rachis {
namespace {

PersistedRecord SnapshotAt(uint64_t index, uint64_t term);

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

TEST(SharedLogAppendTest, EncodesAsTheLogAppendRecordItStandsFor) {
  for (uint64_t truncate_from : {uint64_t{0}, uint64_t{1}, uint64_t{300}, ~uint64_t{0}}) {
    for (int count : {0, 1, 3}) {
      SharedLogAppend shared;
      shared.set_truncate_from(truncate_from);
      for (int i = 0; i < count; ++i) {
        auto entry = std::make_shared<LogEntry>();
        entry->set_index(static_cast<uint64_t>(i) + 7);
        entry->set_term(2);
        entry->set_flags(ENTRY_FLAGS_STATE_MACHINE_COMMAND);
        entry->set_request_id("c0.1-" + std::to_string(i));
        entry->set_command(std::string(static_cast<size_t>(i) * 100, 'x'));
        shared.add_entry(std::move(entry));
      }
      PersistedRecord record;
      *record.mutable_log_append() = shared.ToProto();
      ASSERT_EQ(shared.entries_size(), count);
      EXPECT_EQ(EncodeLogAppendRecord(shared), EncodeRecord(record))
          << truncate_from << " " << count;
      RestoredState from_shared, from_record;
      ApplyLogAppend(shared, &from_shared);
      ApplyRecord(record, &from_record);
      ASSERT_EQ(from_shared.entries.size(), from_record.entries.size());
      for (size_t i = 0; i < from_shared.entries.size(); ++i) {
        EXPECT_EQ(from_shared.entries[i].get(), &shared.entries(static_cast<int>(i)));
        EXPECT_EQ(from_shared.entries[i]->SerializeAsString(),
                  from_record.entries[i]->SerializeAsString());
      }
      // Moved out of the append: the same entries (the very objects) in the same state.
      SharedLogAppend moved_from = shared;
      RestoredState from_moved;
      ApplyLogAppend(std::move(moved_from), &from_moved);
      ASSERT_EQ(from_moved.entries.size(), from_shared.entries.size());
      for (size_t i = 0; i < from_moved.entries.size(); ++i) {
        EXPECT_EQ(from_moved.entries[i].get(), from_shared.entries[i].get());
      }
    }
  }
}

// Applying a run of appends at once (moving their entries) leaves the state that
// applying each in turn does: truncations, entries a snapshot covers, gaps.
TEST(SharedLogAppendTest, ApplyingManyAtOnceIsApplyingEachInTurn) {
  auto entry = [](uint64_t index, uint64_t term) {
    auto e = std::make_shared<LogEntry>();
    e->set_index(index);
    e->set_term(term);
    return LogEntryPtr(std::move(e));
  };
  // (truncate_from, first index, count, term) of each append.
  const std::vector<std::vector<uint64_t>> plan = {
      {0, 1, 3, 1}, {4, 4, 1, 1}, {5, 5, 2, 1}, {3, 3, 2, 2},  // truncates 3..6
      {0, 5, 1, 2}, {7, 7, 1, 2}, {0, 2, 3, 2},                // a gap (7), then covered
      {6, 6, 2, 3}, {0, 8, 1, 3}, {1, 1, 1, 4}, {0, 2, 2, 4}};
  for (uint64_t snapshot_index : {uint64_t{0}, uint64_t{2}}) {
    SCOPED_TRACE(snapshot_index);
    std::vector<SharedLogAppend> appends;
    for (const std::vector<uint64_t>& step : plan) {
      SharedLogAppend& append = appends.emplace_back();
      append.set_truncate_from(step[0]);
      for (uint64_t i = 0; i < step[2]; ++i) append.add_entry(entry(step[1] + i, step[3]));
    }
    RestoredState each, at_once;
    if (snapshot_index != 0) {
      ApplyRecord(SnapshotAt(snapshot_index, 1), &each);
      ApplyRecord(SnapshotAt(snapshot_index, 1), &at_once);
    }
    for (size_t n = 0; n < appends.size(); ++n) {
      ApplyLogAppend(appends[n], &each);
    }
    std::vector<SharedLogAppend> moved = appends;
    ApplyLogAppends(std::span(moved), &at_once);
    ASSERT_EQ(at_once.entries.size(), each.entries.size());
    for (size_t i = 0; i < each.entries.size(); ++i) {
      EXPECT_EQ(at_once.entries[i].get(), each.entries[i].get()) << i;
    }
    EXPECT_FALSE(each.entries.empty());
  }
}

// The cache must hand back exactly the plain encoding, for a repeated entry (a hit), a
// different truncate_from of the same entry, an equal but distinct entry, appends of
// several entries (never cached), and after its slots were all reused.
TEST(LogAppendRecordCacheTest, GivesThePlainEncodingOnHitsAndMisses) {
  LogAppendRecordCache cache;
  std::vector<LogEntryPtr> entries;
  for (int i = 0; i < 20; ++i) {
    LogEntry entry;
    entry.set_index(static_cast<uint64_t>(i % 10) + 1);
    entry.set_term(3);
    entry.set_flags(ENTRY_FLAGS_STATE_MACHINE_COMMAND);
    entry.set_request_id("c1." + std::to_string(i));
    entry.set_command(std::string(static_cast<size_t>(i) * 13, 'y'));
    entries.push_back(ShareEntry(std::move(entry)));
  }
  const auto one = [](const LogEntryPtr& entry, uint64_t truncate_from) {
    SharedLogAppend append;
    append.set_truncate_from(truncate_from);
    append.add_entry(entry);
    return append;
  };
  const auto expect_plain = [&cache](const SharedLogAppend& append) {
    PersistedRecord record;
    *record.mutable_log_append() = append.ToProto();
    EXPECT_EQ(cache.Encode(append), EncodeRecord(record));
    EXPECT_EQ(cache.Encode(append), EncodeLogAppendRecord(append));
  };
  for (int round = 0; round < 3; ++round) {
    for (const LogEntryPtr& entry : entries) {
      expect_plain(one(entry, entry->index()));
      expect_plain(one(entry, entry->index()));  // five nodes append the same entry
      expect_plain(one(entry, 0));
      expect_plain(one(ShareEntry(*entry), entry->index()));  // equal, not the same
    }
  }
  SharedLogAppend several;
  several.set_truncate_from(1);
  several.add_entry(entries[0]);
  several.add_entry(entries[1]);
  expect_plain(several);
  expect_plain(SharedLogAppend());
  EXPECT_GT(cache.hits(), 0);
  EXPECT_GT(cache.misses(), 0);
}

// A hit is the record of the very entry cached: the slot keeps it alive, so a new entry
// with different contents never matches an old slot.
TEST(LogAppendRecordCacheTest, NeverConfusesAnEntryWithALaterOne) {
  LogAppendRecordCache cache;
  for (int i = 0; i < 100; ++i) {
    LogEntry entry;
    entry.set_index(5);
    entry.set_term(static_cast<uint64_t>(i) + 1);
    entry.set_command(std::to_string(i));
    SharedLogAppend append;
    append.set_truncate_from(5);
    append.add_entry(ShareEntry(std::move(entry)));  // the only reference is the append's
    const std::string plain = EncodeLogAppendRecord(append);
    EXPECT_EQ(cache.Encode(append), plain);
    EXPECT_EQ(cache.Encode(append), plain);
  }
  EXPECT_EQ(cache.hits(), 100);
  EXPECT_EQ(cache.misses(), 100);
}

TEST(WireFieldTest, AppendsTheEnclosingMessagesBytes) {
  Snapshot snapshot;
  snapshot.set_last_included_index(300);
  snapshot.set_last_included_term(7);
  snapshot.set_state_machine(std::string(200, 'x'));  // A two-byte length.
  PersistedRecord record;
  *record.mutable_snapshot() = snapshot;
  std::string out = "kept";
  AppendMessageField(3, snapshot, &out);
  EXPECT_EQ(out, "kept" + record.SerializeAsString());
  LogEntry empty;
  std::string bare;
  AppendMessageField(1, empty, &bare);
  EXPECT_EQ(bare, std::string("\x0a\x00", 2));
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
  EXPECT_EQ(state.entries[2]->term(), 2u);
}

TEST(PersistenceTest, RecordEncodingIsChecksumThenProtobuf) {
  PersistedRecord record = Append(2, {{2, 1}, {3, 4}});
  record.mutable_log_append()->mutable_entries(0)->set_command(std::string(300, 'c'));
  const std::string encoded = EncodeRecord(record);
  const std::string payload = record.SerializeAsString();
  ASSERT_EQ(encoded.size(), 8 + payload.size());
  EXPECT_EQ(encoded.substr(8), payload);
  absl::StatusOr<PersistedRecord> decoded = DecodeRecord(encoded);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->SerializeAsString(), payload);
}

// RecoverFromRecords takes the decoded records apart; it must end where decoding and
// applying each record in turn ends.
TEST(PersistenceTest, RecoveryEqualsApplyingEachRecord) {
  PersistedRecord snapshot;
  snapshot.mutable_snapshot()->set_last_included_index(2);
  snapshot.mutable_snapshot()->set_last_included_term(1);
  snapshot.mutable_snapshot()->set_state_machine("sm");
  PersistedRecord sealed;
  sealed.mutable_segment_sealed()->set_segment(3);
  std::vector<PersistedRecord> plain = {
      Hard(1, "A"),        Append(1, {{1, 1}, {2, 1}, {3, 1}}), snapshot,
      Append(3, {{3, 2}, {4, 2}}), Append(0, {{2, 1}, {5, 2}, {7, 3}}),
      sealed,              Hard(3, "")};
  plain[1].mutable_log_append()->mutable_entries(2)->set_command("three");
  std::vector<std::string> records;
  RestoredState expected;
  for (const PersistedRecord& record : plain) {
    records.push_back(EncodeRecord(record));
    absl::StatusOr<PersistedRecord> decoded = DecodeRecord(records.back());
    ASSERT_TRUE(decoded.ok());
    ApplyRecord(*decoded, &expected);
  }
  RestoredState state = RecoverFromRecords(records);
  EXPECT_EQ(state.records_read, static_cast<int64_t>(plain.size()));
  EXPECT_EQ(state.hard_state.SerializeAsString(), expected.hard_state.SerializeAsString());
  ASSERT_TRUE(state.snapshot.has_value());
  EXPECT_EQ(state.snapshot->SerializeAsString(), expected.snapshot->SerializeAsString());
  EXPECT_EQ(state.sealed_segment, 3u);
  ASSERT_EQ(state.entries.size(), expected.entries.size());
  ASSERT_EQ(state.entries.size(), 3u);  // 3, 4 and 5; 7 follows a gap
  for (size_t i = 0; i < state.entries.size(); ++i) {
    EXPECT_EQ(state.entries[i]->SerializeAsString(), expected.entries[i]->SerializeAsString());
  }
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

// MakeSnapshot writes the LogHistory record by record: the bytes must be protobuf's
// serialization of the same LogHistory, empty fields left out, lengths of every size.
TEST(PersistenceTest, LogHistoryWrittenRecordByRecordIsTheProtobufSerialization) {
  struct Request {
    std::string request_id;
    uint64_t index;
    std::string result;
  };
  const std::vector<Request> requests = {
      {"id-1", 1, "ok:a"},
      {"", 2, "ok:noop-like"},                      // no request id
      {"id-3", 0, ""},                              // index 0 and no result
      {std::string(127, 'x'), 127, std::string(128, 'y')},  // 1- and 2-byte lengths
      {std::string(300, 'z'), uint64_t{1} << 35, std::string(20000, 'r')},
      {"id-max", ~uint64_t{0}, "r"},                // a ten-byte varint
      {"", 0, ""},                                  // an empty AppliedRequest
  };
  LogHistory expected;
  std::string written;
  for (size_t n = 0; n < requests.size(); ++n) {
    const Request& r = requests[n];
    AppliedRequest* applied = expected.add_requests();
    applied->set_request_id(r.request_id);
    applied->set_index(r.index);
    applied->set_result(r.result);
    const size_t before = written.size();
    const size_t size = LogHistoryRequestSize(r.request_id, r.index, r.result);
    written.resize(before + size + 32);  // room for a miscounted key or length
    char* end = PutLogHistoryRequest(r.request_id, r.index, r.result, written.data() + before);
    EXPECT_EQ(static_cast<size_t>(end - (written.data() + before)), size) << "request " << n;
    written.resize(static_cast<size_t>(end - written.data()));
    EXPECT_EQ(written, expected.SerializeAsString()) << "after request " << n;
  }
  LogHistory parsed;
  ASSERT_TRUE(parsed.ParseFromString(written));
  ASSERT_EQ(parsed.requests_size(), static_cast<int>(requests.size()));
  EXPECT_EQ(parsed.requests(4).index(), uint64_t{1} << 35);
  EXPECT_EQ(parsed.requests(4).result(), std::string(20000, 'r'));
}

TEST(PersistenceTest, SnapshotKeepsMatchingSuffixOrDropsDisagreeingLog) {
  RestoredState state;
  ApplyRecord(Append(1, {{1, 1}, {2, 1}, {3, 2}}), &state);
  PersistedRecord snapshot;
  snapshot.mutable_snapshot()->set_last_included_index(2);
  snapshot.mutable_snapshot()->set_last_included_term(1);
  ApplyRecord(snapshot, &state);
  ASSERT_EQ(state.entries.size(), 1u);
  EXPECT_EQ(state.entries[0]->index(), 3u);
  snapshot.mutable_snapshot()->set_last_included_index(3);
  snapshot.mutable_snapshot()->set_last_included_term(7);  // disagrees
  ApplyRecord(snapshot, &state);
  EXPECT_TRUE(state.entries.empty());
  ApplyRecord(Append(4, {{4, 7}}), &state);
  ASSERT_EQ(state.entries.size(), 1u);
  ApplyRecord(Append(4, {{6, 7}}), &state);  // a gap is never applied
  EXPECT_EQ(state.entries.size(), 0u);
}

PersistedRecord SnapshotAt(uint64_t index, uint64_t term) {
  PersistedRecord record;
  record.mutable_snapshot()->set_last_included_index(index);
  record.mutable_snapshot()->set_last_included_term(term);
  record.mutable_snapshot()->set_state_machine("sm@" + std::to_string(index));
  return record;
}

std::vector<uint64_t> Indexes(const RestoredState& state) {
  std::vector<uint64_t> out;
  for (const LogEntryPtr& entry : state.entries) out.push_back(entry->index());
  return out;
}

TEST(PersistenceTest, MovingRecordsInReplaysLikeCopyingThem) {
  const std::vector<PersistedRecord> records = {
      Hard(3, "A"),        Append(1, {{1, 1}, {2, 1}, {3, 2}}), SnapshotAt(2, 1),
      Append(3, {{3, 3}, {4, 3}}), Hard(4, "B"), SnapshotAt(4, 9), Append(5, {{5, 4}})};
  RestoredState copied;
  RestoredState moved;
  for (const PersistedRecord& record : records) {
    ApplyRecord(record, &copied);
    PersistedRecord spent = record;
    ApplyRecord(std::move(spent), &moved);
    EXPECT_EQ(moved.hard_state.SerializeAsString(), copied.hard_state.SerializeAsString());
    ASSERT_EQ(moved.snapshot.has_value(), copied.snapshot.has_value());
    if (copied.snapshot.has_value()) {
      EXPECT_EQ(moved.snapshot->SerializeAsString(), copied.snapshot->SerializeAsString());
    }
    EXPECT_EQ(Indexes(moved), Indexes(copied));
    for (size_t i = 0; i < copied.entries.size(); ++i) {
      EXPECT_EQ(moved.entries[i]->term(), copied.entries[i]->term());
    }
  }
  EXPECT_EQ(Indexes(copied), std::vector<uint64_t>({5}));
  EXPECT_EQ(copied.snapshot->last_included_index(), 4u);
  EXPECT_EQ(copied.hard_state.voted_for(), "B");
}

TEST(PersistenceTest, EveryFlippedBitAndEveryTornLengthIsDetected) {
  PersistedRecord record = Append(3, {{3, 2}, {4, 2}});
  record.mutable_log_append()->mutable_entries(0)->set_command("set x=1; the command bytes");
  const std::string framed = EncodeRecord(record);
  ASSERT_TRUE(DecodeRecord(framed).ok());
  for (size_t bit = 0; bit < framed.size() * 8; ++bit) {
    std::string flipped = framed;
    flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
    EXPECT_FALSE(DecodeRecord(flipped).ok()) << "bit " << bit;
  }
  for (size_t keep = 0; keep < framed.size(); ++keep) {
    EXPECT_FALSE(DecodeRecord(framed.substr(0, keep)).ok()) << "kept " << keep;
  }
}

TEST(PersistenceTest, SealedRecordNamesItsSegment) {
  RestoredState state = RecoverFromRecords({EncodeRecord(Hard(1, "A")), EncodeSealedRecord(7)});
  EXPECT_EQ(state.records_read, 2);
  EXPECT_EQ(state.sealed_segment, 7u);
  EXPECT_EQ(state.hard_state.term(), 1u);
  EXPECT_EQ(RecoverFromRecords({EncodeRecord(Hard(1, "A"))}).sealed_segment, 0u);
}

// A segment base restores exactly what replaying the old segment and the snapshot
// would: the snapshot, the hard state, and the entries the snapshot keeps.
TEST(PersistenceTest, SegmentBaseReplaysLikeTheOldSegmentPlusTheSnapshot) {
  const std::vector<std::string> old_segment = {
      EncodeRecord(SnapshotAt(0, 0)), EncodeRecord(Hard(2, "B")),
      EncodeRecord(Append(1, {{1, 1}, {2, 1}, {3, 2}, {4, 2}, {5, 2}})),
      EncodeRecord(Append(5, {{5, 2}})), EncodeSealedRecord(1)};
  for (const auto& [index, term] : std::vector<std::pair<uint64_t, uint64_t>>{
           {3, 2}, {5, 2}, {3, 9}, {8, 3}}) {
    SCOPED_TRACE(index * 100 + term);
    const PersistedRecord snapshot = SnapshotAt(index, term);
    std::vector<std::string> replayed = old_segment;
    replayed.push_back(EncodeRecord(snapshot));
    const RestoredState expected = RecoverFromRecords(replayed);
    std::vector<std::string> base =
        EncodeSegmentBase(RecoverFromRecords(old_segment), snapshot.snapshot());
    base.push_back(EncodeSealedRecord(2));
    const RestoredState got = RecoverFromRecords(base);
    EXPECT_EQ(got.records_dropped, 0);
    EXPECT_EQ(got.sealed_segment, 2u);
    EXPECT_EQ(Indexes(got), Indexes(expected));
    EXPECT_EQ(got.hard_state.SerializeAsString(), expected.hard_state.SerializeAsString());
    ASSERT_TRUE(got.snapshot.has_value());
    EXPECT_EQ(got.snapshot->SerializeAsString(), snapshot.snapshot().SerializeAsString());
  }
  // Kept suffix and dropped log, concretely.
  RestoredState kept = RecoverFromRecords(
      EncodeSegmentBase(RecoverFromRecords(old_segment), SnapshotAt(3, 2).snapshot()));
  EXPECT_EQ(Indexes(kept), (std::vector<uint64_t>{4, 5}));
  EXPECT_EQ(kept.hard_state.voted_for(), "B");
  RestoredState dropped = RecoverFromRecords(
      EncodeSegmentBase(RecoverFromRecords(old_segment), SnapshotAt(3, 9).snapshot()));
  EXPECT_TRUE(dropped.entries.empty());
  // The durable state is read, not changed.
  const RestoredState durable = RecoverFromRecords(old_segment);
  const std::vector<uint64_t> before = Indexes(durable);
  EXPECT_EQ(EncodeSegmentBase(durable, SnapshotAt(3, 2).snapshot()).size(), 3u);
  EXPECT_EQ(Indexes(durable), before);
  EXPECT_EQ(durable.hard_state.voted_for(), "B");
  // An empty durable state gives a base of the snapshot alone.
  EXPECT_EQ(EncodeSegmentBase(RestoredState(), SnapshotAt(0, 0).snapshot()).size(), 1u);
}

std::vector<std::string> Sealed(uint64_t segment, uint64_t term) {
  return {EncodeRecord(SnapshotAt(segment * 10, 1)), EncodeRecord(Hard(term, "A")),
          EncodeSealedRecord(segment)};
}

TEST(PersistenceTest, RecoverFromSegmentsPicksTheHighestSealedSegment) {
  std::vector<std::string> two = Sealed(2, 5);
  two.push_back(EncodeRecord(Hard(6, "C")));
  std::vector<std::string> three = Sealed(3, 7);
  three.pop_back();  // the seal never became durable
  three.back().resize(3);  // and the record before it is torn
  const std::vector<std::string> one = Sealed(1, 1);
  SegmentedRecovery recovery = RecoverFromSegments({{3, &three}, {1, &one}, {2, &two}});
  EXPECT_FALSE(recovery.corrupt);
  EXPECT_EQ(recovery.segment, 2u);
  EXPECT_EQ(recovery.discarded, (std::vector<uint64_t>{1, 3}));
  EXPECT_EQ(recovery.state.hard_state.term(), 6u);
  EXPECT_EQ(recovery.state.records_read, 4);
  EXPECT_EQ(recovery.state.snapshot->last_included_index(), 20u);

  // A sealed segment with a torn tail is chosen; the tail shows as one dropped record.
  std::vector<std::string> four = Sealed(4, 8);
  four.push_back(EncodeRecord(Hard(9, "A")).substr(0, 11));
  recovery = RecoverFromSegments({{2, &two}, {4, &four}});
  EXPECT_EQ(recovery.segment, 4u);
  EXPECT_EQ(recovery.state.records_dropped, 1);
  EXPECT_EQ(recovery.state.records_read, 3);
  EXPECT_EQ(recovery.state.hard_state.term(), 8u);
  EXPECT_EQ(recovery.discarded, (std::vector<uint64_t>{2}));

  // A seal that names another segment does not seal this one.
  std::vector<std::string> misnamed = Sealed(5, 9);
  recovery = RecoverFromSegments({{2, &two}, {6, &misnamed}});
  EXPECT_EQ(recovery.segment, 2u);
  EXPECT_EQ(recovery.discarded, (std::vector<uint64_t>{6}));

  // Nothing on disk, or only an unsealed first segment: start empty.
  recovery = RecoverFromSegments({});
  EXPECT_EQ(recovery.segment, 0u);
  EXPECT_FALSE(recovery.corrupt);
  std::vector<std::string> first_torn = Sealed(1, 1);
  first_torn.back().resize(2);
  recovery = RecoverFromSegments({{1, &first_torn}});
  EXPECT_EQ(recovery.segment, 0u);
  EXPECT_FALSE(recovery.corrupt);
  EXPECT_EQ(recovery.discarded, (std::vector<uint64_t>{1}));
}

TEST(PersistenceTest, RecoverFromSegmentsReportsCorruption) {
  // A bad record with a good one after it in the segment restored from.
  std::vector<std::string> two = Sealed(2, 5);
  two.push_back(EncodeRecord(Hard(6, "C")));
  two[1][9] ^= 0x04;
  const std::vector<std::string> one = Sealed(1, 1);
  SegmentedRecovery recovery = RecoverFromSegments({{1, &one}, {2, &two}});
  EXPECT_TRUE(recovery.corrupt);
  EXPECT_EQ(recovery.corrupt_segment, 2u);
  // The same in a higher unsealed segment: it cannot be told from a damaged seal.
  std::vector<std::string> three = Sealed(3, 7);
  three[0][12] ^= 0x10;
  const std::vector<std::string> good_two = Sealed(2, 5);
  recovery = RecoverFromSegments({{2, &good_two}, {3, &three}});
  EXPECT_TRUE(recovery.corrupt);
  EXPECT_EQ(recovery.corrupt_segment, 3u);
  // Corruption in a superseded segment does not matter: it is never read.
  std::vector<std::string> bad_one = Sealed(1, 1);
  bad_one[0][10] ^= 0x01;
  recovery = RecoverFromSegments({{1, &bad_one}, {2, &good_two}});
  EXPECT_FALSE(recovery.corrupt);
  EXPECT_EQ(recovery.segment, 2u);
  // Only an unsealed segment beyond the first: its sealed predecessor is gone, so a
  // durable seal was damaged.
  std::vector<std::string> lost_seal = Sealed(4, 8);
  lost_seal.back().resize(lost_seal.back().size() - 1);
  recovery = RecoverFromSegments({{4, &lost_seal}});
  EXPECT_TRUE(recovery.corrupt);
  EXPECT_EQ(recovery.corrupt_segment, 4u);
}

}  // namespace
}  // namespace ravensim::rachis
