// ravensim replay SCENARIO --seed N [--until T]: the full trace of one run.
#include <iostream>
#include <memory>

#include "tools/scenario/command_util.h"
#include "tools/scenario/duration.h"
#include "tools/scenario/scenario_commands.h"

namespace ravensim::tools {
namespace {

struct ReplayFlags {
  std::string scenario;
  uint64_t seed = 0;
  std::string until;
};

int ReplayMain(const ReplayFlags& flags) {
  std::optional<scenarios::Scenario> scenario = LoadOrReport(flags.scenario);
  if (!scenario.has_value()) return kExitBadInput;
  RunOptions options;
  options.seed = flags.seed;
  if (!flags.until.empty()) {
    auto until = ParseDuration(flags.until);
    if (!until.ok() || *until < sim::SimDuration::Zero()) {
      std::cerr << "--until: " << (until.ok() ? "must not be negative" : until.status().message())
                << "\n";
      return kExitBadInput;
    }
    options.until = sim::SimTime::Zero() + *until;
  }
  std::cout << "seed: " << flags.seed << "\n"
            << "reproduce: " << ReproduceCommand(flags.scenario, flags.seed) << "\n"
            << std::flush;
  options.trace_jsonl = &std::cout;
  const RunReport report = RunScenario(*scenario, options);
  PrintRunSummary(*scenario, report, std::cout);
  return report.passed() ? kExitOk : kExitFailed;
}

}  // namespace

void AddReplayCommand(CLI::App& app, CommandAction* action) {
  auto flags = std::make_shared<ReplayFlags>();
  CLI::App* replay = app.add_subcommand(
      "replay", "Replay one seed and print its full event trace (one JSON object per "
                "line), then the run summary.");
  replay->add_option("scenario", flags->scenario, "Scenario file (.textproto)")->required();
  replay->add_option("--seed", flags->seed, "Seed to replay")->required()
      ->check(SeedTextError);
  replay->add_option("--until", flags->until,
                     "Stop at this simulated time (e.g. 12.5s); checks see a partial run");
  replay->callback([flags, action]() { *action = [flags]() { return ReplayMain(*flags); }; });
}

}  // namespace ravensim::tools
