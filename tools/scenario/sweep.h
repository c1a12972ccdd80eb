// The sweep engine (DESIGN.md §8–§9): runs one scenario over a set of seeds in parallel
// (each simulation single-threaded), writes one result file per seed atomically, resumes
// an interrupted sweep, shows progress, and summarizes failures grouped by signature.
//
// Seeds and shards: `--seeds A..B` is the inclusive range; `--shard i/N` keeps the
// seeds whose position in the range (seed - A) is congruent to i mod N, so the N shards
// are disjoint and their union is the range (Bazel test sharding, Kubernetes Indexed
// Jobs and Slurm arrays all hand out such an i, docs/SCALE_OUT.md).
//
// Results: DIR/seed-<seed>.txtpb, a SeedResult in text format, written with
// WriteFileAtomically. With `resume`, seeds that already have a readable result file are
// not run again; their recorded results join the summary.
//
// Thread-safety: RunSweep calls `run_seed` from `jobs` threads at once; it must be
// thread-safe (each call builds its own world).
#ifndef RAVENSIM_TOOLS_SCENARIO_SWEEP_H_
#define RAVENSIM_TOOLS_SCENARIO_SWEEP_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/scenario/sweep.pb.h"

namespace ravensim::tools {

struct SeedRange {
  uint64_t first = 0;
  uint64_t last = 0;  // Inclusive.
};
struct Shard {
  int32_t index = 0;
  int32_t count = 1;
};

// "A..B" (A <= B) or a single seed "A".
absl::StatusOr<SeedRange> ParseSeedRange(std::string_view text);
// "i/N" with 0 <= i < N.
absl::StatusOr<Shard> ParseShard(std::string_view text);
// The seeds of `range` that belong to `shard`, ascending.
// REQUIRES: the range holds at most 100'000'000 seeds.
std::vector<uint64_t> SeedsForShard(const SeedRange& range, const Shard& shard);

// The most threads a sweep runs (RunSweep refuses more).
inline constexpr int32_t kMaxSweepJobs = 256;

struct SweepOptions {
  std::vector<uint64_t> seeds;
  int32_t jobs = 1;
  // Where result files go; empty = keep results in memory only.
  std::string out_dir;
  bool resume = false;
  // Progress bar (rate, ETA, failures) is drawn here, with carriage returns, when set.
  std::ostream* progress = nullptr;
  // When set and it becomes true, workers start no further seeds (seeds already running
  // finish and are recorded). Used by tests to simulate an interruption.
  const std::atomic<bool>* stop = nullptr;
};

struct SweepSummary {
  std::vector<SeedResult> results;  // Sorted by seed; only seeds that have a result.
  int64_t ran = 0;                  // Seeds run by this call.
  int64_t resumed = 0;              // Seeds taken from existing result files.
  int64_t wall_time_ns = 0;
  bool interrupted = false;         // `stop` ended the sweep early.
};

using SeedRunner = std::function<SeedResult(uint64_t seed)>;

absl::StatusOr<SweepSummary> RunSweep(const SweepOptions& options, const SeedRunner& run_seed);

// The result file of `seed` in `dir`.
std::string SeedResultPath(const std::string& dir, uint64_t seed);
absl::StatusOr<SeedResult> ReadSeedResult(const std::string& path);

// Human summary: counts, rate, failures grouped by signature, then every failing seed
// with its violation and reproduce command.
void PrintSweepSummary(const SweepSummary& summary, int64_t seeds_requested,
                       std::ostream& out);

}  // namespace ravensim::tools

#endif  // RAVENSIM_TOOLS_SCENARIO_SWEEP_H_
