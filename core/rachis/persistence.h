// Persisted Rachis records: framing with a checksum, and recovery of a node's durable
// state from the records that survived on its disk (RAVENDB_MODEL.md §1.4; the
// persistence contract of DESIGN.md §3).
//
// A record is `[fixed64 RecordChecksum of payload][payload]` (checksum.h), the payload a
// serialized PersistedRecord. The checksum is written here when persisting and verified
// here when loading (STYLE.md §D: checksum on both sides). Recovery replays records in order and
// stops at the first record that fails its checksum or does not parse: that record and
// everything after it are dropped (a torn tail), never applied.
#ifndef RAVENSIM_CORE_RACHIS_PERSISTENCE_H_
#define RAVENSIM_CORE_RACHIS_PERSISTENCE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/rachis/log_entry_ptr.h"
#include "core/rachis/rachis.pb.h"

namespace ravensim::rachis {

// What a node has on disk, reduced to the latest durable view.
struct RestoredState {
  HardState hard_state;
  std::optional<Snapshot> snapshot;
  std::vector<LogEntryPtr> entries;  // contiguous, starting after the snapshot (if any)
  int64_t records_read = 0;       // records accepted
  int64_t records_dropped = 0;    // corrupt or torn records (and everything after them)
  uint64_t sealed_segment = 0;    // segment named by the last SegmentSealed replayed
  bool Empty() const {
    return !snapshot.has_value() && entries.empty() && hard_state.term() == 0;
  }
};

// A LogAppend whose entries are shared with the log that appended them (what a Ready
// persists): the same record as LogAppend, without copying an entry.
class SharedLogAppend {
 public:
  uint64_t truncate_from() const { return truncate_from_; }
  void set_truncate_from(uint64_t from) { truncate_from_ = from; }
  int entries_size() const { return static_cast<int>(entries_.size()); }
  const LogEntry& entries(int i) const { return *entries_[static_cast<size_t>(i)]; }
  const std::vector<LogEntryPtr>& shared_entries() const { return entries_; }
  std::vector<LogEntryPtr>* mutable_shared_entries() { return &entries_; }
  void add_entry(LogEntryPtr entry) { entries_.push_back(std::move(entry)); }
  void reserve(size_t n) { entries_.reserve(n); }
  // The LogAppend it stands for (a copy of every entry).
  LogAppend ToProto() const;

 private:
  uint64_t truncate_from_ = 0;
  std::vector<LogEntryPtr> entries_;
};

// Frames `record` with its checksum.
std::string EncodeRecord(const PersistedRecord& record);

// The framed bytes of PersistedRecord{log_append = append.ToProto()}, without copying.
std::string EncodeLogAppendRecord(const SharedLogAppend& append);

// EncodeLogAppendRecord, remembering the records of the last few one-entry appends.
// Every node of a cluster appends the very same shared entry (log_entry_ptr.h), with the
// same truncate_from (the entry's index), so the nodes after the first get the framed
// bytes already made (a copy) instead of sizing, serializing and checksumming the entry
// again. A slot keeps its entry alive, so an entry pointer found in it is that entry
// (immutable once shared), never a new one at a reused address; the bytes returned are
// always EncodeLogAppendRecord(append).
class LogAppendRecordCache {
 public:
  static constexpr size_t kSlots = 8;
  std::string Encode(const SharedLogAppend& append);
  int64_t hits() const { return hits_; }
  int64_t misses() const { return misses_; }

 private:
  struct Slot {
    LogEntryPtr entry;
    uint64_t truncate_from = 0;
    std::string record;
  };
  Slot slots_[kSlots];
  size_t next_ = 0;  // the slot the next miss overwrites (round robin)
  int64_t hits_ = 0;
  int64_t misses_ = 0;
};

// The framed bytes of PersistedRecord{snapshot = snapshot}, without copying it.
std::string EncodeSnapshotRecord(const Snapshot& snapshot);

// Writes AppliedRequest{request_id, index, result} at `p` as one element of a
// serialized LogHistory (Snapshot.log_history) and returns the end: written request
// after request, the bytes are the LogHistory holding them in that order, as protobuf
// serializes it. `p` must have room for LogHistoryRequestSize(...) bytes.
char* PutLogHistoryRequest(std::string_view request_id, uint64_t index,
                           std::string_view result, char* p);
// The bytes PutLogHistoryRequest writes.
size_t LogHistoryRequestSize(std::string_view request_id, uint64_t index,
                             std::string_view result);

// The framed bytes of PersistedRecord{segment_sealed = {segment}}.
std::string EncodeSealedRecord(uint64_t segment);

// The records that begin a new segment, up to (not including) its seal: replayed from
// empty they restore `durable` with `snapshot` applied (ApplyRecord's rules), i.e. the
// snapshot, `durable`'s hard state (if set) and the entries of `durable` the snapshot
// keeps. `durable.snapshot` is ignored.
std::vector<std::string> EncodeSegmentBase(const RestoredState& durable,
                                           const Snapshot& snapshot);

// Verifies and parses one framed record. DataLossError on checksum or parse failure.
absl::StatusOr<PersistedRecord> DecodeRecord(absl::string_view bytes);

// Replays `records` (oldest first) into a RestoredState; see the file comment.
RestoredState RecoverFromRecords(const std::vector<std::string>& records);

// Applies one record to `state` (exposed so the recovery rules can be tested one by
// one): a snapshot drops the entries it covers, or all of them if the log disagrees with
// it at its last index; a LogAppend drops entries >= truncate_from, then appends.
void ApplyRecord(const PersistedRecord& record, RestoredState* state);
// The same, moving the entries and the snapshot out of `record` instead of copying them.
void ApplyRecord(PersistedRecord&& record, RestoredState* state);
// ApplyRecord of a record holding `append`, moving its entries out.
void ApplyLogAppend(LogAppend&& append, RestoredState* state);
// ApplyRecord of a record holding `append.ToProto()`, sharing its entries.
void ApplyLogAppend(const SharedLogAppend& append, RestoredState* state);
// The same, moving the entries out of `append` (left without the entries it applied).
void ApplyLogAppend(SharedLogAppend&& append, RestoredState* state);
// ApplyLogAppend(std::move(append), state) for each of `appends`, in order.
void ApplyLogAppends(std::span<SharedLogAppend> appends, RestoredState* state);

// One segment as found on disk.
struct LogSegment {
  uint64_t number = 0;  // >= 1
  const std::vector<std::string>* records = nullptr;
};

struct SegmentedRecovery {
  // The segment restored from (0: none; the node starts empty) and its state. A torn
  // tail of that segment shows as state.records_dropped == 1: cut it off (keep
  // state.records_read records) before appending.
  uint64_t segment = 0;
  RestoredState state;
  // Every other segment found, ascending: superseded (lower) or never sealed (higher).
  // Delete them before writing anything new.
  std::vector<uint64_t> discarded;
  // Durable data is damaged, not merely torn: a bad record followed by good ones in a
  // segment that had to be read, or no sealed segment although a segment beyond the
  // first exists (its predecessors are only deleted once it was sealed). The node must
  // not run on what is left (it could have forgotten a vote).
  bool corrupt = false;
  uint64_t corrupt_segment = 0;
};

// Chooses the highest-numbered sealed segment (its seal names its own number) and
// replays it; higher unsealed segments (a compaction cut short by a crash) and lower
// ones are discarded. `segments` in any order, numbers distinct.
SegmentedRecovery RecoverFromSegments(std::vector<LogSegment> segments);

}  // namespace ravensim::rachis

#endif  // RAVENSIM_CORE_RACHIS_PERSISTENCE_H_
