// RaftLog: the in-memory Rachis log of one node: a compacted prefix (represented by the
// snapshot's last index and term) followed by the entries after it.
//
// Entries are held shared (LogEntryPtr): handing one to a Ready or a message costs no copy.
// Invariants: entries are contiguous, entries_[k].entry->index() == snapshot_index_ + 1 + k, and
// terms never decrease along the log. Index 0 always exists with term 0.
// Thread-compatible; owned by one RachisNode.
#ifndef RAVENSIM_CORE_RACHIS_RAFT_LOG_H_
#define RAVENSIM_CORE_RACHIS_RAFT_LOG_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "absl/base/optimization.h"
#include "core/rachis/log_entry_ptr.h"
#include "core/rachis/rachis.pb.h"

namespace ravensim::rachis {

class RaftLog {
 public:
  RaftLog() = default;

  uint64_t snapshot_index() const { return snapshot_index_; }
  uint64_t snapshot_term() const { return snapshot_term_; }
  uint64_t LastIndex() const { return snapshot_index_ + entries_.size(); }
  uint64_t LastTerm() const {
    return entries_.empty() ? snapshot_term_ : entries_.back().entry->term();
  }
  // Term of `index`, or nullopt if it was compacted away (index < snapshot_index) or is
  // past the end. (Inline: asked on every message and commit.)
  std::optional<uint64_t> TermAt(uint64_t index) const {
    if (index == snapshot_index_) return snapshot_term_;
    if (index < snapshot_index_ || index > LastIndex()) return std::nullopt;
    return entries_[index - snapshot_index_ - 1].entry->term();
  }
  // REQUIRES: snapshot_index() < index <= LastIndex().
  const LogEntry& At(uint64_t index) const { return *SharedAt(index); }
  // The shared entry at `index`. REQUIRES: as At(). (Inline: asked on every apply.)
  const LogEntryPtr& SharedAt(uint64_t index) const { return SlotAt(index).entry; }
  // Calls fn(const LogEntryPtr&) for up to `max_count` entries starting at `from`.
  // REQUIRES: from > snapshot_index().
  template <typename Fn>
  void ForEachFrom(uint64_t from, uint64_t max_count, Fn&& fn) const {
    ForEachWithHashFrom(from, max_count,
                        [&fn](const LogEntryPtr& entry, uint64_t) { fn(entry); });
  }
  // The same with fn(const LogEntryPtr&, uint64_t hash): each entry's HashAt().
  template <typename Fn>
  void ForEachWithHashFrom(uint64_t from, uint64_t max_count, Fn&& fn) const;
  // Appends copies of up to `max_count` entries starting at `from` to `out`.
  // REQUIRES: from > snapshot_index().
  void CopyTo(uint64_t from, int max_count,
              google::protobuf::RepeatedPtrField<LogEntry>* out) const;

  // REQUIRES: entry.index() == LastIndex() + 1 and entry.term() >= LastTerm().
  // `hash` is kept with the entry for HashAt() (RachisNode stores EntryHash there).
  void Append(LogEntryPtr entry, uint64_t hash = 0) {
    if (ABSL_PREDICT_FALSE(entry->index() != LastIndex() + 1 ||
                           entry->term() < LastTerm())) {
      CheckAppendable(*entry);  // fails, saying why
    }
    entries_.push_back({std::move(entry), hash});
  }
  void Append(LogEntry&& entry, uint64_t hash = 0) { Append(ShareEntry(std::move(entry)), hash); }
  void Append(const LogEntry& entry, uint64_t hash = 0) { Append(ShareEntry(entry), hash); }
  // The hash given to Append() for `index`. REQUIRES: as At().
  uint64_t HashAt(uint64_t index) const { return SlotAt(index).hash; }
  // Drops every entry with index >= `from`. REQUIRES: from > snapshot_index().
  void TruncateFrom(uint64_t from);
  // Compacts through `index` (which must be <= LastIndex() and hold `term`), keeping the
  // entries after it.
  void CompactThrough(uint64_t index, uint64_t term);
  // Replaces the whole log with an empty log based at (index, term).
  void ResetTo(uint64_t index, uint64_t term);

 private:
  // An entry with the hash given to Append() for it. Padded to 32 bytes, a power of
  // two: LastIndex(), asked on nearly every step, then takes the vector's size with a
  // shift instead of a division by 24.
  struct alignas(32) Slot {
    LogEntryPtr entry;
    uint64_t hash = 0;
  };
  static_assert(sizeof(Slot) == 32);
  const Slot& SlotAt(uint64_t index) const {
    if (ABSL_PREDICT_FALSE(index <= snapshot_index_ || index > LastIndex())) {
      OutOfRange(index);
    }
    return entries_[index - snapshot_index_ - 1];
  }
  [[noreturn]] void OutOfRange(uint64_t index) const;
  void CheckAppendable(const LogEntry& entry) const;
  uint64_t snapshot_index_ = 0;
  uint64_t snapshot_term_ = 0;
  // Plain indexing for every lookup; compaction (rare) erases the prefix, moving only the
  // entries it keeps (those past the applied index).
  std::vector<Slot> entries_;
};

template <typename Fn>
void RaftLog::ForEachWithHashFrom(uint64_t from, uint64_t max_count, Fn&& fn) const {
  if (from <= snapshot_index_ || from > LastIndex()) return;
  const uint64_t count = std::min(LastIndex() - from + 1, max_count);
  auto it = entries_.begin() + static_cast<std::ptrdiff_t>(from - snapshot_index_ - 1);
  for (uint64_t k = 0; k < count; ++k, ++it) fn(it->entry, it->hash);
}

}  // namespace ravensim::rachis

#endif  // RAVENSIM_CORE_RACHIS_RAFT_LOG_H_
