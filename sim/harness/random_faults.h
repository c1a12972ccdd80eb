// harness::RandomFaults: a random fault schedule over a World, for sweeps and the
// determinism tests (DESIGN.md §3; the "random fault profile" of §7).
//
// Every `step_interval_mean` (exponentially distributed) it picks one enabled fault at
// random and injects it through the World's fault entry points; faults that have an end
// (crash, pause, partition, clog, disk faults, lossy links) are undone after a duration
// drawn in [fault_duration_min, fault_duration_max]. At most `max_down` cluster nodes
// are crashed or paused at once, and at most one partition is in force. All draws come
// from the Prng passed in (fork it from the run seed with StreamId::kFaultSchedule), so a
// schedule is a pure function of the seed. Faults the World refuses (recoverable mode)
// are counted, not retried.
//
// Stop() ends the schedule and undoes every fault in force (heal, restart, resume,
// clear disk and link faults) so a liveness phase can follow.
//
// Borrows the World (must outlive this). Thread-compatible.
#ifndef RAVENSIM_SIM_HARNESS_RANDOM_FAULTS_H_
#define RAVENSIM_SIM_HARNESS_RANDOM_FAULTS_H_

#include <cstdint>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "sim/harness/world.h"
#include "sim/prng.h"

namespace ravensim::harness {

struct RandomFaultOptions {
  SimDuration step_interval_mean = SimDuration::Millis(100);
  SimDuration fault_duration_min = SimDuration::Millis(20);
  SimDuration fault_duration_max = SimDuration::Millis(500);
  int32_t max_down = -1;  // -1: (cluster nodes - 1) / 2.
  bool crash = true;
  bool pause = true;
  bool wipe = true;
  bool partition = true;
  bool clog = true;
  bool disk = true;       // Torn writes, write / fsync errors, slow I/O, corruption.
  bool link = true;       // Loss (retransmits), jitter.
  bool clock = true;      // Drift changes and jumps.
  // Who the caller thinks leads, for kIsolateLeader; without it a random member.
  absl::AnyInvocable<NodeId()> leader;
};

struct RandomFaultCounts {
  int64_t injected = 0;
  int64_t refused = 0;  // Refused by the World (e.g. recoverable-mode rationing).
};

class RandomFaults {
 public:
  RandomFaults(World* world, sim::Prng prng, RandomFaultOptions options);

  // Schedules the first step at now().
  void Start();
  // No more faults; undoes those in force (now).
  void Stop();
  const RandomFaultCounts& counts() const { return counts_; }

 private:
  enum class Kind { kCrash, kPause, kWipe, kPartition, kClog, kDisk, kCorrupt, kLink, kClock };

  void Step();
  void Inject(Kind kind);
  SimDuration Duration();
  NodeId RandomClusterNode();
  int32_t DownCount() const;
  void Note(const absl::Status& status);
  void After(SimDuration delay, absl::AnyInvocable<void()> undo);

  World* world_;
  sim::Prng prng_;
  RandomFaultOptions options_;
  std::vector<Kind> enabled_;
  bool running_ = false;
  bool partitioned_ = false;
  uint64_t epoch_ = 0;  // Bumped by Stop so pending undo events become no-ops.
  RandomFaultCounts counts_;
};

}  // namespace ravensim::harness

#endif  // RAVENSIM_SIM_HARNESS_RANDOM_FAULTS_H_
