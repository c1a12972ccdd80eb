// The shrinker: delta debugging (Zeller & Hildebrandt's ddmin) of a failing scenario
// whose faults are an explicit timeline (the realized fault schedule of a run), down to
// a small scenario that still fails the same way.
//
// It knows nothing of simulation: `fails(candidate)` runs a candidate and says whether
// it still fails with the original signature. Passes, repeated until none makes
// progress or the budget is spent:
//   1. drop fault events (ddmin over the timeline: chunks, then single events);
//   2. shorten each remaining fault (halving its duration while it still fails);
//   3. drop clients (none at all, else the fewest that still fail);
//   4. cap operations per client (the smallest cap that still fails);
//   5. move the timeline earlier, keeping the gaps between faults;
//   6. shorten the fault phase (run.duration) down towards the last fault.
// Every accepted candidate still fails, so the result is never worse than the input.
//
// Thread-compatible; `fails` is called sequentially.
#ifndef RAVENSIM_TOOLS_SCENARIO_SHRINK_H_
#define RAVENSIM_TOOLS_SCENARIO_SHRINK_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "scenarios/scenario.pb.h"

namespace ravensim::tools {

struct ScenarioSize {
  int32_t fault_events = 0;
  int32_t clients = 0;
  int32_t operations_per_client = 0;  // 0 = unlimited.
  int64_t run_duration_ns = 0;

  std::string ToString() const;
};
ScenarioSize SizeOf(const scenarios::Scenario& scenario);

struct ShrinkOptions {
  int32_t max_attempts = 400;
  // Wall-clock budget for all attempts (0 = none).
  int64_t wall_budget_ns = 60'000'000'000;
  // Called with a line of progress after each accepted step (may be empty).
  std::function<void(const std::string&)> log;
};

struct ShrinkStats {
  int32_t attempts = 0;  // Calls to `fails`, including the initial confirmation.
  int32_t accepted = 0;
  bool budget_exhausted = false;
  int64_t wall_time_ns = 0;
};

using FailurePredicate = std::function<bool(const scenarios::Scenario&)>;

// REQUIRES: `start` has no random fault profile and no triggers (an explicit timeline).
// FailedPrecondition if `fails(start)` is false.
absl::StatusOr<scenarios::Scenario> Shrink(const scenarios::Scenario& start,
                                           const FailurePredicate& fails,
                                           const ShrinkOptions& options, ShrinkStats* stats);

}  // namespace ravensim::tools

#endif  // RAVENSIM_TOOLS_SCENARIO_SHRINK_H_
