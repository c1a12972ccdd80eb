// AddAllCommands: every ravensim subcommand registers here (tools/commands.h).
#include "tools/commands.h"

#include "tools/check_command.h"

namespace ravensim::tools {

void AddAllCommands(CLI::App& app, Action* action) {
  AddCheckCommand(app, action);
}

}  // namespace ravensim::tools
