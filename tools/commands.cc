// AddAllCommands: every ravensim subcommand registers here (tools/commands.h).
#include "tools/commands.h"

#include "tools/check_command.h"
#include "tools/scenario/scenario_commands.h"

namespace ravensim::tools {

void AddAllCommands(CLI::App& app, Action* action) {
  AddCheckCommand(app, action);
  // run, sweep, replay, shrink, list, suite (tools/scenario).
  AddScenarioCommands(app, action);
}

}  // namespace ravensim::tools
