// The scenario suite: every scenario of a directory at each of its fixed seeds, as the
// table the README's Quick start prints (scenario, seed, verdicts, simulated time, wall
// time, result). Used by `ravensim suite` and by the library's Bazel tests.
//
// Thread-safety: RunSuite runs scenarios on `jobs` threads; each run owns its world.
#ifndef RAVENSIM_TOOLS_SCENARIO_SUITE_H_
#define RAVENSIM_TOOLS_SCENARIO_SUITE_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "scenarios/scenario.pb.h"
#include "tools/scenario/checks.h"

namespace ravensim::tools {

struct SuiteRow {
  std::string scenario;
  std::string file;
  uint64_t seed = 0;
  std::vector<CheckReport> checks;
  std::string error;  // The run did not complete.
  int64_t sim_time_ns = 0;
  int64_t wall_time_ns = 0;
  bool passed = false;
  std::string signature;
};

struct LoadedScenario {
  std::string file;
  scenarios::Scenario scenario;
};

// Loads every *.textproto in `dir` (sorted). Errors list every bad file.
absl::StatusOr<std::vector<LoadedScenario>> LoadSuite(const std::string& dir);

// Runs each scenario at each of its seeds (seed 1 if none). Rows in file, then seed order.
std::vector<SuiteRow> RunSuite(const std::vector<LoadedScenario>& scenarios, int32_t jobs);

// "raft_invariants=held linearizability=held two_node_halts=violated(expected)".
std::string CompactVerdicts(const std::vector<CheckReport>& checks);

// The table, then a line "N runs, P passed, F failed".
void PrintSuiteTable(const std::vector<SuiteRow>& rows, std::ostream& out);

}  // namespace ravensim::tools

#endif  // RAVENSIM_TOOLS_SCENARIO_SUITE_H_
