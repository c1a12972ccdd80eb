#include "tools/scenario/scenario_loader.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace ravensim::tools {
namespace {

constexpr char kValid[] = R"pb(
  description: "a test"
  cluster { nodes: 5 watchers: "E" timing { election_timeout: "300ms" } }
  workload { clients: 2 register { keys: 1 } }
  timeline { at: "2s" partition { isolate_leader: true } duration: "3s" }
  timeline { on { becomes_leader: "B" } crash { node: "B" } duration: "1s" }
  run { duration: "10s" heal_and_quiesce { enabled: true } }
  checks {
    raft_invariants: true
    linearizability: true
    liveness { name: "leader_after_heal" leader_within { after: HEAL within: "5s" } }
  }
  expect { violated: "leader_after_heal" }
)pb";

std::string ErrorOf(std::string_view text) {
  auto parsed = ParseScenario(text, "dir/test.textproto");
  EXPECT_FALSE(parsed.ok());
  return std::string(parsed.status().message());
}

TEST(ScenarioLoaderTest, ParsesValidScenarioAndDefaultsName) {
  auto parsed = ParseScenario(kValid, "dir/my_scenario.textproto");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->name(), "my_scenario");
  EXPECT_EQ(parsed->cluster().nodes(), 5);
  EXPECT_EQ(EnabledCheckNames(*parsed),
            (std::vector<std::string>{"raft_invariants", "linearizability",
                                      "leader_after_heal"}));
}

TEST(ScenarioLoaderTest, SyntaxErrorNamesLineColumnAndField) {
  const std::string error = ErrorOf("cluster {\n  nodez: 3\n}\nrun { duration: \"1s\" }\n");
  EXPECT_NE(error.find("dir/test.textproto:2:8: field 'nodez':"), std::string::npos) << error;
}

TEST(ScenarioLoaderTest, TypeErrorHasLocation) {
  const std::string error = ErrorOf("cluster { nodes: \"three\" }\n");
  EXPECT_NE(error.find("dir/test.textproto:1:"), std::string::npos) << error;
  EXPECT_NE(error.find("nodes"), std::string::npos) << error;
}

TEST(ScenarioLoaderTest, UnknownNodeNamesFieldPathAndLine) {
  const std::string error = ErrorOf(
      "cluster { nodes: 5 }\n"
      "run { duration: \"10s\" }\n"
      "timeline { at: \"1s\" crash { node: \"A\" } }\n"
      "timeline {\n"
      "  at: \"2s\"\n"
      "  crash { node: \"I\" }\n"
      "}\n");
  EXPECT_NE(error.find("dir/test.textproto:6:11: field 'timeline[1].crash.node': node \"I\" "
                       "is not in the cluster (A..E)"),
            std::string::npos)
      << error;
}

TEST(ScenarioLoaderTest, BadDurationNamesField) {
  const std::string error = ErrorOf(
      "cluster { nodes: 3 timing { election_timeout: \"300\" } }\n"
      "run { duration: \"10s\" }\n");
  EXPECT_NE(error.find(":1:29: field 'cluster.timing.election_timeout': missing unit"),
            std::string::npos)
      << error;
}

TEST(ScenarioLoaderTest, MissingRequiredFieldPointsAtParent) {
  const std::string error = ErrorOf("cluster { nodes: 3 }\nrun { }\n");
  EXPECT_NE(error.find(":2:1: field 'run.duration': is required"), std::string::npos)
      << error;
}

TEST(ScenarioLoaderTest, ReportsEveryErrorOnItsOwnLine) {
  const std::string error = ErrorOf(
      "cluster { nodes: 3 watchers: \"A\" watchers: \"B\" watchers: \"C\" }\n"
      "run { duration: \"1s\" }\n"
      "timeline { at: \"1s\" on { leader_changes: true } heal {} }\n"
      "timeline { at: \"1s\" }\n"
      "checks { liveness { name: \"x\" } }\n"
      "expect { violated: \"linearizability\" }\n");
  EXPECT_NE(error.find("at least one node must be a voting member"), std::string::npos);
  EXPECT_NE(error.find("field 'timeline[0]': set exactly one of 'at'"), std::string::npos);
  EXPECT_NE(error.find("field 'timeline[1]': set exactly one fault"), std::string::npos);
  EXPECT_NE(error.find("field 'checks.liveness[0]': set exactly one of leader_within"),
            std::string::npos);
  EXPECT_NE(error.find("field 'expect.violated[0]': \"linearizability\" is not a check"),
            std::string::npos);
  EXPECT_GE(std::count(error.begin(), error.end(), '\n'), 4) << error;
}

TEST(ScenarioLoaderTest, RejectsLayersNotModelledYet) {
  const std::string error = ErrorOf(
      "cluster { nodes: 3 }\nrun { duration: \"1s\" }\n"
      "databases { name: \"db\" replication_factor: 3 }\n");
  EXPECT_NE(error.find(":3:1: field 'databases[0]': the database layer is not modelled"),
            std::string::npos)
      << error;
}

TEST(ScenarioLoaderTest, PartitionRules) {
  const std::string error = ErrorOf(
      "cluster { nodes: 3 }\nrun { duration: \"1s\" }\n"
      "timeline { at: \"1s\" partition { group { nodes: [\"A\", \"B\"] } group { nodes: "
      "\"B\" } } }\n"
      "timeline { at: \"1s\" partition { bridge: true order: [\"A\", \"A\"] } }\n");
  EXPECT_NE(error.find("field 'timeline[0].partition.group[1].nodes[0]': node \"B\" is in "
                       "two groups"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("field 'timeline[1].partition.order[1]': node \"A\" is listed twice"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("field 'timeline[1].partition.order': must list every node once"),
            std::string::npos)
      << error;
}

// Every int64 drift outside (-500000, 500000) is refused, INT64_MIN included (whose
// absolute value does not exist), so sim::Clock never sees one.
TEST(ScenarioLoaderTest, ClockDriftBounds) {
  const std::string error = ErrorOf(
      "cluster { nodes: 3\n"
      "  clocks { node: \"A\" drift_ppm: -9223372036854775808 }\n"
      "  clocks { node: \"B\" drift_ppm: 500000 }\n"
      "  clocks { node: \"C\" drift_ppm: -499999 }\n"
      "}\n"
      "run { duration: \"1s\" }\n"
      "timeline { at: \"1s\" clock_drift { node: \"C\" drift_ppm: -9223372036854775808 } }\n"
      "timeline { at: \"1s\" clock_drift { node: \"C\" drift_ppm: -500000 } }\n"
      "timeline { at: \"1s\" clock_drift { node: \"C\" drift_ppm: 499999 } }\n");
  for (const char* field : {"cluster.clocks[0].drift_ppm", "cluster.clocks[1].drift_ppm",
                            "timeline[0].clock_drift.drift_ppm",
                            "timeline[1].clock_drift.drift_ppm"}) {
    EXPECT_NE(error.find(absl::StrCat("field '", field,
                                      "': must be within (-500000, 500000)")),
              std::string::npos)
        << field << "\n" << error;
  }
  EXPECT_EQ(error.find("clocks[2]"), std::string::npos) << error;
  EXPECT_EQ(error.find("timeline[2]"), std::string::npos) << error;
}

// Durations are bounded (±1000h), so times and lengths added up in the runner never
// leave the 64-bit clock: a slow disk of 2562047h once wrapped a completion time.
TEST(ScenarioLoaderTest, DurationBounds) {
  const std::string error = ErrorOf(
      "cluster { nodes: 3 clocks { node: \"A\" offset: \"-1000h\" } }\n"
      "run { duration: \"1000h\" }\n"
      "timeline { at: \"1s\" disk { node { node: \"B\" } slow_io: \"1/2\" "
      "slow_io_latency: \"2562047h\" } }\n"
      "timeline { at: \"1s\" clock_jump { node: \"A\" delta: \"-3600000.000000001s\" } }\n"
      "timeline { at: \"1000h\" clock_jump { node: \"A\" delta: \"-1000h\" } }\n");
  EXPECT_NE(error.find("field 'timeline[0].disk.slow_io_latency': must be within ±1000h, got "
                       "\"2562047h\""),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("field 'timeline[1].clock_jump.delta': must be within ±1000h"),
            std::string::npos)
      << error;
  EXPECT_EQ(error.find("timeline[2]"), std::string::npos) << error;
  EXPECT_EQ(error.find("cluster.clocks"), std::string::npos) << error;
  EXPECT_EQ(error.find("run.duration"), std::string::npos) << error;
}

TEST(ScenarioLoaderTest, DiskFaultRules) {
  const std::string error = ErrorOf(
      "cluster { nodes: 3 }\nrun { duration: \"1s\" }\n"
      "timeline { at: \"1s\" disk { node { node: \"B\" } fsync_error: \"1/3\" } }\n"
      "timeline { at: \"1s\" disk { node { leader: true }\n"
      "  write_error: \"0.1\"\n"
      "  torn_write: \"2/1\" } }\n"
      "timeline { at: \"1s\" disk { node { node: \"D\" } slow_io_latency: \"5ms\" } }\n"
      "timeline { at: \"1s\" disk { node { follower: true } write_error: \"0/1\" } "
      "duration: \"2s\" }\n"
      "timeline { at: \"1s\" disk { node { node: \"A\" } disk_full: true } heal {} }\n");
  // timeline[0] is valid: no error names it.
  EXPECT_EQ(error.find("timeline[0]"), std::string::npos) << error;
  EXPECT_NE(error.find(":5:3: field 'timeline[1].disk.write_error': '0.1' is not a "
                       "fraction N/D"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find(":6:3: field 'timeline[1].disk.torn_write': '2/1' is above 1"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("field 'timeline[2].disk.node.node': node \"D\" is not in the "
                       "cluster (A..C)"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("field 'timeline[2].disk.slow_io_latency': needs slow_io"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("field 'timeline[2].disk': set at least one fault"), std::string::npos)
      << error;
  EXPECT_NE(error.find("field 'timeline[3].disk': set at least one fault"), std::string::npos)
      << error;
  EXPECT_NE(error.find("field 'timeline[4]': set exactly one fault (partition, crash, "
                       "restart, pause, resume, wipe, clock_jump, clock_drift, clog, heal, "
                       "disk, membership, step_down); found 2"),
            std::string::npos)
      << error;
}

TEST(ScenarioLoaderTest, MembershipAndPassiveRules) {
  const std::string error = ErrorOf(
      "cluster { nodes: 4 watchers: \"D\" passive: [\"C\", \"D\", \"C\", \"G\"] }\n"
      "run { duration: \"1s\" }\n"
      "timeline { at: \"1s\" membership { node { node: \"C\" } kind: PROMOTABLE } }\n"
      "timeline { at: \"1s\" membership { node { leader: true } kind: REMOVE } }\n"
      "timeline { at: \"1s\" membership { node { follower: true } } duration: \"1s\" }\n"
      "timeline { at: \"1s\" membership { node { node: \"Q\" } kind: 9 } }\n");
  // timeline[0] is valid: no error names it.
  EXPECT_EQ(error.find("timeline[0]"), std::string::npos) << error;
  EXPECT_NE(error.find("test.textproto:1:1: field 'cluster.passive[1]': node \"D\" is a watcher"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("field 'cluster.passive[2]': node \"C\" is listed twice"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("field 'cluster.passive[3]': node \"G\" is not in the cluster (A..D)"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("field 'timeline[1].membership.node.leader': the leader makes the "
                       "change and cannot modify itself"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("field 'timeline[2].membership.kind': is required: MEMBER, PROMOTABLE, "
                       "WATCHER or REMOVE"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("field 'timeline[2].duration': this fault is instantaneous"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("field 'timeline[3].membership.node.node': node \"Q\" is not in the "
                       "cluster"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("field 'timeline[3].membership.kind': unknown kind 9"),
            std::string::npos)
      << error;
  // Every node a watcher or passive: nobody votes.
  const std::string no_voter = ErrorOf(
      "cluster { nodes: 2 watchers: \"A\" passive: \"B\" }\nrun { duration: \"1s\" }\n");
  EXPECT_NE(no_voter.find("field 'cluster.watchers': at least one node must be a voting "
                          "member"),
            std::string::npos)
      << no_voter;
}

TEST(ScenarioLoaderTest, WatcherCannotBeLeaderTrigger) {
  const std::string error = ErrorOf(
      "cluster { nodes: 3 watchers: \"C\" }\nrun { duration: \"1s\" }\n"
      "timeline { on { becomes_leader: \"C\" } crash { leader: true } }\n");
  EXPECT_NE(error.find("field 'timeline[0].on.becomes_leader': node \"C\" is a watcher"),
            std::string::npos)
      << error;
}

TEST(ScenarioLoaderTest, MissingFileIsNotFound) {
  auto loaded = LoadScenarioFile("/nonexistent/x.textproto");
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(loaded.status().message(),
            "/nonexistent/x.textproto: cannot open scenario file: No such file or directory");
}

// A directory opens and reads as nothing: it is named as a directory, not validated as
// an empty scenario.
TEST(ScenarioLoaderTest, DirectoryIsNotAScenario) {
  const std::string dir = ::testing::TempDir();
  auto loaded = LoadScenarioFile(dir);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(loaded.status().message().find("is a directory, not a scenario file"),
            std::string::npos)
      << loaded.status();
}

TEST(ScenarioLoaderTest, TextRoundTrip) {
  auto parsed = ParseScenario(kValid, "a.textproto");
  ASSERT_TRUE(parsed.ok());
  const std::string text = ScenarioToText(*parsed, "shrunk\nfrom seed 7");
  EXPECT_EQ(text.rfind("# shrunk\n# from seed 7\n", 0), 0u);
  auto again = ParseScenario(text, "b.textproto");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->SerializeAsString(), parsed->SerializeAsString());
}

TEST(ScenarioLoaderTest, NodeTags) {
  EXPECT_EQ(NodeTag(0), "A");
  EXPECT_EQ(NodeTag(4), "E");
  EXPECT_EQ(NodeIndex("C", 5), 2);
  EXPECT_FALSE(NodeIndex("F", 5).has_value());
  EXPECT_FALSE(NodeIndex("AB", 5).has_value());
}

}  // namespace
}  // namespace ravensim::tools
