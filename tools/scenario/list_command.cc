// ravensim list [DIR]: the scenario library, one line each: name and what it shows.
#include <iostream>
#include <memory>

#include "tools/scenario/command_util.h"
#include "tools/scenario/scenario_commands.h"
#include "tools/scenario/scenario_loader.h"

namespace ravensim::tools {
namespace {

int ListMain(const std::string& dir_flag) {
  const std::string dir = LibraryDir(dir_flag);
  auto files = ListScenarioFiles(dir);
  if (!files.ok()) {
    std::cerr << files.status().message() << "\n";
    return kExitBadInput;
  }
  std::vector<scenarios::Scenario> scenarios;
  bool bad = false;
  size_t width = 0;
  for (const std::string& file : *files) {
    auto s = LoadScenarioFile(file);
    if (!s.ok()) {
      std::cerr << s.status().message() << "\n";
      bad = true;
      continue;
    }
    width = std::max(width, s->name().size());
    scenarios.push_back(*std::move(s));
  }
  for (const scenarios::Scenario& s : scenarios) {
    std::cout << s.name() << std::string(width - s.name().size() + 2, ' ') << s.description()
              << "\n";
  }
  return bad ? kExitBadInput : kExitOk;
}

}  // namespace

void AddListCommand(CLI::App& app, CommandAction* action) {
  auto dir = std::make_shared<std::string>();
  CLI::App* list = app.add_subcommand(
      "list", "List the scenario library: one line per scenario, its name and what it "
              "demonstrates.");
  list->add_option("dir", *dir, "Scenario directory (default: scenarios/cluster)");
  list->callback([dir, action]() { *action = [dir]() { return ListMain(*dir); }; });
}

void AddScenarioCommands(CLI::App& app, CommandAction* action) {
  AddRunCommand(app, action);
  AddSweepCommand(app, action);
  AddReplayCommand(app, action);
  AddShrinkCommand(app, action);
  AddListCommand(app, action);
  AddSuiteCommand(app, action);
}

}  // namespace ravensim::tools
