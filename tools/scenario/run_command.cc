// ravensim run SCENARIO [--seed N] [--trace FILE] [--timeline FILE] [--history FILE]
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

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
};

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
  const RunReport report = RunScenario(*scenario, options);
  if (trace != nullptr) trace->close();
  if (!flags.history.empty() && !WriteHistory(report, flags.history)) return kExitBadInput;
  if (!flags.timeline.empty() && !WriteTimeline(report, flags.timeline)) return kExitBadInput;
  PrintRunSummary(*scenario, report, std::cout);
  return report.passed() ? kExitOk : kExitFailed;
}

}  // namespace

void AddRunCommand(CLI::App& app, CommandAction* action) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* run = app.add_subcommand(
      "run", "Run one scenario at one seed: the seed and reproduce command first, then a "
             "summary (simulated time, events, operations, faults, check verdicts) ending "
             "with the run's fingerprint.");
  run->add_option("scenario", flags->scenario, "Scenario file (.textproto)")->required();
  run->add_option("--seed", flags->seed, "Seed (default: the scenario's first seed, or 1)");
  run->add_option("--trace", flags->trace, "Write the full event trace here (JSONL)");
  run->add_option("--timeline", flags->timeline,
                  "Write a Chrome trace-event timeline here (open in Perfetto or "
                  "chrome://tracing)");
  run->add_option("--history", flags->history,
                  "Write the client history here (the checkers' JSONL format)");
  run->callback([flags, action]() { *action = [flags]() { return RunMain(*flags); }; });
}

}  // namespace ravensim::tools
