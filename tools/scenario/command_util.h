// Shared plumbing of the scenario subcommands (run, sweep, replay, shrink, list, suite):
// resolving paths under `bazel run`, loading scenarios with exit code 2 on bad input,
// reproduce commands, and the human run summary.
//
// Exit codes (DESIGN.md §8): 0 every check as expected, 1 a check failed or an
// expectation was not met, 2 bad usage or input.
#ifndef RAVENSIM_TOOLS_SCENARIO_COMMAND_UTIL_H_
#define RAVENSIM_TOOLS_SCENARIO_COMMAND_UTIL_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "scenarios/scenario.pb.h"
#include "tools/scenario/runner.h"

namespace ravensim::tools {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitBadInput = 2;

// A path as the user typed it, made absolute against the directory `bazel run` was
// started from (BUILD_WORKING_DIRECTORY) when there is one; unchanged otherwise.
std::string ResolveUserPath(const std::string& path);

// The scenario library directory: DIR when given; else <workspace>/scenarios/cluster
// under `bazel run` (BUILD_WORKSPACE_DIRECTORY), else scenarios/cluster from the
// current directory.
std::string LibraryDir(const std::string& dir);

// The *.textproto files directly in `dir`, sorted by name. NotFound if `dir` is missing.
absl::StatusOr<std::vector<std::string>> ListScenarioFiles(const std::string& dir);

// Loads `path` (resolved with ResolveUserPath); prints the errors to stderr and returns
// nullopt on failure (the caller exits 2).
std::optional<scenarios::Scenario> LoadOrReport(const std::string& path);

// "ravensim run <path> --seed N" (the `bazel run` form under bazel).
std::string ReproduceCommand(const std::string& path, uint64_t seed);

// The seed a run uses when --seed is not given: the scenario's first seed, else 1.
uint64_t DefaultSeed(const scenarios::Scenario& scenario);

// The run summary: simulated time, events, operations by outcome, faults, each check
// with its verdict, the result, and last the line "fingerprint: <16 hex digits>".
void PrintRunSummary(const scenarios::Scenario& scenario, const RunReport& report,
                     std::ostream& out);

// Writes the history (checkers' JSONL format) / the timeline; errors to stderr.
bool WriteHistory(const RunReport& report, const std::string& path);
bool WriteTimeline(const RunReport& report, const std::string& path);

// For CLI11's check() on --seed: "" when `text` is a decimal seed in [0, 2^64), else why
// not. CLI11 itself would wrap "-1" to 2^64 - 1 and clamp anything larger to it.
std::string SeedTextError(const std::string& text);

// Wall time as "1.23s".
std::string FormatWall(int64_t nanos);

}  // namespace ravensim::tools

#endif  // RAVENSIM_TOOLS_SCENARIO_COMMAND_UTIL_H_
