#include "sim/disk.h"

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace ravensim::sim {
namespace {

// A tiny checksummed record format, as a model would write: 8 hex digits of FNV-1a-32
// then the payload.
std::string Checksum(const std::string& payload) {
  uint32_t h = 2166136261u;
  for (unsigned char c : payload) {
    h ^= c;
    h *= 16777619u;
  }
  char buf[9];
  snprintf(buf, sizeof(buf), "%08x", h);
  return std::string(buf) + payload;
}
bool Verify(const std::string& record) {
  return record.size() >= 8 && Checksum(record.substr(8)) == record;
}

Disk MakeDisk(const DiskOptions& options = {}, uint64_t seed = 1) {
  return Disk(options, Prng(seed).Fork(StreamId::kDisk));
}

// The disk as it was first written, with both images kept in full (durable, and visible
// = durable + the unsynced writes applied in order): the reference the undo-record
// representation of sim::Disk is checked against, operation by operation.
class ReferenceDisk {
 public:
  ReferenceDisk(const DiskOptions& options, Prng prng) : options_(options), prng_(prng) {}

  void set_faults(const DiskFaults& faults) { faults_ = faults; }

  absl::Status Write(DiskWrite write) {
    if (write.op == DiskOp::kTruncate) {
      auto it = visible_.logs.find(write.name);
      const int64_t size =
          it == visible_.logs.end() ? 0 : static_cast<int64_t>(it->second.size());
      if (write.record_count < 0 || write.record_count > size) {
        return absl::InvalidArgumentError("bad truncate");
      }
    }
    if (Happens(prng_, faults_.write_error_ratio)) return absl::InternalError("EIO");
    const int64_t delta = WriteDelta(visible_, write);
    if (delta > 0 && faults_.disk_full) return absl::ResourceExhaustedError("ENOSPC");
    if (delta > 0 && used_bytes_ + delta > options_.capacity_bytes) {
      return absl::ResourceExhaustedError("capacity");
    }
    if (static_cast<int64_t>(unsynced_.size()) >= options_.max_unsynced_writes) {
      return absl::ResourceExhaustedError("unsynced");
    }
    Apply(&visible_, write);
    used_bytes_ += delta;
    unsynced_.push_back(std::move(write));
    return absl::OkStatus();
  }

  absl::Status Sync() {
    if (Happens(prng_, faults_.fsync_error_ratio)) return absl::InternalError("EIO");
    for (const DiskWrite& write : unsynced_) Apply(&durable_, write);
    unsynced_.clear();
    return absl::OkStatus();
  }

  CrashReport Crash() {
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

  bool CorruptSyncedRecord() {
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
    return true;
  }

  DiskImage ReadImage() {
    DiskImage image = durable_;
    for (auto& [key, value] : image.records) {
      if (Happens(prng_, faults_.read_corruption_ratio)) FlipRandomBit(&value);
    }
    for (auto& [name, log] : image.logs) {
      for (std::string& record : log) {
        if (Happens(prng_, faults_.read_corruption_ratio)) FlipRandomBit(&record);
      }
    }
    return image;
  }
  const DiskImage& visible() const { return visible_; }
  const DiskImage& durable() const { return durable_; }
  int64_t used_bytes() const { return used_bytes_; }
  int64_t unsynced_write_count() const { return static_cast<int64_t>(unsynced_.size()); }

 private:
  // What `write` changes the image's byte count by, found by applying it to a copy (the
  // reference trades speed for being plainly right).
  static int64_t WriteDelta(const DiskImage& image, const DiskWrite& write) {
    DiskImage after = image;
    Apply(&after, write);
    return after.byte_count() - image.byte_count();
  }
  void FlipRandomBit(std::string* bytes) {
    if (bytes->empty()) return;
    const uint64_t bit = prng_.UniformBelow(bytes->size() * 8);
    (*bytes)[bit / 8] = static_cast<char>((*bytes)[bit / 8] ^ (1 << (bit % 8)));
  }
  static void Apply(DiskImage* image, const DiskWrite& write) {
    switch (write.op) {
      case DiskOp::kPut: image->records[write.name] = write.bytes; return;
      case DiskOp::kDelete: image->records.erase(write.name); return;
      case DiskOp::kAppend: image->logs[write.name].push_back(write.bytes); return;
      case DiskOp::kTruncate: {
        auto it = image->logs.find(write.name);
        if (it == image->logs.end()) return;
        it->second.resize(static_cast<size_t>(write.record_count));
        if (it->second.empty()) image->logs.erase(it);
        return;
      }
    }
  }

  DiskOptions options_;
  Prng prng_;
  DiskFaults faults_;
  DiskImage durable_;
  DiskImage visible_;
  std::vector<DiskWrite> unsynced_;
  int64_t used_bytes_ = 0;
};

bool SameImage(const DiskImage& a, const DiskImage& b) {
  return a.records == b.records && a.logs == b.logs;
}

// Random writes (valid and not), syncs, crashes (torn or not) and corruption of synced
// data against ReferenceDisk: every status, crash report, image and draw must agree.
TEST(DiskTest, MatchesTheTwoImageReferenceUnderRandomOperations) {
  int crashes = 0, torn = 0, corruptions = 0, corrupted_while_unsynced = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    DiskOptions options;
    options.capacity_bytes = 4000;
    options.max_unsynced_writes = 40;
    Disk disk = MakeDisk(options, seed);
    ReferenceDisk reference(options, Prng(seed).Fork(StreamId::kDisk));
    Prng ops(seed * 7919 + 1);
    DiskFaults faults;
    faults.torn_write_ratio = Ratio{1, 2};
    faults.write_error_ratio = Ratio{1, 20};
    faults.fsync_error_ratio = Ratio{1, 10};
    if (seed % 3 == 0) faults.read_corruption_ratio = Ratio{1, 8};
    if (seed % 5 == 0) faults.disk_full = true;
    disk.set_faults(faults);
    reference.set_faults(faults);
    const std::string names[] = {"a", "b", "log", "segment.000001"};
    for (int step = 0; step < 300; ++step) {
      const std::string& name = names[ops.UniformBelow(4)];
      const uint64_t what = ops.UniformBelow(100);
      std::string bytes(ops.UniformBelow(5) == 0 ? 0 : 1 + ops.UniformBelow(40),
                        static_cast<char>('a' + ops.UniformBelow(26)));
      if (what < 60) {
        DiskWrite write;
        switch (ops.UniformBelow(4)) {
          case 0: write = DiskWrite::Put(name, bytes); break;
          case 1: write = DiskWrite::Delete(name); break;
          case 2: write = DiskWrite::Append(name, bytes); break;
          default: {
            const auto it = reference.visible().logs.find(name);
            const int64_t size =
                it == reference.visible().logs.end() ? 0 : static_cast<int64_t>(it->second.size());
            write = DiskWrite::Truncate(name, static_cast<int64_t>(ops.UniformBelow(
                                                  static_cast<uint64_t>(size) + 2)));
          }
        }
        ASSERT_EQ(disk.Write(write).code(), reference.Write(write).code()) << seed << "/" << step;
      } else if (what < 75) {
        ASSERT_EQ(disk.Sync().code(), reference.Sync().code());
      } else if (what < 85) {
        const bool had_unsynced = disk.unsynced_write_count() > 0;
        const bool corrupted = disk.CorruptSyncedRecord();
        ASSERT_EQ(corrupted, reference.CorruptSyncedRecord());
        corruptions += corrupted ? 1 : 0;
        corrupted_while_unsynced += corrupted && had_unsynced ? 1 : 0;
      } else if (what < 93) {
        const CrashReport a = disk.Crash();
        const CrashReport b = reference.Crash();
        ASSERT_EQ(a.unsynced_writes, b.unsynced_writes);
        ASSERT_EQ(a.kept_writes, b.kept_writes);
        ASSERT_EQ(a.torn, b.torn);
        ASSERT_EQ(a.garbled, b.garbled);
        ASSERT_EQ(a.torn_kept_bytes, b.torn_kept_bytes);
        ++crashes;
        torn += a.torn ? 1 : 0;
        // What a restarting node reads (through the read-corruption fault).
        ASSERT_TRUE(SameImage(disk.ReadImage(), reference.ReadImage())) << seed << "/" << step;
      } else {
        ASSERT_TRUE(SameImage(disk.durable(), reference.durable())) << seed << "/" << step;
      }
      ASSERT_TRUE(SameImage(disk.visible(), reference.visible())) << seed << "/" << step;
      ASSERT_EQ(disk.used_bytes(), reference.used_bytes());
      ASSERT_EQ(disk.unsynced_write_count(), reference.unsynced_write_count());
    }
    ASSERT_TRUE(SameImage(disk.durable(), reference.durable())) << seed;
    ASSERT_EQ(disk.durable_bytes(), reference.durable().byte_count());
  }
  // The interesting cases did happen.
  EXPECT_GT(crashes, 1000);
  EXPECT_GT(torn, 200);
  EXPECT_GT(corruptions, 1000);
  EXPECT_GT(corrupted_while_unsynced, 300);
}

TEST(DiskTest, ReadsReturnWhatWasWrittenBeforeAndAfterSync) {
  Disk disk = MakeDisk();
  ASSERT_TRUE(disk.Write(DiskWrite::Put("k", "v1")).ok());
  ASSERT_TRUE(disk.Write(DiskWrite::Append("log", "a")).ok());
  ASSERT_TRUE(disk.Write(DiskWrite::Append("log", "b")).ok());
  std::string value;
  ASSERT_TRUE(disk.Get("k", &value).ok());
  EXPECT_EQ(value, "v1");
  EXPECT_EQ(disk.ReadLog("log"), (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(disk.Sync().ok());
  ASSERT_TRUE(disk.Write(DiskWrite::Truncate("log", 1)).ok());
  EXPECT_EQ(disk.ReadLog("log"), (std::vector<std::string>{"a"}));
  ASSERT_TRUE(disk.Write(DiskWrite::Delete("k")).ok());
  EXPECT_EQ(disk.Get("k", &value).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(disk.Write(DiskWrite::Truncate("log", 5)).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(DiskTest, CrashLosesExactlyTheUnsyncedWrites) {
  Disk disk = MakeDisk();
  ASSERT_TRUE(disk.Write(DiskWrite::Put("a", "1")).ok());
  ASSERT_TRUE(disk.Write(DiskWrite::Append("log", "x")).ok());
  ASSERT_TRUE(disk.Sync().ok());
  ASSERT_TRUE(disk.Write(DiskWrite::Put("a", "2")).ok());
  ASSERT_TRUE(disk.Write(DiskWrite::Put("b", "3")).ok());
  ASSERT_TRUE(disk.Write(DiskWrite::Append("log", "y")).ok());
  ASSERT_TRUE(disk.Write(DiskWrite::Truncate("log", 0)).ok());
  const CrashReport report = disk.Crash();
  EXPECT_EQ(report.unsynced_writes, 4);
  EXPECT_FALSE(report.torn);
  const DiskImage image = disk.ReadImage();
  EXPECT_EQ(image.records, (std::map<std::string, std::string>{{"a", "1"}}));
  EXPECT_EQ(image.logs.at("log"), (std::vector<std::string>{"x"}));
  EXPECT_EQ(disk.used_bytes(), image.byte_count());
}

TEST(DiskTest, TornWriteKeepsAPrefixOfTheLastWrite) {
  DiskFaults faults;
  faults.torn_write_ratio = Ratio::Always();
  int torn = 0;
  int garbled = 0;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    Disk disk = MakeDisk({}, seed);
    disk.set_faults(faults);
    ASSERT_TRUE(disk.Write(DiskWrite::Append("log", Checksum("synced"))).ok());
    ASSERT_TRUE(disk.Sync().ok());
    const std::string record = Checksum(std::string(100, 'p'));
    ASSERT_TRUE(disk.Write(DiskWrite::Append("log", record)).ok());
    const CrashReport report = disk.Crash();
    ASSERT_TRUE(report.torn);  // One unsynced write: it is the torn one.
    EXPECT_EQ(report.kept_writes, 0);
    const std::vector<std::string>& log = disk.durable().logs.at("log");
    ASSERT_EQ(log.size(), 2u);
    EXPECT_TRUE(Verify(log[0]));
    const std::string& kept = log[1];
    EXPECT_LT(kept.size(), record.size() + 9);
    if (report.garbled) {
      ++garbled;
    } else {
      ++torn;
      EXPECT_EQ(kept, record.substr(0, kept.size()));  // An exact prefix.
    }
    EXPECT_FALSE(Verify(kept)) << "a torn record must fail its checksum";
  }
  EXPECT_GT(torn, 50);
  EXPECT_GT(garbled, 50);
}

TEST(DiskTest, TornCrashKeepsWholeWritesInOrderBeforeTheTornOne) {
  DiskFaults faults;
  faults.torn_write_ratio = Ratio::Always();
  Disk disk = MakeDisk({}, 3);
  disk.set_faults(faults);
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(disk.Write(DiskWrite::Append("log", Checksum(std::to_string(i)))).ok());
  }
  const CrashReport report = disk.Crash();
  const std::vector<std::string>& log = disk.durable().logs.at("log");
  ASSERT_EQ(static_cast<int64_t>(log.size()), report.kept_writes + 1);
  for (int64_t i = 0; i < report.kept_writes; ++i) {
    EXPECT_EQ(log[i], Checksum(std::to_string(i)));
  }
}

TEST(DiskTest, ReadCorruptionIsDetectedByAChecksum) {
  DiskFaults faults;
  faults.read_corruption_ratio = Ratio{1, 4};
  Disk disk = MakeDisk();
  for (int i = 0; i < 400; ++i) {
    ASSERT_TRUE(disk.Write(DiskWrite::Append("log", Checksum("entry " + std::to_string(i))))
                    .ok());
  }
  ASSERT_TRUE(disk.Sync().ok());
  disk.set_faults(faults);
  disk.Crash();
  const DiskImage image = disk.ReadImage();
  int bad = 0;
  for (const std::string& record : image.logs.at("log")) bad += Verify(record) ? 0 : 1;
  EXPECT_NEAR(bad, 100, 30);
  EXPECT_TRUE(disk.synced_data_damaged());
  // Transient: the durable bytes are intact; a clean read sees no damage.
  disk.set_faults({});
  const DiskImage clean = disk.ReadImage();
  for (const std::string& record : clean.logs.at("log")) EXPECT_TRUE(Verify(record));
}

TEST(DiskTest, PersistentCorruptionOfSyncedDataIsDetectedByAChecksum) {
  Disk disk = MakeDisk();
  ASSERT_TRUE(disk.Write(DiskWrite::Put("hard_state", Checksum("term=5"))).ok());
  EXPECT_FALSE(disk.CorruptSyncedRecord());  // Nothing durable yet.
  ASSERT_TRUE(disk.Sync().ok());
  ASSERT_TRUE(disk.CorruptSyncedRecord());
  std::string value;
  ASSERT_TRUE(disk.Get("hard_state", &value).ok());
  EXPECT_FALSE(Verify(value));
  disk.Crash();
  EXPECT_FALSE(Verify(disk.ReadImage().records.at("hard_state")));
}

TEST(DiskTest, DiskFullReturnsAStatusByCapacityAndByFault) {
  DiskOptions options;
  options.capacity_bytes = 100;
  Disk disk = MakeDisk(options);
  ASSERT_TRUE(disk.Write(DiskWrite::Append("log", std::string(60, 'a'))).ok());
  EXPECT_EQ(disk.used_bytes(), 60);
  const absl::Status full = disk.Write(DiskWrite::Append("log", std::string(41, 'b')));
  EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(disk.used_bytes(), 60);
  ASSERT_TRUE(disk.Write(DiskWrite::Append("log", std::string(40, 'b'))).ok());
  EXPECT_EQ(disk.used_bytes(), 100);
  ASSERT_TRUE(disk.Write(DiskWrite::Truncate("log", 1)).ok());  // Frees space.
  EXPECT_EQ(disk.used_bytes(), 60);
  DiskFaults faults;
  faults.disk_full = true;
  disk.set_faults(faults);
  EXPECT_EQ(disk.Write(DiskWrite::Put("k", "v")).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(disk.Write(DiskWrite::Truncate("log", 0)).ok());  // Shrinking still works.
}

TEST(DiskTest, WriteAndFsyncErrors) {
  DiskFaults faults;
  faults.write_error_ratio = Ratio::Always();
  Disk disk = MakeDisk();
  disk.set_faults(faults);
  EXPECT_EQ(disk.Write(DiskWrite::Put("k", "v")).code(), absl::StatusCode::kInternal);
  EXPECT_EQ(disk.unsynced_write_count(), 0);
  faults = {};
  faults.fsync_error_ratio = Ratio::Always();
  disk.set_faults(faults);
  ASSERT_TRUE(disk.Write(DiskWrite::Put("k", "v")).ok());
  EXPECT_EQ(disk.Sync().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(disk.unsynced_write_count(), 1);
  disk.Crash();  // The write never became durable.
  EXPECT_TRUE(disk.ReadImage().empty());
}

TEST(DiskTest, SlowIoAddsLatency) {
  DiskFaults faults;
  faults.slow_io_ratio = Ratio::Always();
  faults.slow_io_latency = SimDuration::Millis(30);
  Disk disk = MakeDisk();
  EXPECT_EQ(disk.SyncLatency(), disk.options().fsync_latency);
  disk.set_faults(faults);
  EXPECT_EQ(disk.SyncLatency(), disk.options().fsync_latency + SimDuration::Millis(30));
  EXPECT_EQ(disk.OperationLatency(DiskOp::kAppend),
            disk.options().write_latency + SimDuration::Millis(30));
}

TEST(DiskTest, WipeEmptiesTheDisk) {
  Disk disk = MakeDisk();
  ASSERT_TRUE(disk.Write(DiskWrite::Put("k", "v")).ok());
  ASSERT_TRUE(disk.Sync().ok());
  EXPECT_FALSE(disk.ReadImage().replaced);  // The disk the node was set up with.
  disk.Crash();
  EXPECT_FALSE(disk.ReadImage().replaced);
  disk.Wipe();
  EXPECT_TRUE(disk.ReadImage().empty());
  EXPECT_TRUE(disk.ReadImage().replaced);  // A replaced machine's, from now on.
  EXPECT_EQ(disk.used_bytes(), 0);
  ASSERT_TRUE(disk.Write(DiskWrite::Put("k", "v")).ok());
  ASSERT_TRUE(disk.Sync().ok());
  disk.Crash();
  EXPECT_TRUE(disk.ReadImage().replaced);
}

}  // namespace
}  // namespace ravensim::sim
