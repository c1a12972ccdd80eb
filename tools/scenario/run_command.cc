// ravensim run SCENARIO [--seed N] [--trace FILE] [--timeline FILE] [--history FILE]
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "sim/trace.h"
#include "tools/scenario/command_util.h"
#include "tools/scenario/scenario_commands.h"

namespace ravensim::tools {
namespace {

struct RunFlags {
  std::string scenario;
  std::optional<uint64_t> seed;
  std::string trace;
  std::string timeline;
  std::string history;
  bool check_determinism = false;
};

// Runs the scenario a second time and compares the two traces event by event
// (DESIGN.md §2). Prints the verdict; false if the runs diverged.
bool CheckDeterminism(const scenarios::Scenario& scenario, uint64_t seed,
                      const RunReport& first) {
  RunOptions again;
  again.seed = seed;
  again.keep_event_hashes = true;
  const RunReport second = RunScenario(scenario, again);
  const std::optional<uint64_t> diverged =
      sim::FirstDivergence(first.event_hashes, second.event_hashes);
  if (!diverged.has_value()) {
    std::cout << "determinism: two runs, identical traces (" << first.event_hashes.size()
              << " events)\n";
    return true;
  }
  std::cout << "determinism: VIOLATED: the runs diverge at trace event #" << *diverged
            << "; compare `replay --seed " << seed << "` outputs around that event\n";
  return false;
}

int RunMain(const RunFlags& flags) {
  std::optional<scenarios::Scenario> scenario = LoadOrReport(flags.scenario);
  if (!scenario.has_value()) return kExitBadInput;
  const uint64_t seed = flags.seed.value_or(DefaultSeed(*scenario));
  std::cout << "seed: " << seed << "\n"
            << "reproduce: " << ReproduceCommand(flags.scenario, seed) << "\n"
            << std::flush;
  std::unique_ptr<std::ofstream> trace;
  if (!flags.trace.empty()) {
    trace = std::make_unique<std::ofstream>(ResolveUserPath(flags.trace));
    if (!*trace) {
      std::cerr << "--trace: cannot write " << flags.trace << "\n";
      return kExitBadInput;
    }
  }
  RunOptions options;
  options.seed = seed;
  options.trace_jsonl = trace.get();
  options.build_timeline = !flags.timeline.empty();
  options.keep_event_hashes = flags.check_determinism;
  const RunReport report = RunScenario(*scenario, options);
  const bool deterministic =
      !flags.check_determinism || CheckDeterminism(*scenario, seed, report);
  if (trace != nullptr) trace->close();
  if (!flags.history.empty() && !WriteHistory(report, flags.history)) return kExitBadInput;
  if (!flags.timeline.empty() && !WriteTimeline(report, flags.timeline)) return kExitBadInput;
  PrintRunSummary(*scenario, report, std::cout);
  return report.passed() && deterministic ? kExitOk : kExitFailed;
}

}  // namespace

void AddRunCommand(CLI::App& app, CommandAction* action) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* run = app.add_subcommand(
      "run", "Run one scenario at one seed: the seed and reproduce command first, then a "
             "summary (simulated time, events, operations, faults, check verdicts) ending "
             "with the run's fingerprint.");
  run->add_option("scenario", flags->scenario, "Scenario file (.textproto)")->required();
  run->add_option("--seed", flags->seed, "Seed (default: the scenario's first seed, or 1)")
      ->check(SeedTextError);
  run->add_option("--trace", flags->trace, "Write the full event trace here (JSONL)");
  run->add_option("--timeline", flags->timeline,
                  "Write a Chrome trace-event timeline here (open in Perfetto or "
                  "chrome://tracing)");
  run->add_option("--history", flags->history,
                  "Write the client history here (the checkers' JSONL format)");
  run->add_flag("--check-determinism", flags->check_determinism,
               "Run twice and compare the traces event by event; exit 1 on divergence");
  run->callback([flags, action]() { *action = [flags]() { return RunMain(*flags); }; });
}

}  // namespace ravensim::tools
