// Semantic validation of a parsed scenario (the rules scenario.proto states in its
// comments). Internal to the scenario loader; use scenario_loader.h.
#ifndef RAVENSIM_TOOLS_SCENARIO_SCENARIO_VALIDATE_H_
#define RAVENSIM_TOOLS_SCENARIO_SCENARIO_VALIDATE_H_

#include <string>
#include <vector>

#include "google/protobuf/text_format.h"
#include "scenarios/scenario.pb.h"
#include "tools/scenario/scenario_loader.h"

namespace ravensim::tools {

// Every rule violation found, with the field path and, when `tree` (the parser's
// location record, may be null) knows it, the line and column of the offending field.
std::vector<ScenarioError> ValidateScenarioWithLocations(
    const scenarios::Scenario& scenario, const std::string& file,
    const google::protobuf::TextFormat::ParseInfoTree* tree);

}  // namespace ravensim::tools

#endif  // RAVENSIM_TOOLS_SCENARIO_SCENARIO_VALIDATE_H_
