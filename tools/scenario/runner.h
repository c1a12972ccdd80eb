// The scenario runner: builds a simulated world from a scenario and a seed, runs the
// fault phase (workload, timeline, triggers, random faults), the heal-and-quiesce
// phase, then the checks, and reports what happened (DESIGN.md §7).
//
// World layout: node ids 0..N-1 are the cluster nodes (tags A, B, ...), each a
// harness::RachisHost running Rachis with the replicated register state machine; ids
// N..N+C-1 are the clients (harness::ClusterClient), which submit register commands
// through Rachis and report invoke/return/outcome as observations that become the
// history.
//
// Determinism: the run is a pure function of (binary, scenario, seed). The World forks
// its own streams; the runner draws only from kFaultSchedule (random faults, runtime
// fault targets) and kWorkload (client choices, forked per client).
//
// Thread-safety: RunScenario may be called from several threads at once (sweeps); each
// call builds and owns its world.
#ifndef RAVENSIM_TOOLS_SCENARIO_RUNNER_H_
#define RAVENSIM_TOOLS_SCENARIO_RUNNER_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "checkers/history/history.pb.h"
#include "scenarios/scenario.pb.h"
#include "sim/time.h"
#include "tools/scenario/checks.h"
#include "tools/scenario/sweep.pb.h"
#include "tools/scenario/timeline.h"

namespace ravensim::tools {

struct RunOptions {
  uint64_t seed = 1;
  // Full trace as JSONL (one event per line). Not owned.
  std::ostream* trace_jsonl = nullptr;
  bool keep_event_hashes = false;
  bool build_timeline = false;
  // Stop the run at this true time (replay --until); checks then see a partial run.
  std::optional<sim::SimTime> until;
  // Threads for the linearizability search (1 inside a parallel sweep).
  int checker_threads = 2;
};

struct RunReport {
  std::string scenario_name;
  uint64_t seed = 0;
  // Set when the run could not complete (event budget exhausted, a harness error);
  // the checks are then not evaluated and the run counts as failed.
  absl::Status status;
  sim::SimTime end_time;
  std::optional<sim::SimTime> heal_time;
  uint64_t events = 0;
  uint64_t fingerprint = 0;
  std::vector<uint64_t> event_hashes;  // With keep_event_hashes.
  int64_t operations_ok = 0;
  int64_t operations_fail = 0;
  int64_t operations_unknown = 0;
  int64_t faults_injected = 0;
  int64_t leader_changes = 0;
  // The topology at the end, as the final leader last reported it: "voters A B C,
  // non-voters D (as leader A has it)"; "" when the run ends without a leader.
  std::string topology;
  // When the run ends without a leader, each cluster node's last reported state, term and
  // topology: "A candidate, term 5, voters A B; B down; C follower, term 7, voters A C,
  // non-voters B"; "" when there is a leader. Topologies that disagree show at once why
  // no election succeeds (docs/CLI.md).
  std::string leaderless_nodes;
  // When the run ends without a leader and no node can ever be elected under the
  // topologies and logs the nodes hold (election_deadlock.h: RavenDB's hazard of
  // removals that never commit), why: "A needs 2 of A B, B denies (log ahead); ...";
  // "" otherwise.
  std::string election_deadlock;
  std::vector<CheckReport> checks;
  // Every fault as it happened, with resolved targets and exact times.
  std::vector<scenarios::FaultEvent> realized_faults;
  history::History history;
  Timeline timeline;  // With build_timeline.
  int64_t wall_time_ns = 0;

  // The run completed and every check has its expected verdict.
  bool passed() const;
  // Groups failures: "name:verdict" of every check not as expected, joined by "+";
  // "error:<code>" for an incomplete run; "" when passed.
  std::string Signature() const;
};

// REQUIRES: `scenario` passed validation (scenario_loader.h).
RunReport RunScenario(const scenarios::Scenario& scenario, const RunOptions& options);

// The scenario with its faults replaced by the run's realized schedule (an explicit
// timeline, no triggers, no random profile): what `ravensim shrink` starts from.
scenarios::Scenario RealizedScenario(const scenarios::Scenario& scenario,
                                     const RunReport& report);

// The sweep record of a run.
SeedResult ToSeedResult(const RunReport& report, const std::string& reproduce);

}  // namespace ravensim::tools

#endif  // RAVENSIM_TOOLS_SCENARIO_RUNNER_H_
