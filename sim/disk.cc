#include "sim/disk.h"

#include <iterator>
#include <type_traits>
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

// Inline in Write, its only caller (once per write).
__attribute__((always_inline)) inline void Disk::ApplyVisible(DiskWrite&& write) {
  Undo& undo = unsynced_.Add();
  undo.op = write.op;
  switch (write.op) {
    case DiskOp::kPut: {
      auto [it, inserted] = visible_.records.try_emplace(write.name);
      if (!inserted) {
        undo.existed = true;
        undo.old_value = std::move(it->second);
      }
      it->second = std::move(write.bytes);
      break;
    }
    case DiskOp::kDelete: {
      auto it = visible_.records.find(write.name);
      if (it != visible_.records.end()) {
        undo.existed = true;
        undo.old_value = std::move(it->second);
        visible_.records.erase(it);
      }
      break;
    }
    case DiskOp::kAppend: {
      auto* entry = last_append_log_.entry;
      if (entry == nullptr || entry->first != write.name) {
        entry = &*visible_.logs.try_emplace(write.name).first;
        last_append_log_.entry = entry;
      }
      entry->second.push_back(std::move(write.bytes));
      break;
    }
    case DiskOp::kTruncate: {
      auto it = visible_.logs.find(write.name);
      if (it == visible_.logs.end()) break;
      std::vector<std::string>& log = it->second;
      const size_t keep = static_cast<size_t>(write.record_count);
      undo.record_count = write.record_count;
      undo.removed.assign(std::make_move_iterator(log.begin() + keep),
                          std::make_move_iterator(log.end()));
      log.resize(keep);
      // A log holds at least one record: truncating it to none removes it.
      if (log.empty()) {
        visible_.logs.erase(it);
        last_append_log_.entry = nullptr;
      }
      break;
    }
  }
  undo.name = std::move(write.name);
}

namespace {

// `Undo` is `Disk::Undo&&` (old contents moved back) or `const Disk::Undo&` (copied).
template <typename Undo>
void RollBackIn(DiskImage* image, Undo&& undo) {
  constexpr bool kMove = !std::is_lvalue_reference_v<Undo>;
  switch (undo.op) {
    case DiskOp::kPut:
    case DiskOp::kDelete:
      if (undo.existed) {
        if constexpr (kMove) {
          image->records[undo.name] = std::move(undo.old_value);
        } else {
          image->records[undo.name] = undo.old_value;
        }
      } else if (undo.op == DiskOp::kPut) {
        image->records.erase(undo.name);
      }
      return;
    case DiskOp::kAppend: {
      auto it = image->logs.find(undo.name);
      CHECK(it != image->logs.end());
      it->second.pop_back();
      if (it->second.empty()) image->logs.erase(it);
      return;
    }
    case DiskOp::kTruncate: {
      if (undo.removed.empty()) return;
      std::vector<std::string>& log = image->logs[undo.name];
      if constexpr (kMove) {
        log.insert(log.end(), std::make_move_iterator(undo.removed.begin()),
                   std::make_move_iterator(undo.removed.end()));
      } else {
        log.insert(log.end(), undo.removed.begin(), undo.removed.end());
      }
      return;
    }
  }
}

}  // namespace

void Disk::RollBack(DiskImage* image, Undo&& undo) { RollBackIn(image, std::move(undo)); }
void Disk::RollBack(DiskImage* image, const Undo& undo) { RollBackIn(image, undo); }

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
  // An append (nearly every write) grows the disk by its bytes: no call for that.
  const int64_t delta = write.op == DiskOp::kAppend ? static_cast<int64_t>(write.bytes.size())
                                                    : WriteDelta(visible_, write);
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
  ApplyVisible(std::move(write));
  used_bytes_ += delta;
  return absl::OkStatus();
}

bool Disk::FsyncFails() { return Happens(prng_, faults_.fsync_error_ratio); }

const DiskImage& Disk::durable() const {
  durable_copy_ = visible_;
  for (size_t i = unsynced_.size(); i-- > 0;) RollBack(&durable_copy_, unsynced_[i]);
  return durable_copy_;
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
  DiskImage image = visible_;  // With nothing unsynced, the durable image.
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
  last_append_log_.entry = nullptr;  // Rolling back may erase logs.
  CrashReport report;
  report.unsynced_writes = static_cast<int64_t>(unsynced_.size());
  // Writes [0, kept_end) survive (the last of them possibly torn); the others are
  // rolled back, last first.
  size_t applied_end = unsynced_.size();  // Writes [0, applied_end) are applied.
  size_t kept_end = 0;
  if (!unsynced_.empty() && Happens(prng_, faults_.torn_write_ratio)) {
    const size_t kept = prng_.UniformBelow(unsynced_.size());
    report.kept_writes = static_cast<int64_t>(kept);
    for (size_t i = unsynced_.size(); i-- > kept + 1;) {
      RollBack(&visible_, std::move(unsynced_[i]));
    }
    applied_end = kept + 1;
    // Write `kept` is now the last one applied: its bytes are the visible copy.
    const Undo& torn_write = unsynced_[kept];
    std::string* torn = nullptr;
    if (torn_write.op == DiskOp::kPut) {
      torn = &visible_.records.find(torn_write.name)->second;
    } else if (torn_write.op == DiskOp::kAppend) {
      torn = &visible_.logs.find(torn_write.name)->second.back();
    }
    if (torn != nullptr && !torn->empty()) {
      const size_t prefix = prng_.UniformBelow(torn->size());
      torn->resize(prefix);
      report.torn = true;
      if (prng_.Chance(1, 2)) {
        const size_t tail = 1 + prng_.UniformBelow(8);
        for (size_t i = 0; i < tail; ++i) {
          torn->push_back(static_cast<char>(prng_.UniformBelow(256)));
        }
        report.garbled = true;
      }
      report.torn_kept_bytes = static_cast<int64_t>(torn->size());
      kept_end = kept + 1;
    } else {
      kept_end = kept;  // Nothing of it reached the disk.
    }
  }
  for (size_t i = applied_end; i-- > kept_end;) RollBack(&visible_, std::move(unsynced_[i]));
  unsynced_.Clear();
  used_bytes_ = visible_.byte_count();
  return report;
}

void Disk::Wipe() {
  visible_ = DiskImage();
  visible_.replaced = true;
  last_append_log_.entry = nullptr;
  unsynced_.Clear();
  used_bytes_ = 0;
  synced_damaged_ = false;
}

std::string* Disk::ShadowedDurableCopy(bool log, const std::string& name, size_t index) {
  // A record's durable value is the one the first unsynced Put or Delete of it replaced.
  // Record `index` of a log stays in place until the first unsynced Truncate that cuts
  // it off (appends only add after the durable records), which keeps it in `removed`.
  for (Undo& undo : unsynced_) {
    if (undo.name != name) continue;
    if (!log && (undo.op == DiskOp::kPut || undo.op == DiskOp::kDelete)) {
      CHECK(undo.existed);
      return &undo.old_value;
    }
    if (log && undo.op == DiskOp::kTruncate && !undo.removed.empty()) {
      const size_t keep = static_cast<size_t>(undo.record_count);
      if (keep <= index) return &undo.removed[index - keep];
    }
  }
  return nullptr;
}

bool Disk::CorruptSyncedRecord() {
  // Count durable payloads, pick one uniformly, flip a bit in both images (the visible
  // copy reads the same sector).
  struct Payload {
    bool log;
    const std::string* name;
    size_t index;          // In the log.
    std::string* visible;  // The visible copy if it holds the same bytes, or nullptr.
    size_t size;
  };
  const DiskImage& durable_image = durable();
  std::vector<Payload> payloads;
  for (const auto& [key, value] : durable_image.records) {
    if (value.empty()) continue;
    auto it = visible_.records.find(key);
    payloads.push_back(Payload{
        false, &key, 0,
        it != visible_.records.end() && it->second == value ? &it->second : nullptr,
        value.size()});
  }
  for (const auto& [name, log] : durable_image.logs) {
    auto it = visible_.logs.find(name);
    for (size_t i = 0; i < log.size(); ++i) {
      if (log[i].empty()) continue;
      const bool same = it != visible_.logs.end() && i < it->second.size() &&
                        it->second[i] == log[i];
      payloads.push_back(
          Payload{true, &name, i, same ? &it->second[i] : nullptr, log[i].size()});
    }
  }
  if (payloads.empty()) return false;
  const size_t pick = prng_.UniformBelow(payloads.size());
  const Payload& target = payloads[pick];
  const uint64_t bit = prng_.UniformBelow(target.size * 8);
  const char mask = static_cast<char>(1 << (bit % 8));
  std::string* shadowed = ShadowedDurableCopy(target.log, *target.name, target.index);
  // Unless an unsynced write replaced it, the durable copy is the visible one (which
  // then holds the same bytes): flipped once.
  CHECK(shadowed != nullptr || target.visible != nullptr);
  if (shadowed != nullptr) (*shadowed)[bit / 8] ^= mask;
  if (target.visible != nullptr) (*target.visible)[bit / 8] ^= mask;
  synced_damaged_ = true;
  return true;
}

}  // namespace ravensim::sim
