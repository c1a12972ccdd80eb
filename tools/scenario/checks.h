// The checks a scenario asks for (scenario.proto Checks), evaluated after a run from
// what the runner recorded: the ClusterView (leadership over time), the client history,
// and the phase times. Raft invariants come from checkers/raft and linearizability from
// checkers/linearizability; this file adds the liveness bounds and the watcher rule,
// and decides whether each verdict is the one the scenario expects.
//
// Stateless functions; thread-safe.
#ifndef RAVENSIM_TOOLS_SCENARIO_CHECKS_H_
#define RAVENSIM_TOOLS_SCENARIO_CHECKS_H_

#include <optional>
#include <string>
#include <vector>

#include "checkers/history/history.pb.h"
#include "scenarios/scenario.pb.h"
#include "sim/time.h"
#include "tools/scenario/cluster_view.h"

namespace ravensim::tools {

enum class Verdict { kHeld, kViolated, kUnknown };
// "held", "violated", "unknown".
const char* VerdictName(Verdict verdict);

struct CheckReport {
  std::string name;
  Verdict verdict = Verdict::kUnknown;
  std::string detail;  // One line: what was measured, or the violation.
  bool expected_violated = false;
  // An unknown verdict is never as expected: a budget must not hide a failure.
  bool as_expected() const {
    return verdict == (expected_violated ? Verdict::kViolated : Verdict::kHeld);
  }
};

struct RunFacts {
  const ClusterView* view = nullptr;
  const history::History* history = nullptr;
  sim::SimTime fault_phase_end;
  std::optional<sim::SimTime> heal_time;  // Unset if the run ended before the heal.
  sim::SimTime last_fault_time;
  sim::SimTime end;
};

CheckReport EvaluateLiveness(const scenarios::Liveness& liveness, const RunFacts& facts);
CheckReport EvaluateWatchers(const ClusterView& view);
// Register linearizability with the checkers' register model; `threads` for the
// per-key search (1 inside a parallel sweep).
CheckReport EvaluateLinearizability(const history::History& history, int64_t max_steps,
                                    int threads);

// Marks each report's expected_violated from the scenario's expectation.
void ApplyExpectation(const scenarios::Expectation& expect, std::vector<CheckReport>* reports);

}  // namespace ravensim::tools

#endif  // RAVENSIM_TOOLS_SCENARIO_CHECKS_H_
