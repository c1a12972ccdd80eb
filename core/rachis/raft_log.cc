#include "core/rachis/raft_log.h"

#include <algorithm>
#include <cstddef>
#include <utility>

#include "core/base/check.h"

namespace ravensim::rachis {

const LogEntryPtr& RaftLog::SharedAt(uint64_t index) const {
  CHECK_GT(index, snapshot_index_);
  CHECK_LE(index, LastIndex());
  return entries_[index - snapshot_index_ - 1];
}

void RaftLog::CopyTo(uint64_t from, int max_count,
                     google::protobuf::RepeatedPtrField<LogEntry>* out) const {
  CHECK_GT(from, snapshot_index_);
  if (from > LastIndex() || max_count <= 0) return;
  const uint64_t count =
      std::min(LastIndex() - from + 1, static_cast<uint64_t>(max_count));
  out->Reserve(out->size() + static_cast<int>(count));
  auto it = entries_.begin() + static_cast<std::ptrdiff_t>(from - snapshot_index_ - 1);
  for (uint64_t k = 0; k < count; ++k, ++it) out->AddAllocated(new LogEntry(**it));
}

void RaftLog::CheckAppendable(const LogEntry& entry) const {
  CHECK_EQ(entry.index(), LastIndex() + 1);
  CHECK_GE(entry.term(), LastTerm());
}

void RaftLog::Append(LogEntryPtr entry, uint64_t hash) {
  CheckAppendable(*entry);
  entries_.push_back(std::move(entry));
  hashes_.push_back(hash);
}

uint64_t RaftLog::HashAt(uint64_t index) const {
  CHECK_GT(index, snapshot_index_);
  CHECK_LE(index, LastIndex());
  return hashes_[index - snapshot_index_ - 1];
}

void RaftLog::TruncateFrom(uint64_t from) {
  CHECK_GT(from, snapshot_index_);
  while (LastIndex() >= from) {
    entries_.pop_back();
    hashes_.pop_back();
  }
}

void RaftLog::CompactThrough(uint64_t index, uint64_t term) {
  CHECK_LE(index, LastIndex());
  CHECK_GE(index, snapshot_index_);
  std::optional<uint64_t> existing = TermAt(index);
  CHECK(existing.has_value());
  CHECK_EQ(*existing, term);
  while (!entries_.empty() && entries_.front()->index() <= index) {
    entries_.pop_front();
    hashes_.pop_front();
  }
  snapshot_index_ = index;
  snapshot_term_ = term;
}

void RaftLog::ResetTo(uint64_t index, uint64_t term) {
  entries_.clear();
  hashes_.clear();
  snapshot_index_ = index;
  snapshot_term_ = term;
}

}  // namespace ravensim::rachis
