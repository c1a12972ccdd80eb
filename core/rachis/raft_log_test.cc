#include "core/rachis/raft_log.h"

#include <algorithm>
#include <vector>

#include "gtest/gtest.h"

namespace ravensim::rachis {
namespace {

LogEntry Entry(uint64_t index, uint64_t term) {
  LogEntry entry;
  entry.set_index(index);
  entry.set_term(term);
  return entry;
}

TEST(RaftLogTest, AppendTruncateCompact) {
  RaftLog log;
  EXPECT_EQ(log.LastIndex(), 0u);
  EXPECT_EQ(log.TermAt(0), 0u);
  for (uint64_t i = 1; i <= 5; ++i) log.Append(Entry(i, i < 3 ? 1 : 2));
  EXPECT_EQ(log.LastIndex(), 5u);
  EXPECT_EQ(log.LastTerm(), 2u);
  log.TruncateFrom(4);
  EXPECT_EQ(log.LastIndex(), 3u);
  EXPECT_FALSE(log.TermAt(4).has_value());
  log.CompactThrough(2, 1);
  EXPECT_EQ(log.snapshot_index(), 2u);
  EXPECT_EQ(log.TermAt(2), 1u);
  EXPECT_FALSE(log.TermAt(1).has_value());
  EXPECT_EQ(log.At(3).term(), 2u);
  log.ResetTo(10, 3);
  EXPECT_EQ(log.LastIndex(), 10u);
  EXPECT_EQ(log.LastTerm(), 3u);
  log.Append(Entry(11, 3), 0xabc);
  log.Append(Entry(12, 3), 0xdef);
  EXPECT_EQ(log.HashAt(11), 0xabcu);
  EXPECT_EQ(log.HashAt(12), 0xdefu);
  log.TruncateFrom(12);
  log.Append(Entry(12, 4), 0x123);
  EXPECT_EQ(log.HashAt(12), 0x123u);
  log.CompactThrough(11, 3);
  EXPECT_EQ(log.HashAt(12), 0x123u);
}

TEST(RaftLogTest, CopyToAppendsUpToMaxCountEntriesFromTheLog) {
  RaftLog log;
  for (uint64_t i = 1; i <= 6; ++i) log.Append(Entry(i, 1 + i / 3));
  log.CompactThrough(2, 1);
  for (uint64_t from = 3; from <= 8; ++from) {
    for (int max_count : {0, 1, 2, 100}) {
      google::protobuf::RepeatedPtrField<LogEntry> out;
      *out.Add() = Entry(99, 9);  // kept: CopyTo appends
      log.CopyTo(from, max_count, &out);
      const uint64_t available = from <= 6 ? 6 - from + 1 : 0;
      const int expected =
          static_cast<int>(std::min<uint64_t>(available, static_cast<uint64_t>(max_count)));
      ASSERT_EQ(out.size(), expected + 1) << from << " " << max_count;
      EXPECT_EQ(out[0].index(), 99u);
      for (int k = 0; k < expected; ++k) {
        EXPECT_EQ(out[k + 1].SerializeAsString(), log.At(from + k).SerializeAsString());
      }
    }
  }
  google::protobuf::RepeatedPtrField<LogEntry> all;
  log.CopyTo(3, 100, &all);
  ASSERT_EQ(all.size(), 4);
  EXPECT_EQ(all[0].index(), 3u);
  EXPECT_EQ(all[3].index(), 6u);
}

TEST(RaftLogDeathTest, RejectsGapsAndTermRegressions) {
  RaftLog log;
  log.Append(Entry(1, 2));
  EXPECT_DEATH(log.Append(Entry(3, 2)), "CHECK failed");
  EXPECT_DEATH(log.Append(Entry(2, 1)), "CHECK failed");
}

}  // namespace
}  // namespace ravensim::rachis
