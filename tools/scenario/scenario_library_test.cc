// The scenario library as a regression test: every file of scenarios/cluster loads, and
// at each of its fixed seeds every check has the verdict the file expects.
#include <iostream>

#include "gtest/gtest.h"
#include "tools/scenario/suite.h"

namespace ravensim::tools {
namespace {

TEST(ScenarioLibraryTest, EveryScenarioMeetsItsExpectations) {
  auto scenarios = LoadSuite("scenarios/cluster");
  ASSERT_TRUE(scenarios.ok()) << scenarios.status();
  EXPECT_GE(scenarios->size(), 10u);
  for (const LoadedScenario& s : *scenarios) {
    EXPECT_FALSE(s.scenario.description().empty()) << s.file << " says what it shows";
    EXPECT_GT(s.scenario.source_size(), 0) << s.file << " cites its source";
    EXPECT_GT(s.scenario.seeds_size(), 0) << s.file << " has fixed seeds";
  }
  const std::vector<SuiteRow> rows = RunSuite(*scenarios, 2);
  PrintSuiteTable(rows, std::cout);
  for (const SuiteRow& row : rows) {
    EXPECT_TRUE(row.passed) << row.scenario << " seed " << row.seed << ": " << row.signature
                            << " " << row.error;
  }
}

}  // namespace
}  // namespace ravensim::tools
