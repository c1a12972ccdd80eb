// ravensim: the command-line entry point. Each subcommand lives in its own file and
// registers itself here through an Add<Name>Command function (STYLE.md §H).
//
// Exit codes (DESIGN.md §8): 0 all checks hold, 1 a check failed or an expectation was
// not met, 2 bad usage or input; `check` also uses 3 for an Unknown verdict.
#include <functional>
#include <iostream>

#include "CLI/CLI.hpp"
#include "tools/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"ravensim: deterministic simulation and verification of RavenDB-style "
               "clusters"};
  app.require_subcommand(1);
  std::function<int()> action;
  ravensim::tools::AddAllCommands(app, &action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // Prints help or the usage error.
    return code == 0 ? 0 : 2;
  }
  if (!action) {
    std::cerr << "ravensim: no command given (see --help)\n";
    return 2;
  }
  return action();
}
