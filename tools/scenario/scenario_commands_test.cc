// The scenario subcommands end to end, in process: output shape, files, exit codes.
#include "tools/scenario/scenario_commands.h"

#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "checkers/history/history.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tools/scenario/scenario_loader.h"

namespace ravensim::tools {
namespace {

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

Outcome Invoke(std::vector<std::string> args) {
  args.insert(args.begin(), "ravensim");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  std::ostringstream out, err;
  std::streambuf* old_out = std::cout.rdbuf(out.rdbuf());
  std::streambuf* old_err = std::cerr.rdbuf(err.rdbuf());
  Outcome outcome;
  CLI::App app{"ravensim"};
  app.require_subcommand(1);
  CommandAction action;
  AddScenarioCommands(app, &action);
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
    outcome.exit_code = action ? action() : 2;
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);
    outcome.exit_code = code == 0 ? 0 : 2;
  }
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  outcome.out = out.str();
  outcome.err = err.str();
  return outcome;
}

std::string TempPath(const std::string& name) {
  const char* base = getenv("TEST_TMPDIR");
  return absl::StrCat(base == nullptr ? "/tmp" : base, "/", name);
}

std::string WriteFile(const std::string& name, const std::string& text) {
  const std::string path = TempPath(name);
  std::ofstream(path) << text;
  return path;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

constexpr char kSmall[] = R"pb(
  name: "small"
  description: "three nodes, one isolated leader"
  cluster { nodes: 3 }
  workload { clients: 2 register { keys: 1 think_time: "30ms" } }
  timeline { at: "1s" partition { isolate_leader: true } duration: "1s" }
  run { duration: "3s" heal_and_quiesce { enabled: true quiesce: "2s" } }
  checks {
    raft_invariants: true
    linearizability: true
    liveness { name: "leader_after_heal" leader_within { after: HEAL within: "2s" } }
  }
)pb";

// Fails on every seed: any leader change after the first election violates the bound.
constexpr char kStrict[] = R"pb(
  name: "strict"
  cluster { nodes: 3 }
  workload { clients: 2 register { keys: 1 think_time: "30ms" } }
  timeline { at: "1s" clock_jump { node: "A" delta: "1s" } }
  timeline { at: "1500ms" partition { isolate_leader: true } duration: "2s" }
  timeline { at: "2s" pause { node: "B" } duration: "300ms" }
  timeline { at: "2500ms" clog { a: "A" b: "C" } duration: "400ms" }
  timeline { at: "4s" crash { leader: true } duration: "1s" }
  run { duration: "6s" }
  checks { liveness { name: "one_leader" leader_stability { from: "1s" max_leader_changes: 0 } } }
)pb";

TEST(ScenarioCommandsTest, RunPrintsSeedFirstAndFingerprintLast) {
  const std::string path = WriteFile("small.textproto", kSmall);
  const Outcome a = Invoke({"run", path, "--seed", "7"});
  ASSERT_EQ(a.exit_code, 0) << a.out << a.err;
  const auto lines = Lines(a.out);
  ASSERT_GE(lines.size(), 5u);
  EXPECT_EQ(lines[0], "seed: 7");
  EXPECT_EQ(lines[1], absl::StrCat("reproduce: ravensim run ", path, " --seed 7"));
  EXPECT_EQ(lines.back().rfind("fingerprint: ", 0), 0u);
  EXPECT_EQ(lines.back().size(), std::string("fingerprint: ").size() + 16);
  EXPECT_NE(a.out.find("operations: "), std::string::npos);
  EXPECT_NE(a.out.find("faults injected: 1"), std::string::npos);
  EXPECT_NE(a.out.find("linearizability"), std::string::npos);
  const Outcome b = Invoke({"run", path, "--seed", "7", "--check-determinism"});
  EXPECT_EQ(b.exit_code, 0);
  EXPECT_NE(b.out.find("determinism: two runs, identical traces"), std::string::npos) << b.out;
  EXPECT_EQ(Lines(b.out).back(), lines.back());  // Same seed, same fingerprint.
  const Outcome c = Invoke({"run", path, "--seed", "8"});
  EXPECT_NE(Lines(c.out).back(), lines.back());
}

// A seed is decimal and fits in 64 bits; CLI11 alone would have run "-1" as 2^64 - 1 and
// any larger number as 2^64 - 1 too.
TEST(ScenarioCommandsTest, SeedOutsideSixtyFourBitsIsBadInput) {
  const std::string path = WriteFile("small_seed.textproto", kSmall);
  for (const char* command : {"run", "replay", "shrink"}) {
    for (const char* seed : {"-1", "18446744073709551616", "0x10", " 5", ""}) {
      const Outcome o = Invoke({command, path, "--seed", seed});
      EXPECT_EQ(o.exit_code, 2) << command << " --seed '" << seed << "'\n" << o.out << o.err;
      EXPECT_NE(o.err.find(absl::StrCat("--seed: expected a seed from 0 to "
                                        "18446744073709551615, got '", seed, "'")),
                std::string::npos)
          << command << " --seed '" << seed << "'\n" << o.err;
      EXPECT_EQ(o.out.find("fingerprint"), std::string::npos) << o.out;
    }
  }
  const Outcome top = Invoke({"run", path, "--seed", "18446744073709551615"});
  EXPECT_EQ(top.exit_code, 0) << top.err;
  EXPECT_EQ(Lines(top.out).at(0), "seed: 18446744073709551615");
}

// A directory is named as one, not validated as an empty scenario.
TEST(ScenarioCommandsTest, DirectoryIsBadInput) {
  const Outcome o = Invoke({"run", TempPath("")});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find("is a directory, not a scenario file"), std::string::npos) << o.err;
  EXPECT_EQ(o.err.find("cluster.nodes"), std::string::npos) << o.err;
}

TEST(ScenarioCommandsTest, RunWritesTraceTimelineAndHistory) {
  const std::string path = WriteFile("small2.textproto", kSmall);
  const std::string trace = TempPath("trace.jsonl");
  const std::string timeline = TempPath("timeline.json");
  const std::string history_path = TempPath("history.jsonl");
  const Outcome o = Invoke({"run", path, "--trace", trace, "--timeline", timeline, "--history",
                            history_path});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  std::ifstream t(trace);
  std::string first;
  ASSERT_TRUE(std::getline(t, first));
  EXPECT_EQ(first.front(), '{');
  std::stringstream json;
  json << std::ifstream(timeline).rdbuf();
  google::protobuf::Struct parsed;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json.str(), &parsed).ok());
  auto h = history::ReadJsonlFile(history_path);
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_GT(h->operations_size(), 10);
}

TEST(ScenarioCommandsTest, BadInputExitsTwoWithLocation) {
  const std::string path = WriteFile("bad.textproto",
                                     "cluster { nodes: 3 }\nrun { duration: \"1s\" }\n"
                                     "timeline { at: \"1s\" crash { node: \"Q\" } }\n");
  const Outcome o = Invoke({"run", path});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find(absl::StrCat(path, ":3:29: field 'timeline[0].crash.node'")),
            std::string::npos)
      << o.err;
  EXPECT_EQ(Invoke({"run"}).exit_code, 2);                                  // Missing arg.
  EXPECT_EQ(Invoke({"run", TempPath("missing.textproto")}).exit_code, 2);   // No file.
  EXPECT_EQ(Invoke({"sweep", path, "--seeds", "9..1"}).exit_code, 2);
  EXPECT_EQ(Invoke({"sweep", path, "--seeds", "1..2", "--shard", "3/3"}).exit_code, 2);
  EXPECT_EQ(Invoke({"replay", path}).exit_code, 2);                         // No --seed.
  EXPECT_EQ(Invoke({"run", "--help"}).exit_code, 0);
}

TEST(ScenarioCommandsTest, UnmetExpectationExitsOne) {
  const std::string path = WriteFile("strict.textproto", kStrict);
  const Outcome o = Invoke({"run", path});
  EXPECT_EQ(o.exit_code, 1) << o.out;
  EXPECT_NE(o.out.find("result: FAIL (one_leader:violated)"), std::string::npos) << o.out;
}

TEST(ScenarioCommandsTest, SweepWritesResultsResumesAndGroupsFailures) {
  const std::string path = WriteFile("strict2.textproto", kStrict);
  const std::string dir = TempPath("sweep_out");
  Outcome o = Invoke({"sweep", path, "--seeds", "1..4", "--jobs", "2", "--out", dir});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_NE(o.out.find("4/4 seeds, 0 passed, 4 failed"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("one_leader:violated: 4 seeds (1, 2, 3, 4)"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find(absl::StrCat("reproduce: ravensim run ", path, " --seed 3")),
            std::string::npos);
  o = Invoke({"sweep", path, "--seeds", "1..6", "--out", dir, "--resume"});
  EXPECT_NE(o.out.find("6/6 seeds, 0 passed, 6 failed (4 from earlier results)"),
            std::string::npos)
      << o.out;
}

TEST(ScenarioCommandsTest, ShrinkWritesASmallerScenarioThatStillFails) {
  const std::string path = WriteFile("strict3.textproto", kStrict);
  const std::string output = TempPath("strict.min.textproto");
  const Outcome o = Invoke({"shrink", path, "--seed", "1", "-o", output});
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("before: 5 fault events"), std::string::npos) << o.out;
  auto shrunk = LoadScenarioFile(output);
  ASSERT_TRUE(shrunk.ok()) << shrunk.status();
  EXPECT_LT(shrunk->timeline_size(), 5);
  EXPECT_LE(shrunk->workload().clients(), 2);
  for (const auto& e : shrunk->timeline()) EXPECT_FALSE(e.has_on());
  const Outcome rerun = Invoke({"run", output, "--seed", "1"});
  EXPECT_EQ(rerun.exit_code, 1);
  EXPECT_NE(rerun.out.find("one_leader:violated"), std::string::npos);
  // A passing seed has nothing to shrink.
  const std::string ok = WriteFile("small3.textproto", kSmall);
  EXPECT_EQ(Invoke({"shrink", ok, "--seed", "1"}).exit_code, 2);
}

TEST(ScenarioCommandsTest, ListAndSuiteOverADirectory) {
  const std::string dir = TempPath("library");
  mkdir(dir.c_str(), 0755);
  WriteFile("library/a_small.textproto", kSmall);
  WriteFile("library/b_strict.textproto", kStrict);
  Outcome o = Invoke({"list", dir});
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_EQ(Lines(o.out).size(), 2u);
  EXPECT_EQ(Lines(o.out)[0].rfind("small   three nodes, one isolated leader", 0), 0u) << o.out;
  o = Invoke({"suite", dir});
  EXPECT_EQ(o.exit_code, 1);  // strict fails its expectation.
  EXPECT_NE(o.out.find("scenario"), std::string::npos);
  EXPECT_NE(o.out.find("wall time"), std::string::npos);
  EXPECT_NE(o.out.find("2 runs, 1 passed, 1 failed"), std::string::npos) << o.out;
  EXPECT_EQ(Invoke({"list", TempPath("no_such_dir")}).exit_code, 2);
}

}  // namespace
}  // namespace ravensim::tools
