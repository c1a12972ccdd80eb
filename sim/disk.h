// sim::Disk: one node's simulated durable storage (DESIGN.md §3, "Disk").
//
// Two stores on one disk, both addressed by name:
//  * records: a key -> bytes map (Put / Delete), for small state (a Raft HardState,
//    a snapshot, a document);
//  * logs: append-only sequences of records (Append / Truncate to a prefix), for write-
//    ahead logs.
// Writes apply to the *visible* state at once (reads return what was written) and are
// *unsynced* until Sync() succeeds. Crash() discards unsynced writes; with the torn-write
// fault, a crash can instead keep a prefix of the unsynced writes, the last of which is
// cut short (a prefix of its bytes) or cut and garbled (prefix + random tail).
//
// Representation: the disk holds one image, the visible one, and for every unsynced
// write what undoes it (the value a Put or Delete replaced, the records a Truncate cut
// off; an Append undoes by dropping the last record). The durable image is the visible
// one rolled back through them, last first: Crash() does that in place, durable()
// builds a copy. So a write's bytes are moved into the image once and never copied,
// and Sync() only forgets the undo records.
//
// Checksums are the caller's job: the disk returns bytes, possibly corrupted by the
// read-corruption fault (one random bit flipped in a record as it is read) or by
// CorruptSyncedRecord (a persistent bit flip in durable data). A model that checksums
// its records detects both.
//
// Faults (DiskFaults) are drawn from the disk's own Prng stream: write error and fsync
// error (Internal status), disk full (ResourceExhausted: forced by the fault flag, or
// when a write would exceed capacity_bytes), slow I/O (extra latency), torn writes on
// crash, read corruption. Usage accounting counts key + value bytes of records and the
// bytes of log records (visible state); Delete and Truncate free space.
//
// The disk does not schedule anything: every operation returns at once, and
// OperationLatency() tells the caller (the harness) how long the operation takes in
// simulated time, so that completions are scheduled there.
//
// Thread-compatible; owned by the harness, one per node, for the whole run (it survives
// crashes of its node; Wipe() empties it).
#ifndef RAVENSIM_SIM_DISK_H_
#define RAVENSIM_SIM_DISK_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/optimization.h"
#include "absl/status/status.h"
#include "sim/network_types.h"
#include "sim/prng.h"
#include "sim/time.h"

namespace ravensim::sim {

// What survives on a disk: the durable image handed to a node when it (re)starts.
struct DiskImage {
  std::map<std::string, std::string> records;
  std::map<std::string, std::vector<std::string>> logs;
  // The new disk of a replaced machine (Disk::Wipe). False for the disk a node was set
  // up with: whatever the operator did to it before the run (say, make the node a
  // cluster member) counts as done even while nothing is written on it yet.
  bool replaced = false;
  bool empty() const { return records.empty() && logs.empty(); }
  int64_t byte_count() const;
};

enum class DiskOp { kPut, kDelete, kAppend, kTruncate };

// One write. For kTruncate, `record_count` records of the log are kept.
struct DiskWrite {
  DiskOp op = DiskOp::kPut;
  std::string name;   // Record key or log name.
  std::string bytes;  // kPut / kAppend payload.
  int64_t record_count = 0;

  static DiskWrite Put(std::string key, std::string value);
  static DiskWrite Delete(std::string key);
  static DiskWrite Append(std::string log, std::string record);
  static DiskWrite Truncate(std::string log, int64_t keep_record_count);
};

struct DiskFaults {
  Ratio write_error_ratio = Ratio::Never();   // A write fails (nothing written).
  Ratio fsync_error_ratio = Ratio::Never();   // A Sync fails (writes stay unsynced).
  Ratio read_corruption_ratio = Ratio::Never();  // Per record read: one bit flipped.
  Ratio torn_write_ratio = Ratio::Never();    // Per crash with unsynced writes: torn.
  Ratio slow_io_ratio = Ratio::Never();       // Per operation: add slow_io_latency.
  SimDuration slow_io_latency = SimDuration::Millis(50);
  bool disk_full = false;                     // Every growing write: ResourceExhausted.

  // True if a fault may damage data that was already synced (the "recoverable" mode of
  // the harness rations these; see sim/harness/world.h).
  bool damages_synced_data() const { return !read_corruption_ratio.never(); }
};

struct DiskOptions {
  int64_t capacity_bytes = int64_t{1} << 34;  // 16 GiB.
  SimDuration write_latency = SimDuration::Micros(20);
  SimDuration fsync_latency = SimDuration::Micros(500);
  SimDuration read_latency = SimDuration::Micros(50);
  // Hard limit on unsynced writes kept (STYLE.md §G); beyond it writes fail with
  // ResourceExhausted until the next Sync.
  int64_t max_unsynced_writes = 1 << 20;
};

// What a crash did, for the trace and tests.
struct CrashReport {
  int64_t unsynced_writes = 0;  // Unsynced writes at the crash.
  int64_t kept_writes = 0;      // Of those, kept whole (torn crash only).
  bool torn = false;            // The write after the kept ones was kept partially.
  bool garbled = false;         // ... and its tail replaced by random bytes.
  int64_t torn_kept_bytes = 0;  // Bytes of the torn write kept (prefix, or prefix+tail).
};

class Disk {
 public:
  Disk(const DiskOptions& options, Prng prng);

  // Applies one write to the visible state (unsynced). Errors: Internal (write error
  // fault), ResourceExhausted (disk full or over capacity, or the unsynced limit),
  // InvalidArgument (truncate to a negative or a larger count). On error nothing changes.
  absl::Status Write(const DiskWrite& write);
  // The same, keeping `write`'s bytes for the unsynced list instead of copying them.
  absl::Status Write(DiskWrite&& write);
  // Makes every write so far durable. Error: Internal (fsync error fault); then the
  // writes stay unsynced (a later Sync may succeed; a crash loses them).
  // Inline without the fsync error fault (nothing to draw).
  absl::Status Sync() {
    if (ABSL_PREDICT_FALSE(!faults_.fsync_error_ratio.never()) && FsyncFails()) {
      return absl::InternalError("simulated fsync error (EIO)");
    }
    // The visible image becomes the durable one: nothing is left to undo.
    unsynced_.Clear();
    return absl::OkStatus();
  }

  // Reads of the visible state, through the read-corruption fault.
  // NotFound if the key is absent.
  absl::Status Get(const std::string& key, std::string* value);
  // The whole log (empty if absent).
  std::vector<std::string> ReadLog(const std::string& log);
  // The durable image, as a restarting node reads it. REQUIRES: no unsynced writes
  // (call after Crash()). Each record passes through the read-corruption fault.
  DiskImage ReadImage();

  // Loses unsynced writes (or tears them, see DiskFaults::torn_write_ratio).
  CrashReport Crash();
  // An empty disk (a replaced machine: its images say `replaced` from now on). Faults
  // stay as set.
  void Wipe();
  // Flips one random bit of one random durable record or log record (persistently).
  // Returns false if there is no durable data to corrupt. Sets the damage flag.
  bool CorruptSyncedRecord();

  // The simulated duration of an operation of this kind (base latency, plus
  // slow_io_latency with slow_io_ratio). Draws from the disk's stream.
  // Inline: the harness asks once per write and once per sync.
  SimDuration OperationLatency(DiskOp op) {
    // Every write kind costs the same: the simulated disk has no seek model.
    (void)op;
    SimDuration latency = options_.write_latency;
    if (Happens(prng_, faults_.slow_io_ratio)) latency += faults_.slow_io_latency;
    return latency;
  }
  SimDuration SyncLatency() {
    SimDuration latency = options_.fsync_latency;
    if (Happens(prng_, faults_.slow_io_ratio)) latency += faults_.slow_io_latency;
    return latency;
  }

  void set_faults(const DiskFaults& faults) { faults_ = faults; }
  const DiskFaults& faults() const { return faults_; }
  const DiskOptions& options() const { return options_; }

  int64_t used_bytes() const { return used_bytes_; }
  int64_t durable_bytes() const { return durable().byte_count(); }
  int64_t unsynced_write_count() const { return static_cast<int64_t>(unsynced_.size()); }
  // Synced data was damaged (corruption injected or read back corrupted) since the
  // last Wipe.
  bool synced_data_damaged() const { return synced_damaged_; }
  const DiskImage& visible() const { return visible_; }
  // What survives a crash now: a copy, built on each call by rolling the unsynced
  // writes back (for tests and reports; the disk itself keeps no durable image). Valid
  // until the next call.
  const DiskImage& durable() const;

 private:
  // What undoes one unsynced write.
  struct Undo {
    DiskOp op = DiskOp::kPut;
    std::string name;
    bool existed = false;              // kPut / kDelete: the record existed before.
    std::string old_value;             // kPut / kDelete: its value then.
    int64_t record_count = 0;          // kTruncate: the records kept.
    std::vector<std::string> removed;  // kTruncate: the records cut off, in order.
  };

  // Draws the fsync error fault (out of line: off the path without faults).
  bool FsyncFails();
  static int64_t WriteDelta(const DiskImage& image, const DiskWrite& write);
  // Undoes `undo` on `image`, whose last applied write it undoes: moving the old
  // contents back (Crash) or copying them (durable()).
  static void RollBack(DiskImage* image, Undo&& undo);
  static void RollBack(DiskImage* image, const Undo& undo);
  // Applies `write` to visible_, moving its bytes in, and records what undoes it.
  void ApplyVisible(DiskWrite&& write);
  // For CorruptSyncedRecord: where the durable copy of a record (log == false) or of
  // record `index` of a log lives when an unsynced write has replaced it in the visible
  // image; nullptr if the visible copy is the durable one.
  std::string* ShadowedDurableCopy(bool log, const std::string& name, size_t index);
  void FlipRandomBit(std::string* bytes);

  DiskOptions options_;
  Prng prng_;
  DiskFaults faults_;
  DiskImage visible_;           // Reads see this.
  // The unsynced writes' undo records, oldest first. Sync() forgets them without
  // destroying them: the next writes fill the same records again (their strings keep
  // their storage), as a node writes and syncs once per persist.
  class UndoLog {
   public:
    size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    Undo& operator[](size_t i) { return undos_[i]; }
    const Undo& operator[](size_t i) const { return undos_[i]; }
    Undo* begin() { return undos_.data(); }
    Undo* end() { return undos_.data() + size_; }
    const Undo* begin() const { return undos_.data(); }
    const Undo* end() const { return undos_.data() + size_; }
    // A record for one more write, as a default-constructed Undo but for `name`'s
    // storage (its value is unspecified: the caller assigns it).
    Undo& Add() {
      if (size_ == undos_.size()) undos_.emplace_back();
      Undo& undo = undos_[size_++];
      undo.existed = false;
      undo.record_count = 0;
      return undo;
    }
    // Forgets every record. Values a Put replaced and records a Truncate cut off are
    // released now; names are kept for reuse.
    void Clear() {
      for (size_t i = 0; i < size_; ++i) {
        Undo& undo = undos_[i];
        if (undo.existed) std::string().swap(undo.old_value);
        if (!undo.removed.empty()) std::vector<std::string>().swap(undo.removed);
      }
      size_ = 0;
    }

   private:
    std::vector<Undo> undos_;  // [0, size_) are live.
    size_t size_ = 0;
  };
  // Invariant: rolling visible_ back through unsynced_ (last first) gives the durable
  // image, what survives a crash.
  UndoLog unsynced_;
  int64_t used_bytes_ = 0;      // Invariant: == visible_.byte_count().
  bool synced_damaged_ = false;
  mutable DiskImage durable_copy_;  // What durable() returned last.
  // The visible log the last Append went to (a node appends to one log, segment after
  // segment), so the next Append to it skips the map lookup. Map entries stay put until
  // erased: reset wherever a visible log may be erased, and on copy (it points into
  // this disk's map only).
  struct LastLog {
    std::pair<const std::string, std::vector<std::string>>* entry = nullptr;
    LastLog() = default;
    LastLog(const LastLog&) {}
    LastLog& operator=(const LastLog&) {
      entry = nullptr;
      return *this;
    }
  };
  LastLog last_append_log_;
};

}  // namespace ravensim::sim

#endif  // RAVENSIM_SIM_DISK_H_
