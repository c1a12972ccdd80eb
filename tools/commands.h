// Registration of the ravensim subcommands. Each Add*Command adds one subcommand to
// `app`; when that subcommand is chosen on the command line, parsing stores in *action
// the function that runs it and returns its exit code.
#ifndef RAVENSIM_TOOLS_COMMANDS_H_
#define RAVENSIM_TOOLS_COMMANDS_H_

#include <functional>

#include "CLI/CLI.hpp"

namespace ravensim::tools {

using Action = std::function<int()>;

// Adds every subcommand (defined in commands.cc).
void AddAllCommands(CLI::App& app, Action* action);

}  // namespace ravensim::tools

#endif  // RAVENSIM_TOOLS_COMMANDS_H_
