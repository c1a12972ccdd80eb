#include "sim/disk.h"

#include <utility>

#include "core/base/check.h"

namespace ravensim::sim {
namespace {

int64_t RecordBytes(const std::string& key, const std::string& value) {
  return static_cast<int64_t>(key.size() + value.size());
}

}  // namespace

int64_t DiskImage::byte_count() const {
  int64_t total = 0;
  for (const auto& [key, value] : records) total += RecordBytes(key, value);
  for (const auto& [name, log] : logs) {
    for (const std::string& record : log) total += static_cast<int64_t>(record.size());
  }
  return total;
}

DiskWrite DiskWrite::Put(std::string key, std::string value) {
  return DiskWrite{DiskOp::kPut, std::move(key), std::move(value), 0};
}
DiskWrite DiskWrite::Delete(std::string key) {
  return DiskWrite{DiskOp::kDelete, std::move(key), {}, 0};
}
DiskWrite DiskWrite::Append(std::string log, std::string record) {
  return DiskWrite{DiskOp::kAppend, std::move(log), std::move(record), 0};
}
DiskWrite DiskWrite::Truncate(std::string log, int64_t keep_record_count) {
  return DiskWrite{DiskOp::kTruncate, std::move(log), {}, keep_record_count};
}

Disk::Disk(const DiskOptions& options, Prng prng) : options_(options), prng_(prng) {
  CHECK_GT(options_.capacity_bytes, 0);
  CHECK_GT(options_.max_unsynced_writes, 0);
}

// Change in used bytes if `write` were applied to `image`.
int64_t Disk::WriteDelta(const DiskImage& image, const DiskWrite& write) {
  switch (write.op) {
    case DiskOp::kPut: {
      auto it = image.records.find(write.name);
      const int64_t old = it == image.records.end() ? 0 : RecordBytes(it->first, it->second);
      return RecordBytes(write.name, write.bytes) - old;
    }
    case DiskOp::kDelete: {
      auto it = image.records.find(write.name);
      return it == image.records.end() ? 0 : -RecordBytes(it->first, it->second);
    }
    case DiskOp::kAppend:
      return static_cast<int64_t>(write.bytes.size());
    case DiskOp::kTruncate: {
      auto it = image.logs.find(write.name);
      if (it == image.logs.end()) return 0;
      int64_t freed = 0;
      for (size_t i = static_cast<size_t>(write.record_count); i < it->second.size(); ++i) {
        freed += static_cast<int64_t>(it->second[i].size());
      }
      return -freed;
    }
  }
  CHECK_UNREACHABLE("bad disk op");
}

namespace {

// `Write` is `const DiskWrite&` (bytes copied) or `DiskWrite` (bytes moved).
template <typename Write>
void ApplyTo(DiskImage* image, Write&& write) {
  switch (write.op) {
    case DiskOp::kPut:
      image->records[write.name] = std::forward<Write>(write).bytes;
      return;
    case DiskOp::kDelete: image->records.erase(write.name); return;
    case DiskOp::kAppend:
      image->logs[write.name].push_back(std::forward<Write>(write).bytes);
      return;
    case DiskOp::kTruncate: {
      auto it = image->logs.find(write.name);
      if (it == image->logs.end()) return;
      it->second.resize(static_cast<size_t>(write.record_count));
      if (it->second.empty()) image->logs.erase(it);
      return;
    }
  }
}

}  // namespace

void Disk::Apply(DiskImage* image, const DiskWrite& write) { ApplyTo(image, write); }

void Disk::Apply(DiskImage* image, DiskWrite&& write) { ApplyTo(image, std::move(write)); }

absl::Status Disk::Write(const DiskWrite& write) {
  DiskWrite copy = write;
  return Write(std::move(copy));
}

absl::Status Disk::Write(DiskWrite&& write) {
  if (write.op == DiskOp::kTruncate) {
    auto it = visible_.logs.find(write.name);
    const int64_t size = it == visible_.logs.end() ? 0 : static_cast<int64_t>(it->second.size());
    if (write.record_count < 0 || write.record_count > size) {
      return absl::InvalidArgumentError("truncate of log '" + write.name + "' to " +
                                        std::to_string(write.record_count) +
                                        " records; it has " + std::to_string(size));
    }
  }
  if (Happens(prng_, faults_.write_error_ratio)) {
    return absl::InternalError("simulated write error (EIO)");
  }
  const int64_t delta = WriteDelta(visible_, write);
  if (delta > 0 && faults_.disk_full) {
    return absl::ResourceExhaustedError("simulated disk full (ENOSPC)");
  }
  if (delta > 0 && used_bytes_ + delta > options_.capacity_bytes) {
    return absl::ResourceExhaustedError("disk full: " + std::to_string(used_bytes_) + " + " +
                                        std::to_string(delta) + " bytes > capacity " +
                                        std::to_string(options_.capacity_bytes));
  }
  if (static_cast<int64_t>(unsynced_.size()) >= options_.max_unsynced_writes) {
    return absl::ResourceExhaustedError("too many unsynced writes; sync first");
  }
  Apply(&visible_, write);
  used_bytes_ += delta;
  unsynced_.push_back(std::move(write));
  return absl::OkStatus();
}

absl::Status Disk::Sync() {
  if (Happens(prng_, faults_.fsync_error_ratio)) {
    return absl::InternalError("simulated fsync error (EIO)");
  }
  // Synced writes are not needed again: their bytes move into the durable image.
  for (DiskWrite& write : unsynced_) Apply(&durable_, std::move(write));
  unsynced_.clear();
  return absl::OkStatus();
}

void Disk::FlipRandomBit(std::string* bytes) {
  if (bytes->empty()) return;
  const uint64_t bit = prng_.UniformBelow(bytes->size() * 8);
  (*bytes)[bit / 8] = static_cast<char>((*bytes)[bit / 8] ^ (1 << (bit % 8)));
}

absl::Status Disk::Get(const std::string& key, std::string* value) {
  auto it = visible_.records.find(key);
  if (it == visible_.records.end()) return absl::NotFoundError("no record '" + key + "'");
  *value = it->second;
  if (Happens(prng_, faults_.read_corruption_ratio)) {
    FlipRandomBit(value);
    synced_damaged_ = true;
  }
  return absl::OkStatus();
}

std::vector<std::string> Disk::ReadLog(const std::string& log) {
  auto it = visible_.logs.find(log);
  if (it == visible_.logs.end()) return {};
  std::vector<std::string> out = it->second;
  for (std::string& record : out) {
    if (Happens(prng_, faults_.read_corruption_ratio)) {
      FlipRandomBit(&record);
      synced_damaged_ = true;
    }
  }
  return out;
}

DiskImage Disk::ReadImage() {
  CHECK_MSG(unsynced_.empty(), "ReadImage with ", unsynced_.size(),
            " unsynced writes; crash the disk first");
  DiskImage image = durable_;
  for (auto& [key, value] : image.records) {
    if (Happens(prng_, faults_.read_corruption_ratio)) {
      FlipRandomBit(&value);
      synced_damaged_ = true;
    }
  }
  for (auto& [name, log] : image.logs) {
    for (std::string& record : log) {
      if (Happens(prng_, faults_.read_corruption_ratio)) {
        FlipRandomBit(&record);
        synced_damaged_ = true;
      }
    }
  }
  return image;
}

// A torn crash keeps the unsynced writes as a disk that writes in order would: a prefix
// of them whole, then the next one cut short (Put / Append only: a prefix of its bytes,
// or a prefix followed by a garbled tail of random bytes).
CrashReport Disk::Crash() {
  CrashReport report;
  report.unsynced_writes = static_cast<int64_t>(unsynced_.size());
  if (!unsynced_.empty() && Happens(prng_, faults_.torn_write_ratio)) {
    const size_t kept = prng_.UniformBelow(unsynced_.size());
    for (size_t i = 0; i < kept; ++i) Apply(&durable_, unsynced_[i]);
    report.kept_writes = static_cast<int64_t>(kept);
    DiskWrite torn = unsynced_[kept];
    if ((torn.op == DiskOp::kPut || torn.op == DiskOp::kAppend) && !torn.bytes.empty()) {
      const size_t prefix = prng_.UniformBelow(torn.bytes.size());
      torn.bytes.resize(prefix);
      report.torn = true;
      if (prng_.Chance(1, 2)) {
        const size_t tail = 1 + prng_.UniformBelow(8);
        for (size_t i = 0; i < tail; ++i) {
          torn.bytes.push_back(static_cast<char>(prng_.UniformBelow(256)));
        }
        report.garbled = true;
      }
      report.torn_kept_bytes = static_cast<int64_t>(torn.bytes.size());
      Apply(&durable_, torn);
    }
  }
  unsynced_.clear();
  visible_ = durable_;
  used_bytes_ = visible_.byte_count();
  return report;
}

void Disk::Wipe() {
  durable_ = DiskImage();
  visible_ = DiskImage();
  unsynced_.clear();
  used_bytes_ = 0;
  synced_damaged_ = false;
}

bool Disk::CorruptSyncedRecord() {
  // Count durable payloads, pick one uniformly, flip a bit in both images (the visible
  // copy reads the same sector).
  std::vector<std::string*> durable_payloads;
  std::vector<std::string*> visible_payloads;
  for (auto& [key, value] : durable_.records) {
    if (value.empty()) continue;
    auto it = visible_.records.find(key);
    durable_payloads.push_back(&value);
    visible_payloads.push_back(
        it != visible_.records.end() && it->second == value ? &it->second : nullptr);
  }
  for (auto& [name, log] : durable_.logs) {
    auto it = visible_.logs.find(name);
    for (size_t i = 0; i < log.size(); ++i) {
      if (log[i].empty()) continue;
      durable_payloads.push_back(&log[i]);
      const bool same = it != visible_.logs.end() && i < it->second.size() &&
                        it->second[i] == log[i];
      visible_payloads.push_back(same ? &it->second[i] : nullptr);
    }
  }
  if (durable_payloads.empty()) return false;
  const size_t pick = prng_.UniformBelow(durable_payloads.size());
  std::string* target = durable_payloads[pick];
  const uint64_t bit = prng_.UniformBelow(target->size() * 8);
  const char mask = static_cast<char>(1 << (bit % 8));
  (*target)[bit / 8] ^= mask;
  if (visible_payloads[pick] != nullptr) (*visible_payloads[pick])[bit / 8] ^= mask;
  synced_damaged_ = true;
  return true;
}

SimDuration Disk::OperationLatency(DiskOp op) {
  // Every write kind costs the same: the simulated disk has no seek model.
  (void)op;
  SimDuration latency = options_.write_latency;
  if (Happens(prng_, faults_.slow_io_ratio)) latency += faults_.slow_io_latency;
  return latency;
}

SimDuration Disk::SyncLatency() {
  SimDuration latency = options_.fsync_latency;
  if (Happens(prng_, faults_.slow_io_ratio)) latency += faults_.slow_io_latency;
  return latency;
}

}  // namespace ravensim::sim
