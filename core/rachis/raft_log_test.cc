#include "core/rachis/raft_log.h"

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
  EXPECT_EQ(log.Slice(2, 2).size(), 2u);
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
}

TEST(RaftLogDeathTest, RejectsGapsAndTermRegressions) {
  RaftLog log;
  log.Append(Entry(1, 2));
  EXPECT_DEATH(log.Append(Entry(3, 2)), "CHECK failed");
  EXPECT_DEATH(log.Append(Entry(2, 1)), "CHECK failed");
}

}  // namespace
}  // namespace ravensim::rachis
