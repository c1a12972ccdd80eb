#include "core/rachis/persistence.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <type_traits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/base/varint.h"
#include "core/rachis/checksum.h"
#include "core/rachis/wire_field.h"

namespace ravensim::rachis {
namespace {

constexpr size_t kChecksumBytes = 8;

uint64_t GetFixed64(absl::string_view bytes) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) {
    value |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  }
  return value;
}

uint64_t FirstIndex(const RestoredState& state) {
  return state.snapshot.has_value() ? state.snapshot->last_included_index() + 1 : 1;
}

// Whether a snapshot at (index, term) keeps the entries after it: the log agrees with it
// at `index` (the last entry of that index has that term).
bool KeepsSuffix(uint64_t index, uint64_t term, const std::vector<LogEntryPtr>& entries) {
  bool keep_suffix = false;
  for (const LogEntryPtr& entry : entries) {
    if (entry->index() == index) keep_suffix = entry->term() == term;
  }
  return keep_suffix;
}

// Drops the entries a snapshot at (index, term) covers, or all of them if the log
// disagrees with it at `index`. In place: the kept entries are moved down, in order.
void DropEntriesCoveredBy(uint64_t index, uint64_t term, std::vector<LogEntryPtr>* entries) {
  if (!KeepsSuffix(index, term, *entries)) {
    entries->clear();
    return;
  }
  std::erase_if(*entries, [index](const LogEntryPtr& entry) { return entry->index() <= index; });
}

// `Snap` is `const Snapshot&` (copied) or `Snapshot&&` (moved).
template <typename Snap>
void ApplySnapshot(Snap&& snapshot, RestoredState* state) {
  DropEntriesCoveredBy(snapshot.last_included_index(), snapshot.last_included_term(),
                       &state->entries);
  state->snapshot = std::forward<Snap>(snapshot);
}

// `framed` holds kChecksumBytes placeholder bytes, then the payload: fills in the
// payload's checksum.
void SetChecksum(std::string* framed) {
  uint64_t checksum = RecordChecksum(absl::string_view(*framed).substr(kChecksumBytes));
  // Little-endian, written at once (as GetFixed64 reads it back).
  if constexpr (std::endian::native == std::endian::big) checksum = __builtin_bswap64(checksum);
  std::memcpy(framed->data(), &checksum, kChecksumBytes);
}

const LogEntry& EntryOf(const LogEntry& entry) { return entry; }
const LogEntry& EntryOf(const LogEntryPtr& entry) { return *entry; }

// `Entries` is the const (entries copied) or mutable (entries moved out) repeated field
// of a LogAppend, or the shared entries of a SharedLogAppend (shared, or moved out of a
// mutable one).
template <typename Entries>
void ApplyLogAppend(uint64_t truncate_from, Entries& entries, RestoredState* state) {
  if (truncate_from > 0) {
    while (!state->entries.empty() && state->entries.back()->index() >= truncate_from) {
      state->entries.pop_back();
    }
  }
  const uint64_t first = FirstIndex(*state);  // appends never change the snapshot
  for (auto& entry : entries) {
    const uint64_t index = EntryOf(entry).index();
    const uint64_t next = first + state->entries.size();
    if (index < next) continue;  // already covered by a snapshot
    if (index != next) break;    // a gap can only follow a lost record: stop
    if constexpr (std::is_same_v<std::remove_const_t<Entries>, std::vector<LogEntryPtr>>) {
      if constexpr (std::is_const_v<Entries>) {
        state->entries.push_back(entry);
      } else {
        state->entries.push_back(std::move(entry));
      }
    } else if constexpr (std::is_const_v<Entries>) {
      state->entries.push_back(ShareEntry(entry));
    } else {
      state->entries.push_back(ShareEntry(std::move(entry)));
    }
  }
}

enum class DecodeError { kNone, kShort, kChecksum, kParse };

// Verifies and parses one framed record into `record` (DecodeRecord without building a
// Status: recovery calls it for every record).
DecodeError DecodeRecordInto(absl::string_view bytes, PersistedRecord* record) {
  if (bytes.size() < kChecksumBytes) return DecodeError::kShort;
  absl::string_view payload = bytes.substr(kChecksumBytes);
  if (RecordChecksum(payload) != GetFixed64(bytes.substr(0, kChecksumBytes))) {
    return DecodeError::kChecksum;
  }
  if (!record->ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return DecodeError::kParse;
  }
  return DecodeError::kNone;
}

}  // namespace

std::string EncodeRecord(const PersistedRecord& record) {
  // The payload is serialized in place after room for its checksum (no second copy).
  const size_t size = record.ByteSizeLong();
  std::string out;
  out.resize(kChecksumBytes + size);
  record.SerializeWithCachedSizesToArray(
      reinterpret_cast<uint8_t*>(out.data() + kChecksumBytes));
  SetChecksum(&out);
  return out;
}

LogAppend SharedLogAppend::ToProto() const {
  LogAppend append;
  append.set_truncate_from(truncate_from_);
  append.mutable_entries()->Reserve(entries_size());
  for (const LogEntryPtr& entry : entries_) *append.add_entries() = *entry;
  return append;
}

std::string EncodeLogAppendRecord(const SharedLogAppend& append) {
  // PersistedRecord{log_append (field 2) = LogAppend{truncate_from (1), entries (2)}},
  // serialized as protobuf would (fields in number order, a zero scalar omitted).
  size_t body = UintFieldSize(append.truncate_from());
  for (const LogEntryPtr& entry : append.shared_entries()) {
    const size_t size = SharedEntrySize(*entry);
    body += DelimitedFieldSize(size);
  }
  // Sized once, then written in place after the checksum's room.
  std::string out;
  out.resize(kChecksumBytes + DelimitedFieldSize(body));
  uint8_t* p = reinterpret_cast<uint8_t*>(out.data()) + kChecksumBytes;
  *p++ = (2 << 3) | 2;
  p = PutVarint(body, p);
  p = PutUintField((1 << 3) | 0, append.truncate_from(), p);
  for (const LogEntryPtr& entry : append.shared_entries()) {
    *p++ = (2 << 3) | 2;
    p = PutVarint(static_cast<uint64_t>(entry->GetCachedSize()), p);
    p = entry->SerializeWithCachedSizesToArray(p);
  }
  CHECK_EQ(static_cast<size_t>(p - reinterpret_cast<uint8_t*>(out.data())), out.size());
  SetChecksum(&out);
  return out;
}

std::string LogAppendRecordCache::Encode(const SharedLogAppend& append) {
  if (append.entries_size() != 1) return EncodeLogAppendRecord(append);
  const LogEntryPtr& entry = append.shared_entries().front();
  // Newest first: the other nodes append an entry soon after the first did.
  for (size_t i = 1; i <= kSlots; ++i) {
    const Slot& slot = slots_[(next_ + kSlots - i) % kSlots];
    if (slot.entry == entry && slot.truncate_from == append.truncate_from()) {
      ++hits_;
      return slot.record;
    }
  }
  ++misses_;
  Slot& slot = slots_[next_];
  next_ = (next_ + 1) % kSlots;
  slot.entry = entry;
  slot.truncate_from = append.truncate_from();
  slot.record = EncodeLogAppendRecord(append);
  return slot.record;
}

std::string EncodeSealedRecord(uint64_t segment) {
  PersistedRecord record;
  record.mutable_segment_sealed()->set_segment(segment);
  return EncodeRecord(record);
}

std::vector<std::string> EncodeSegmentBase(const RestoredState& durable,
                                           const Snapshot& snapshot) {
  std::vector<std::string> out;
  out.push_back(EncodeSnapshotRecord(snapshot));
  if (durable.hard_state.ByteSizeLong() > 0) {
    PersistedRecord record;
    *record.mutable_hard_state() = durable.hard_state;
    out.push_back(EncodeRecord(record));
  }
  // The entries the snapshot keeps (DropEntriesCoveredBy), shared without copying the
  // others (a compaction drops thousands).
  const uint64_t index = snapshot.last_included_index();
  if (KeepsSuffix(index, snapshot.last_included_term(), durable.entries)) {
    SharedLogAppend append;
    for (const LogEntryPtr& entry : durable.entries) {
      if (entry->index() > index) append.add_entry(entry);
    }
    if (append.entries_size() > 0) out.push_back(EncodeLogAppendRecord(append));
  }
  return out;
}

namespace {

size_t AppliedRequestSize(std::string_view request_id, uint64_t index,
                          std::string_view result) {
  return BytesFieldSize(request_id) + UintFieldSize(index) + BytesFieldSize(result);
}

}  // namespace

size_t LogHistoryRequestSize(std::string_view request_id, uint64_t index,
                             std::string_view result) {
  return DelimitedFieldSize(AppliedRequestSize(request_id, index, result));
}

char* PutLogHistoryRequest(std::string_view request_id, uint64_t index,
                           std::string_view result, char* p) {
  *p++ = 0x0a;  // LogHistory.requests: field 1, length-delimited
  p = PutVarint(AppliedRequestSize(request_id, index, result), p);
  p = PutBytesField(0x0a, request_id, p);  // AppliedRequest.request_id: field 1
  p = PutUintField(0x10, index, p);        // AppliedRequest.index: field 2, varint
  return PutBytesField(0x1a, result, p);  // AppliedRequest.result: field 3
}

std::string EncodeSnapshotRecord(const Snapshot& snapshot) {
  std::string out(kChecksumBytes, '\0');  // then PersistedRecord{snapshot} (field 3)
  AppendMessageField(3, snapshot, &out);
  SetChecksum(&out);
  return out;
}

absl::StatusOr<PersistedRecord> DecodeRecord(absl::string_view bytes) {
  PersistedRecord record;
  switch (DecodeRecordInto(bytes, &record)) {
    case DecodeError::kNone:
      return record;
    case DecodeError::kShort:
      return absl::DataLossError(absl::StrCat("rachis record of ", bytes.size(),
                                              " bytes is shorter than its checksum"));
    case DecodeError::kChecksum:
      return absl::DataLossError("rachis record checksum mismatch");
    case DecodeError::kParse:
      return absl::DataLossError("rachis record does not parse");
  }
  return absl::DataLossError("rachis record: unknown decode error");
}

void ApplyRecord(const PersistedRecord& record, RestoredState* state) {
  switch (record.record_case()) {
    case PersistedRecord::kHardState:
      state->hard_state = record.hard_state();
      break;
    case PersistedRecord::kLogAppend:
      ApplyLogAppend(record.log_append().truncate_from(), record.log_append().entries(),
                     state);
      break;
    case PersistedRecord::kSnapshot:
      ApplySnapshot(record.snapshot(), state);
      break;
    case PersistedRecord::kSegmentSealed:
      state->sealed_segment = record.segment_sealed().segment();
      break;
    case PersistedRecord::RECORD_NOT_SET:
      break;
  }
}

void ApplyRecord(PersistedRecord&& record, RestoredState* state) {
  switch (record.record_case()) {
    case PersistedRecord::kLogAppend: {
      LogAppend& append = *record.mutable_log_append();
      ApplyLogAppend(append.truncate_from(), *append.mutable_entries(), state);
      break;
    }
    case PersistedRecord::kSnapshot:
      ApplySnapshot(std::move(*record.mutable_snapshot()), state);
      break;
    default:
      ApplyRecord(static_cast<const PersistedRecord&>(record), state);
      break;
  }
}

void ApplyLogAppend(LogAppend&& append, RestoredState* state) {
  ApplyLogAppend(append.truncate_from(), *append.mutable_entries(), state);
}

void ApplyLogAppend(const SharedLogAppend& append, RestoredState* state) {
  ApplyLogAppend(append.truncate_from(), append.shared_entries(), state);
}

void ApplyLogAppend(SharedLogAppend&& append, RestoredState* state) {
  ApplyLogAppend(append.truncate_from(), *append.mutable_shared_entries(), state);
}

void ApplyLogAppends(std::span<SharedLogAppend> appends, RestoredState* state) {
  for (SharedLogAppend& append : appends) ApplyLogAppend(std::move(append), state);
}

RestoredState RecoverFromRecords(const std::vector<std::string>& records) {
  RestoredState state;
  for (size_t i = 0; i < records.size(); ++i) {
    PersistedRecord record;
    if (DecodeRecordInto(records[i], &record) != DecodeError::kNone) {
      state.records_dropped = static_cast<int64_t>(records.size() - i);
      break;
    }
    ApplyRecord(std::move(record), &state);
    ++state.records_read;
  }
  return state;
}

SegmentedRecovery RecoverFromSegments(std::vector<LogSegment> segments) {
  std::sort(segments.begin(), segments.end(),
            [](const LogSegment& a, const LogSegment& b) { return a.number > b.number; });
  SegmentedRecovery out;
  for (const LogSegment& segment : segments) {
    if (out.segment != 0) {
      out.discarded.push_back(segment.number);  // superseded by the chosen one
      continue;
    }
    RestoredState state = RecoverFromRecords(*segment.records);
    if (state.records_dropped > 1) {
      // A torn write can only damage the last record of a log: this is corruption.
      out.corrupt = true;
      out.corrupt_segment = segment.number;
      out.state = std::move(state);
      return out;
    }
    if (state.sealed_segment == segment.number) {
      out.segment = segment.number;
      out.state = std::move(state);
    } else {
      out.discarded.push_back(segment.number);  // its base never became durable
    }
  }
  std::sort(out.discarded.begin(), out.discarded.end());
  if (out.segment == 0 && !out.discarded.empty() && out.discarded.back() > 1) {
    // Segment k > 1 is only written while segment k-1 is sealed, and k-1 is only
    // deleted once k is sealed: an unsealed k with no sealed segment below it means a
    // durable seal (or base) was damaged.
    out.corrupt = true;
    out.corrupt_segment = out.discarded.back();
  }
  return out;
}

}  // namespace ravensim::rachis
