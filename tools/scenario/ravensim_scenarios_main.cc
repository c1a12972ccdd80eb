// A ravensim binary with the scenario subcommands only (run, sweep, replay, shrink, list,
// suite), for the CLI tests of this package; same parsing and exit codes as
// tools/ravensim_main.cc.
#include <iostream>

#include "CLI/CLI.hpp"
#include "tools/scenario/scenario_commands.h"

int main(int argc, char** argv) {
  CLI::App app{"ravensim (scenario commands)"};
  app.require_subcommand(1);
  ravensim::tools::CommandAction action;
  ravensim::tools::AddScenarioCommands(app, &action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (!action) {
    std::cerr << "ravensim: no command given (see --help)\n";
    return 2;
  }
  return action();
}
