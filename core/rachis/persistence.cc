#include "core/rachis/persistence.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/rachis/checksum.h"

namespace ravensim::rachis {
namespace {

constexpr size_t kChecksumBytes = 8;

void PutFixed64(uint64_t value, std::string* out) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

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

void ApplySnapshot(const Snapshot& snapshot, RestoredState* state) {
  const uint64_t index = snapshot.last_included_index();
  bool keep_suffix = false;
  for (const LogEntry& entry : state->entries) {
    if (entry.index() == index) keep_suffix = entry.term() == snapshot.last_included_term();
  }
  std::vector<LogEntry> kept;
  if (keep_suffix) {
    for (LogEntry& entry : state->entries) {
      if (entry.index() > index) kept.push_back(std::move(entry));
    }
  }
  state->entries = std::move(kept);
  state->snapshot = snapshot;
}

void ApplyLogAppend(const LogAppend& append, RestoredState* state) {
  if (append.truncate_from() > 0) {
    while (!state->entries.empty() &&
           state->entries.back().index() >= append.truncate_from()) {
      state->entries.pop_back();
    }
  }
  for (const LogEntry& entry : append.entries()) {
    const uint64_t next = FirstIndex(*state) + state->entries.size();
    if (entry.index() < next) continue;  // already covered by a snapshot
    if (entry.index() != next) break;    // a gap can only follow a lost record: stop
    state->entries.push_back(entry);
  }
}

}  // namespace

std::string EncodeRecord(const PersistedRecord& record) {
  std::string payload;
  record.SerializeToString(&payload);
  std::string out;
  out.reserve(kChecksumBytes + payload.size());
  PutFixed64(Fnv1a64Bytes(payload), &out);
  out.append(payload);
  return out;
}

std::string EncodeSnapshotRecord(const Snapshot& snapshot) {
  // PersistedRecord field 3 (snapshot), wire type 2: tag, varint length, message.
  const size_t size = snapshot.ByteSizeLong();
  std::string payload;
  payload.reserve(size + 11);
  payload.push_back('\x1a');
  for (uint64_t v = size;; v >>= 7) {
    if (v < 0x80) {
      payload.push_back(static_cast<char>(v));
      break;
    }
    payload.push_back(static_cast<char>((v & 0x7f) | 0x80));
  }
  const size_t header = payload.size();
  payload.resize(header + size);
  snapshot.SerializeWithCachedSizesToArray(reinterpret_cast<uint8_t*>(&payload[header]));
  std::string out;
  out.reserve(kChecksumBytes + payload.size());
  PutFixed64(Fnv1a64Bytes(payload), &out);
  out.append(payload);
  return out;
}

absl::StatusOr<PersistedRecord> DecodeRecord(absl::string_view bytes) {
  if (bytes.size() < kChecksumBytes) {
    return absl::DataLossError(absl::StrCat("rachis record of ", bytes.size(),
                                            " bytes is shorter than its checksum"));
  }
  const uint64_t expected = GetFixed64(bytes.substr(0, kChecksumBytes));
  absl::string_view payload = bytes.substr(kChecksumBytes);
  if (Fnv1a64Bytes(payload) != expected) {
    return absl::DataLossError("rachis record checksum mismatch");
  }
  PersistedRecord record;
  if (!record.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return absl::DataLossError("rachis record does not parse");
  }
  return record;
}

void ApplyRecord(const PersistedRecord& record, RestoredState* state) {
  switch (record.record_case()) {
    case PersistedRecord::kHardState:
      state->hard_state = record.hard_state();
      break;
    case PersistedRecord::kLogAppend:
      ApplyLogAppend(record.log_append(), state);
      break;
    case PersistedRecord::kSnapshot:
      ApplySnapshot(record.snapshot(), state);
      break;
    case PersistedRecord::RECORD_NOT_SET:
      break;
  }
}

RestoredState RecoverFromRecords(const std::vector<std::string>& records) {
  RestoredState state;
  for (size_t i = 0; i < records.size(); ++i) {
    absl::StatusOr<PersistedRecord> record = DecodeRecord(records[i]);
    if (!record.ok()) {
      state.records_dropped = static_cast<int64_t>(records.size() - i);
      break;
    }
    ApplyRecord(*record, &state);
    ++state.records_read;
  }
  return state;
}

}  // namespace ravensim::rachis
