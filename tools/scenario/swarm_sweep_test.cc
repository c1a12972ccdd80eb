// A sharded sweep of the swarm scenario: Bazel runs the shards in parallel (shard_count
// in BUILD), each takes the seeds `--shard i/N` would give it, and together they cover
// the whole range once (docs/SCALE_OUT.md).
#include <cstdlib>
#include <fstream>

#include "absl/strings/numbers.h"
#include "gtest/gtest.h"
#include "tools/scenario/runner.h"
#include "tools/scenario/scenario_loader.h"
#include "tools/scenario/sweep.h"

namespace ravensim::tools {
namespace {

constexpr SeedRange kSeeds{1000, 1015};

Shard ShardFromEnvironment() {
  Shard shard;
  const char* total = std::getenv("TEST_TOTAL_SHARDS");
  const char* index = std::getenv("TEST_SHARD_INDEX");
  if (total != nullptr && index != nullptr) {
    EXPECT_TRUE(absl::SimpleAtoi(total, &shard.count));
    EXPECT_TRUE(absl::SimpleAtoi(index, &shard.index));
  }
  // Tell Bazel this test shards (it checks for the file).
  if (const char* status = std::getenv("TEST_SHARD_STATUS_FILE")) std::ofstream{status};
  return shard;
}

TEST(SwarmSweepTest, ShardOfTheSwarmSweepPasses) {
  auto scenario = LoadScenarioFile("scenarios/cluster/swarm.textproto");
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  SweepOptions options;
  options.seeds = SeedsForShard(kSeeds, ShardFromEnvironment());
  options.jobs = 1;
  const scenarios::Scenario& s = *scenario;
  auto summary = RunSweep(options, [&s](uint64_t seed) {
    RunOptions run;
    run.seed = seed;
    run.checker_threads = 1;
    return ToSeedResult(RunScenario(s, run),
                        "ravensim run scenarios/cluster/swarm.textproto --seed " +
                            std::to_string(seed));
  });
  ASSERT_TRUE(summary.ok());
  std::ostringstream text;
  PrintSweepSummary(*summary, static_cast<int64_t>(options.seeds.size()), text);
  for (const SeedResult& r : summary->results) {
    EXPECT_TRUE(r.passed()) << text.str();
  }
}

}  // namespace
}  // namespace ravensim::tools
