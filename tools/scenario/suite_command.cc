// ravensim suite [DIR] [--jobs J]: the scenario library at its fixed seeds, as a table.
#include <iostream>
#include <memory>

#include "tools/scenario/command_util.h"
#include "tools/scenario/scenario_commands.h"
#include "tools/scenario/suite.h"

namespace ravensim::tools {
namespace {

struct SuiteFlags {
  std::string dir;
  int32_t jobs = 2;
};

int SuiteMain(const SuiteFlags& flags) {
  if (flags.jobs < 1 || flags.jobs > 256) {
    std::cerr << "--jobs must be in 1..256\n";
    return kExitBadInput;
  }
  const std::string dir = LibraryDir(flags.dir);
  auto scenarios = LoadSuite(dir);
  if (!scenarios.ok()) {
    std::cerr << scenarios.status().message() << "\n";
    return kExitBadInput;
  }
  std::cout << "suite: " << scenarios->size() << " scenarios from " << dir << "\n"
            << std::flush;
  const std::vector<SuiteRow> rows = RunSuite(*scenarios, flags.jobs);
  PrintSuiteTable(rows, std::cout);
  for (const SuiteRow& r : rows) {
    if (!r.passed) return kExitFailed;
  }
  return kExitOk;
}

}  // namespace

void AddSuiteCommand(CLI::App& app, CommandAction* action) {
  auto flags = std::make_shared<SuiteFlags>();
  CLI::App* suite = app.add_subcommand(
      "suite", "Run every scenario of the library at its fixed seeds and print a table: "
               "scenario, seed, result, simulated time, wall time, verdicts. Exit 1 if any "
               "expectation is not met.");
  suite->add_option("dir", flags->dir, "Scenario directory (default: scenarios/cluster)");
  suite->add_option("--jobs,-j", flags->jobs, "Scenarios run in parallel (default 2)");
  suite->callback([flags, action]() { *action = [flags]() { return SuiteMain(*flags); }; });
}

}  // namespace ravensim::tools
