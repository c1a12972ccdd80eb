// Loading scenario files (scenarios/scenario.proto): text-format parsing with error
// locations, then semantic validation (a fault naming node "I" in a five-node cluster,
// a liveness check without a bound, a layer the model does not simulate yet).
//
// Every error names the file, the 1-based line and column and the field path, as
//   scenarios/foo.textproto:12:5: field 'timeline[1].crash.node': node "I" is not in
//   the cluster (A..E)
// and is returned as an InvalidArgument status whose message lists all errors found,
// one per line (a missing file gives NotFound). The CLI prints it and exits 2.
//
// Stateless functions; thread-safe.
#ifndef RAVENSIM_TOOLS_SCENARIO_SCENARIO_LOADER_H_
#define RAVENSIM_TOOLS_SCENARIO_SCENARIO_LOADER_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "scenarios/scenario.pb.h"

namespace ravensim::tools {

inline constexpr int32_t kMaxClusterNodes = 26;
inline constexpr int32_t kMaxClients = 200;

struct ScenarioError {
  std::string file;
  int line = 0;    // 1-based; 0 if unknown.
  int column = 0;  // 1-based; 0 if unknown.
  std::string field;  // e.g. "timeline[1].crash.node"; empty if unknown.
  std::string message;

  std::string ToString() const;
};

// Reads and parses `path`. The scenario's name defaults to the file's base name
// without extension.
absl::StatusOr<scenarios::Scenario> LoadScenarioFile(const std::string& path);

// Parses scenario text; `file_name` is used in error messages and for the default name.
absl::StatusOr<scenarios::Scenario> ParseScenario(std::string_view text,
                                                   std::string_view file_name);

// The semantic checks ParseScenario applies, for scenarios built in code (the
// shrinker's output). Errors carry field paths but no line numbers.
std::vector<ScenarioError> ValidateScenario(const scenarios::Scenario& scenario);

// Node tags: index 0 -> "A", 1 -> "B", ... REQUIRES: 0 <= index < kMaxClusterNodes.
std::string NodeTag(int32_t index);
// The index of `tag` in a cluster of `node_count` nodes, or nullopt.
std::optional<int32_t> NodeIndex(std::string_view tag, int32_t node_count);

// Names of every check the scenario enables ("raft_invariants", "linearizability",
// "watchers_never_vote", then the liveness names), in that order.
std::vector<std::string> EnabledCheckNames(const scenarios::Scenario& scenario);

// The scenario as text format (deterministic field order), with a leading comment.
std::string ScenarioToText(const scenarios::Scenario& scenario, std::string_view comment);

}  // namespace ravensim::tools

#endif  // RAVENSIM_TOOLS_SCENARIO_SCENARIO_LOADER_H_
