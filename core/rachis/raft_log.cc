#include "core/rachis/raft_log.h"

#include <algorithm>
#include <cstddef>
#include <utility>

#include "core/base/check.h"

namespace ravensim::rachis {

void RaftLog::OutOfRange(uint64_t index) const {
  CHECK_GT(index, snapshot_index_);
  CHECK_LE(index, LastIndex());
  CHECK(false);
}

void RaftLog::CopyTo(uint64_t from, int max_count,
                     google::protobuf::RepeatedPtrField<LogEntry>* out) const {
  CHECK_GT(from, snapshot_index_);
  if (from > LastIndex() || max_count <= 0) return;
  const uint64_t count =
      std::min(LastIndex() - from + 1, static_cast<uint64_t>(max_count));
  out->Reserve(out->size() + static_cast<int>(count));
  auto it = entries_.begin() + static_cast<std::ptrdiff_t>(from - snapshot_index_ - 1);
  for (uint64_t k = 0; k < count; ++k, ++it) out->AddAllocated(new LogEntry(*it->entry));
}

void RaftLog::CheckAppendable(const LogEntry& entry) const {
  CHECK_EQ(entry.index(), LastIndex() + 1);
  CHECK_GE(entry.term(), LastTerm());
  CHECK(false);  // reached only for an entry that is not appendable
}

void RaftLog::TruncateFrom(uint64_t from) {
  CHECK_GT(from, snapshot_index_);
  while (LastIndex() >= from) {
    entries_.pop_back();
  }
}

void RaftLog::CompactThrough(uint64_t index, uint64_t term) {
  CHECK_LE(index, LastIndex());
  CHECK_GE(index, snapshot_index_);
  std::optional<uint64_t> existing = TermAt(index);
  CHECK(existing.has_value());
  CHECK_EQ(*existing, term);
  size_t dropped = 0;
  while (dropped < entries_.size() && entries_[dropped].entry->index() <= index) ++dropped;
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(dropped));
  snapshot_index_ = index;
  snapshot_term_ = term;
}

void RaftLog::ResetTo(uint64_t index, uint64_t term) {
  entries_.clear();
  snapshot_index_ = index;
  snapshot_term_ = term;
}

}  // namespace ravensim::rachis
