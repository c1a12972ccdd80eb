// ravensim shrink SCENARIO --seed N [-o FILE]: the smallest scenario that still fails.
#include <iostream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "tools/scenario/atomic_file.h"
#include "tools/scenario/command_util.h"
#include "tools/scenario/duration.h"
#include "tools/scenario/scenario_commands.h"
#include "tools/scenario/scenario_loader.h"
#include "tools/scenario/shrink.h"

namespace ravensim::tools {
namespace {

struct ShrinkFlags {
  std::string scenario;
  uint64_t seed = 0;
  std::string output;
  std::string budget = "60s";
  int32_t max_attempts = 400;
};

std::string Sizes(const scenarios::Scenario& s, const RunReport& r) {
  return absl::StrCat(SizeOf(s).ToString(), "; ", r.history.operations_size(),
                      " operations run");
}

int ShrinkMain(const ShrinkFlags& flags) {
  std::optional<scenarios::Scenario> scenario = LoadOrReport(flags.scenario);
  if (!scenario.has_value()) return kExitBadInput;
  auto budget = ParseDuration(flags.budget);
  if (!budget.ok() || *budget <= sim::SimDuration::Zero()) {
    std::cerr << "--budget: expected a positive duration such as 60s\n";
    return kExitBadInput;
  }
  std::cout << "seed: " << flags.seed << "\n"
            << "reproduce: " << ReproduceCommand(flags.scenario, flags.seed) << "\n";
  RunOptions run;
  run.seed = flags.seed;
  const RunReport original = RunScenario(*scenario, run);
  if (original.passed()) {
    std::cerr << "seed " << flags.seed << " passes every check; nothing to shrink\n";
    return kExitBadInput;
  }
  const std::string signature = original.Signature();
  const scenarios::Scenario realized = RealizedScenario(*scenario, original);
  std::cout << "failure: " << signature << "\n"
            << "realized fault schedule: " << original.realized_faults.size()
            << " fault events\n"
            << "before: " << Sizes(realized, original) << "\n"
            << std::flush;
  ShrinkOptions options;
  options.wall_budget_ns = budget->nanos();
  options.max_attempts = flags.max_attempts;
  options.log = [](const std::string& line) { std::cerr << "  " << line << "\n"; };
  ShrinkStats stats;
  auto shrunk = Shrink(
      realized,
      [&](const scenarios::Scenario& candidate) {
        return RunScenario(candidate, run).Signature() == signature;
      },
      options, &stats);
  if (!shrunk.ok()) {
    std::cerr << "shrink: " << shrunk.status().message() << "\n";
    return kExitFailed;
  }
  shrunk->set_name(absl::StrCat(scenario->name(), "_shrunk"));
  shrunk->set_description(absl::StrCat("Shrunk from ", scenario->name(), " seed ", flags.seed,
                                       "; still fails: ", signature));
  const RunReport after = RunScenario(*shrunk, run);
  const std::string output = flags.output.empty()
                                 ? absl::StrCat(scenario->name(), ".shrunk.seed", flags.seed,
                                                ".textproto")
                                 : flags.output;
  const std::string comment = absl::StrCat(
      "Minimal scenario from `ravensim shrink ", flags.scenario, " --seed ", flags.seed,
      "`.\nFails with: ", signature, "\nReproduce: ", ReproduceCommand(output, flags.seed));
  const absl::Status written =
      WriteFileAtomically(ResolveUserPath(output), ScenarioToText(*shrunk, comment));
  if (!written.ok()) {
    std::cerr << "-o: " << written.message() << "\n";
    return kExitBadInput;
  }
  std::cout << "after:  " << Sizes(*shrunk, after) << "\n"
            << "shrink: " << stats.attempts << " runs, " << stats.accepted << " accepted, "
            << FormatWall(stats.wall_time_ns) << " wall"
            << (stats.budget_exhausted ? " (budget exhausted)" : "") << "\n"
            << "wrote " << output << "\n"
            << "reproduce: " << ReproduceCommand(output, flags.seed) << "\n";
  return kExitOk;
}

}  // namespace

void AddShrinkCommand(CLI::App& app, CommandAction* action) {
  auto flags = std::make_shared<ShrinkFlags>();
  CLI::App* shrink = app.add_subcommand(
      "shrink", "Record the realized fault schedule of a failing seed and delta-debug it "
                "(drop faults, shorten them, drop clients and operations) to a minimal "
                "scenario file that still fails the same way.");
  shrink->add_option("scenario", flags->scenario, "Scenario file (.textproto)")->required();
  shrink->add_option("--seed", flags->seed, "A failing seed")->required()
      ->check(SeedTextError);
  shrink->add_option("-o,--output", flags->output,
                     "Where to write the minimal scenario (default "
                     "<name>.shrunk.seed<N>.textproto)");
  shrink->add_option("--budget", flags->budget, "Wall-clock budget (default 60s)");
  shrink->add_option("--max-attempts", flags->max_attempts, "Most runs to try (default 400)");
  shrink->callback([flags, action]() { *action = [flags]() { return ShrinkMain(*flags); }; });
}

}  // namespace ravensim::tools
