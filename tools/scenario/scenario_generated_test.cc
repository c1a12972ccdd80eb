// Generated scenarios: valid timelines no library file spells out. Two to seven nodes
// (some passive until a membership event adds them, or a watcher), election timeouts
// from 100 ms to 1 s, clocks with offsets and drift, link delays, one to six register
// clients with timeouts, and one to twelve events: every partition shape, crashes with
// and without a duration, restarts, pauses, resumes, clock jumps and drift, clogs,
// heals, disk faults that keep synced data, membership changes and step-downs, each at
// a time or on a trigger (a node becoming leader, the k-th leader change, the N-th
// completed operation, with a delay). Every run must keep the Raft invariants, be
// linearizable, and have a leader within ten election timeouts (plus 2 s) of the heal.
// Cases are drawn from fixed seeds, so a failure reproduces; its text is printed.
// GENERATED_SCENARIO_CASES=N runs N cases instead of 240, from case
// GENERATED_SCENARIO_FIRST (default 0), for longer hunts outside CI; CI's 240 are
// cases 0-239 either way.
//
// The same kind of generator, run over thousands of cases outside CI, found a follower
// that ignored a leader outside its topology, a Passive node's term hiding the leader,
// a triggered disk fault firing in the quiesce, replies dropped in a reconnect backoff
// while their requester was reachable, and a linearizability search that forty
// timed-out writes exhausted; each was about one case in a thousand, so these 240 cases
// guard the broad mix rather than those cases (each has its own test). Longer hunts also
// meet RavenDB's own hazard of removals that never commit (docs/RACHIS.md,
// "Membership"): case 172752 ends with no leader for good, as RavenDB would (the library
// scenario deposed_leader_removal_no_leader is it, shrunk). A run whose report finds that
// no election can ever succeed (RunReport::election_deadlock) may miss its
// leader_after_heal bound; every other check must hold.
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "sim/prng.h"
#include "sim/test_env.h"
#include "tools/scenario/runner.h"
#include "tools/scenario/scenario_loader.h"

namespace ravensim::tools {
namespace {

constexpr int kDefaultCases = 240;

int CaseCount() { return sim::EnvInt("GENERATED_SCENARIO_CASES", kDefaultCases, 1); }
int FirstCase() { return sim::EnvInt("GENERATED_SCENARIO_FIRST", 0, 0); }

class Generator {
 public:
  explicit Generator(uint64_t seed) : prng_(seed) {}

  std::string Scenario() {
    nodes_ = Between(2, 7);
    const int64_t timeout_ms = Pick({100, 150, 300, 300, 300, 600, 1000});
    std::string s = absl::StrCat("name: \"generated\"\ncluster {\n  nodes: ", nodes_,
                                 "\n  timing { election_timeout: \"", timeout_ms, "ms\" }\n");
    watcher_ = passive_ = -1;
    if (nodes_ >= 4 && Chance(3, 10)) {
      passive_ = nodes_ - 1;
      absl::StrAppend(&s, "  passive: \"", Tag(passive_), "\"\n");
    } else if (nodes_ >= 4 && Chance(2, 10)) {
      watcher_ = nodes_ - 1;
      absl::StrAppend(&s, "  watchers: \"", Tag(watcher_), "\"\n");
    }
    for (int n = 0; n < nodes_; ++n) {
      if (!Chance(2, 10)) continue;
      absl::StrAppend(&s, "  clocks { node: \"", Tag(n), "\" offset: \"", Between(-5000, 5000),
                      "ms\" drift_ppm: ", Between(-2000, 2000), " }\n");
    }
    s += "}\n";
    if (Chance(1, 2)) {
      const int64_t min = Between(0, 3), median = min + Between(0, 10);
      absl::StrAppend(&s, "network { one_way_delay_min: \"", min,
                      "ms\" one_way_delay_median: \"", median, "ms\" one_way_delay_max: \"",
                      median + Between(0, 40), "ms\" }\n");
    }
    absl::StrAppend(&s, "workload { clients: ", Between(1, 6), " register { keys: ",
                    Between(1, 4), " read_weight: ", Between(0, 3), " write_weight: ",
                    Between(1, 3), " cas_weight: ", Between(0, 3), " think_time: \"",
                    Between(1, 40), "ms\" client_timeout: \"", Pick({1, 2, 5, 15}),
                    "s\" } }\n");
    const int64_t events = Between(1, 12);
    for (int64_t e = 0; e < events; ++e) s += Event();
    const int64_t quiesce_s = std::max<int64_t>(4, timeout_ms * 12 / 1000 + 3);
    const int64_t within_s = std::max<int64_t>(3, timeout_ms * 10 / 1000 + 2);
    absl::StrAppend(&s, "run { duration: \"", Between(5, 14),
                    "s\" heal_and_quiesce { enabled: true quiesce: \"", quiesce_s, "s\" } }\n",
                    "checks {\n  raft_invariants: true\n  linearizability: true\n",
                    "  liveness { name: \"leader_after_heal\" leader_within { after: HEAL "
                    "within: \"",
                    within_s, "s\" } }\n}\n");
    return s;
  }

  uint64_t RunSeed() { return 1 + prng_.UniformBelow(1000); }

 private:
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(prng_.UniformBelow(static_cast<uint64_t>(hi - lo + 1)));
  }
  bool Chance(uint64_t in, uint64_t of) { return prng_.UniformBelow(of) < in; }
  int64_t Pick(std::initializer_list<int64_t> values) {
    return values.begin()[prng_.UniformBelow(values.size())];
  }
  static std::string Tag(int64_t n) { return std::string(1, static_cast<char>('A' + n)); }
  std::string AnyNode() { return Tag(Between(0, nodes_ - 1)); }

  // `node: "X"`, `follower: true` or (when allowed) `leader: true`.
  std::string NodeRef(bool leader_allowed) {
    switch (Between(0, leader_allowed ? 2 : 1)) {
      case 0:
        return absl::StrCat("node: \"", AnyNode(), "\"");
      case 1:
        return "follower: true";
      default:
        return "leader: true";
    }
  }

  // `at: ...` or a trigger; a watcher never leads, so it is never a becomes_leader.
  std::string When() {
    switch (Between(0, 5)) {
      case 0:
      case 1:
        return absl::StrCat("at: \"", Between(0, 9000), "ms\"");
      case 2: {
        int64_t n = Between(0, nodes_ - 1);
        if (n == watcher_) n = 0;
        return absl::StrCat("on { becomes_leader: \"", Tag(n), "\" delay: \"", Between(0, 500),
                            "ms\" occurrence: ", Between(1, 3), " }");
      }
      case 3:
        return absl::StrCat("on { leader_changes: true occurrence: ", Between(1, 4),
                            " delay: \"", Between(0, 300), "ms\" }");
      default:
        return absl::StrCat("on { after_operations: ", Between(1, 400), " delay: \"",
                            Between(0, 200), "ms\" }");
    }
  }

  std::string Partition() {
    switch (Between(0, 6)) {
      case 0:
        return "isolate_leader: true";
      case 1:
        return "majority_minority: true";
      case 2:
        return "majority_minority: true leader_in_minority: true";
      case 3:
        return absl::StrCat("isolate: \"", AnyNode(), "\"");
      case 4:
        return nodes_ >= 3 ? "majorities_ring: true" : "isolate_leader: true";
      case 5:
        return nodes_ >= 3 ? "bridge: true" : "isolate_leader: true";
      default: {
        const int64_t from = Between(0, nodes_ - 1);
        const int64_t to = (from + Between(1, nodes_ - 1)) % nodes_;
        return absl::StrCat("one_way { from: \"", Tag(from), "\" to: \"", Tag(to), "\" }");
      }
    }
  }

  std::string Disk() {
    std::string faults;
    if (Chance(1, 2)) absl::StrAppend(&faults, " write_error: \"1/", Between(1, 10), "\"");
    if (Chance(1, 2)) absl::StrAppend(&faults, " fsync_error: \"1/", Between(1, 10), "\"");
    if (Chance(3, 10)) absl::StrAppend(&faults, " torn_write: \"1/", Between(1, 2), "\"");
    if (Chance(3, 10)) {
      absl::StrAppend(&faults, " slow_io: \"1/", Between(1, 3), "\" slow_io_latency: \"",
                      Between(1, 300), "ms\"");
    }
    if (faults.empty() || Chance(2, 10)) faults += " disk_full: true";
    return absl::StrCat("disk { node { ", NodeRef(true), " }", faults, " }");
  }

  std::string Membership() {
    static const char* const kKinds[] = {"MEMBER", "PROMOTABLE", "WATCHER", "REMOVE", "MEMBER"};
    const std::string node = passive_ >= 0 && Chance(6, 10)
                                 ? absl::StrCat("node: \"", Tag(passive_), "\"")
                                 : NodeRef(/*leader_allowed=*/false);
    return absl::StrCat("membership { node { ", node, " } kind: ",
                        kKinds[prng_.UniformBelow(5)], " }");
  }

  std::string Event() {
    const std::string when = When();
    const std::string duration = absl::StrCat(" duration: \"", Between(50, 5000), "ms\"");
    std::string what;
    switch (Between(0, 13)) {
      case 0:
        what = absl::StrCat("partition { ", Partition(), " }", duration);
        break;
      case 1:
        what = absl::StrCat("crash { ", NodeRef(true), " }", duration);
        break;
      case 2:
        what = absl::StrCat("crash { ", NodeRef(true), " }");  // until the heal
        break;
      case 3:
        what = absl::StrCat("restart { node: \"", AnyNode(), "\" }");
        break;
      case 4:
        what = absl::StrCat("pause { ", NodeRef(true), " }", duration);
        break;
      case 5:
        what = absl::StrCat("clock_jump { node: \"", AnyNode(), "\" delta: \"",
                            Between(-20000, 20000), "ms\" }");
        break;
      case 6:
        what = absl::StrCat("clock_drift { node: \"", AnyNode(),
                            "\" drift_ppm: ", Between(-5000, 5000), " }", duration);
        break;
      case 7: {
        const int64_t a = Between(0, nodes_ - 1);
        const int64_t b = (a + Between(1, nodes_ - 1)) % nodes_;
        what = absl::StrCat("clog { a: \"", Tag(a), "\" b: \"", Tag(b), "\" extra_delay: \"",
                            Between(1, 3000), "ms\" }", duration);
        break;
      }
      case 8:
        what = "heal {}";
        break;
      case 9:
        what = absl::StrCat(Disk(), duration);
        break;
      case 10:
      case 11:
        what = Membership();
        break;
      case 12:
        what = "step_down {}";
        break;
      default:
        what = absl::StrCat("resume { node: \"", AnyNode(), "\" }");
        break;
    }
    return absl::StrCat("timeline { ", when, " ", what, " }\n");
  }

  sim::Prng prng_;
  int64_t nodes_ = 3;
  int64_t watcher_ = -1;
  int64_t passive_ = -1;
};

// One case per test, so that Bazel's shards (gtest's sharding) split them.
class ScenarioGeneratedTest : public ::testing::TestWithParam<int> {};

TEST_P(ScenarioGeneratedTest, KeepsEveryCheck) {
  Generator generator(0x9e4e0000ULL + static_cast<uint64_t>(GetParam()));
  const std::string text = generator.Scenario();
  const std::string name = absl::StrCat("generated", GetParam(), ".textproto");
  absl::StatusOr<scenarios::Scenario> scenario = ParseScenario(text, name);
  ASSERT_TRUE(scenario.ok()) << scenario.status() << "\n" << text;
  RunOptions options;
  options.seed = generator.RunSeed();
  options.checker_threads = 1;
  const RunReport report = RunScenario(*scenario, options);
  const std::string context = absl::StrCat("case ", GetParam(), ", seed ", options.seed, ":\n",
                                           text);
  ASSERT_TRUE(report.status.ok()) << report.status << "\n" << context;
  ASSERT_EQ(report.checks.size(), 3u) << context;
  for (const CheckReport& check : report.checks) {
    // RavenDB's hazard of removals that never commit, as the runner diagnoses it: no
    // leader for good, faithfully (election_deadlock.h). The other checks still hold.
    if (check.name == "leader_after_heal" && check.verdict == Verdict::kViolated &&
        !report.election_deadlock.empty()) {
      continue;
    }
    EXPECT_EQ(check.verdict, Verdict::kHeld)
        << check.name << ": " << check.detail << "\n" << context;
  }
}

INSTANTIATE_TEST_SUITE_P(Generated, ScenarioGeneratedTest,
                         ::testing::Range(FirstCase(), FirstCase() + CaseCount()));

}  // namespace
}  // namespace ravensim::tools
