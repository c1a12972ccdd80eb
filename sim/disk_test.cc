#include "sim/disk.h"

#include <cstdint>
#include <string>

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
  disk.Wipe();
  EXPECT_TRUE(disk.ReadImage().empty());
  EXPECT_EQ(disk.used_bytes(), 0);
}

}  // namespace
}  // namespace ravensim::sim
