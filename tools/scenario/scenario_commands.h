// The scenario subcommands of ravensim. Each Add*Command adds one subcommand to `app`;
// when it is chosen, parsing stores in *action the function that runs it and returns
// its exit code (the protocol of tools/commands.h). One file per command.
#ifndef RAVENSIM_TOOLS_SCENARIO_SCENARIO_COMMANDS_H_
#define RAVENSIM_TOOLS_SCENARIO_SCENARIO_COMMANDS_H_

#include <functional>

#include "CLI/CLI.hpp"

namespace ravensim::tools {

using CommandAction = std::function<int()>;

void AddRunCommand(CLI::App& app, CommandAction* action);
void AddSweepCommand(CLI::App& app, CommandAction* action);
void AddReplayCommand(CLI::App& app, CommandAction* action);
void AddShrinkCommand(CLI::App& app, CommandAction* action);
void AddListCommand(CLI::App& app, CommandAction* action);
void AddSuiteCommand(CLI::App& app, CommandAction* action);

// All of the above.
void AddScenarioCommands(CLI::App& app, CommandAction* action);

}  // namespace ravensim::tools

#endif  // RAVENSIM_TOOLS_SCENARIO_SCENARIO_COMMANDS_H_
