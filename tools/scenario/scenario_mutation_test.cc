// Mutated library scenarios, as a user's slips or a careless generator would write them:
// numbers swapped for extremes, strings for odd durations, tags and fractions, lines
// dropped, repeated or cut short, fault events appended (crashes at time zero among
// them). Every mutant either fails validation with a message that names the file, or
// runs (bounded to 40 simulated seconds) without a crash and, unless it wipes a node or
// corrupts synced data, without a Raft safety violation. Cases are drawn from a fixed
// seed, so a failure reproduces; the failing mutant's text is printed.
//
// Mutations like these found an abort on a drift of INT64_MIN, times that wrapped past
// INT64_MAX, and members that came back from a crash before their first fsync as wiped
// nodes (a leader-completeness violation).
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "checkers/history/history.h"
#include "core/base/check.h"
#include "gtest/gtest.h"
#include "sim/prng.h"
#include "tools/scenario/command_util.h"
#include "tools/scenario/runner.h"
#include "tools/scenario/scenario_loader.h"

namespace ravensim::tools {
namespace {

constexpr int kMutants = 300;

const char* const kNumbers[] = {"0",          "1",          "-1",         "2",
                                "26",         "27",         "100",        "2147483647",
                                "-2147483648", "4294967296", "9223372036854775807",
                                "-9223372036854775808",     "18446744073709551615", "0.5"};
const char* const kStrings[] = {"\"\"",      "\"0s\"",    "\"-1s\"",     "\"1ns\"",
                                "\"1000h\"", "\"-1000h\"", "\"2562047h\"", "\"0.5ns\"",
                                "\"1/0\"",   "\"0/1\"",   "\"1/1\"",     "\"A\"",
                                "\"Z\"",     "\"RAFT\"",  "\"nan\"",     "\"18446744073709551615/1\""};
const char* const kEvents[] = {
    "timeline { at: \"0s\" crash { node: \"B\" } duration: \"2s\" }",
    "timeline { at: \"0s\" crash { leader: true } duration: \"1s\" }",
    "timeline { at: \"1ns\" pause { follower: true } duration: \"3s\" }",
    "timeline { at: \"2s\" clock_jump { node: \"A\" delta: \"-1000h\" } }",
    "timeline { at: \"2s\" clock_drift { node: \"C\" drift_ppm: -499999 } }",
    "timeline { at: \"1s\" disk { node { leader: true } fsync_error: \"1/1\" } duration: "
    "\"5s\" }",
    "timeline { at: \"1s\" disk { node { follower: true } disk_full: true torn_write: \"1/1\" "
    "} duration: \"5s\" }",
    "timeline { at: \"3s\" step_down {} }",
    "timeline { at: \"3s\" membership { node { follower: true } kind: REMOVE } }",
    "timeline { at: \"3s\" partition { isolate_leader: true } duration: \"1000h\" }",
    "timeline { at: \"1s\" heal {} }",
};

template <size_t N>
std::string Pick(sim::Prng& prng, const char* const (&items)[N]) {
  return items[prng.UniformBelow(N)];
}

// [begin, end) of every run of `what` in `line` (numbers outside quotes, or quoted
// strings).
std::vector<std::pair<size_t, size_t>> Tokens(std::string_view line, bool quoted) {
  std::vector<std::pair<size_t, size_t>> out;
  bool in_quotes = false;
  size_t start = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"') {
      if (in_quotes && quoted) out.emplace_back(start, i + 1);
      in_quotes = !in_quotes;
      start = i;
      continue;
    }
    if (in_quotes || quoted) continue;
    const bool digit = c >= '0' && c <= '9';
    const bool word_before = i > 0 && (std::isalnum(static_cast<unsigned char>(line[i - 1])) ||
                                       line[i - 1] == '_');
    if (digit && !word_before) {
      size_t end = i;
      while (end < line.size() && (std::isdigit(static_cast<unsigned char>(line[end])) ||
                                   line[end] == '.')) {
        ++end;
      }
      out.emplace_back(i > 0 && line[i - 1] == '-' ? i - 1 : i, end);
      i = end;
    }
  }
  return out;
}

// One token of `line` (a number outside quotes, or a quoted string) replaced by one of
// `with`; nothing when the line has none.
template <size_t N>
void ReplaceToken(bool quoted, const char* const (&with)[N], sim::Prng& prng,
                  std::string* line) {
  const auto tokens = Tokens(*line, quoted);
  if (tokens.empty()) return;
  const auto [b, e] = tokens[prng.UniformBelow(tokens.size())];
  line->replace(b, e - b, Pick(prng, with));
}

std::string Mutate(const std::string& text, sim::Prng& prng) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  const int count = 1 + static_cast<int>(prng.UniformBelow(3));
  for (int m = 0; m < count; ++m) {
    // A line with fields (comments are most of some files, and inert).
    size_t i = prng.UniformBelow(lines.size());
    for (int tries = 0; tries < 8 && (lines[i].empty() || lines[i][0] == '#'); ++tries) {
      i = prng.UniformBelow(lines.size());
    }
    std::string& line = lines[i];
    switch (prng.UniformBelow(7)) {
      case 0:
      case 1:
        ReplaceToken(/*quoted=*/false, kNumbers, prng, &line);
        break;
      case 2:
      case 3:
        ReplaceToken(/*quoted=*/true, kStrings, prng, &line);
        break;
      case 4:
        lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      case 5:
        line.resize(prng.UniformBelow(line.size() + 1));
        break;
      default:
        lines.push_back(Pick(prng, kEvents));
        break;
    }
    if (lines.empty()) lines.emplace_back();
  }
  return absl::StrJoin(lines, "\n");
}

// Runs it may take within the test's time (each is cut at 40 simulated seconds): a few
// nodes and clients.
bool SmallEnough(const scenarios::Scenario& s) {
  return s.cluster().nodes() <= 7 && s.workload().clients() <= 16;
}

// Mutants that may legitimately break Raft safety: wiped nodes (RAVENDB_MODEL.md §1.3
// Elector rule 2) and synced data damaged under them.
bool MayBreakSafety(const std::string& text) {
  return text.find("wipe") != std::string::npos ||
         text.find("read_corruption") != std::string::npos;
}

struct Mutant {
  std::string file;   // The library file it comes from.
  std::string name;   // "mutantN.textproto", what errors must name.
  std::string text;
  uint64_t seed = 1;  // The run's seed.
};

// Case `c`: a library file and its mutation, both drawn from seed c + 1.
Mutant MakeMutant(int c) {
  static const std::vector<std::string> files = [] {
    absl::StatusOr<std::vector<std::string>> listed = ListScenarioFiles("scenarios/cluster");
    CHECK_MSG(listed.ok(), listed.status().ToString());
    return *std::move(listed);
  }();
  CHECK_GE(files.size(), 10u);
  sim::Prng prng(static_cast<uint64_t>(c) + 1);
  Mutant m;
  m.file = files[prng.UniformBelow(files.size())];
  absl::StatusOr<std::string> original = history::ReadFileToString(m.file, "scenario file");
  CHECK_MSG(original.ok(), original.status().ToString());
  m.text = Mutate(*original, prng);
  m.name = absl::StrCat("mutant", c, ".textproto");
  m.seed = 1 + prng.UniformBelow(3);
  return m;
}

// One case per test, so that Bazel's shards (gtest's sharding) split them.
class ScenarioMutationTest : public ::testing::TestWithParam<int> {};

TEST_P(ScenarioMutationTest, RejectedWithTheFileNamedOrRunsSafely) {
  const Mutant m = MakeMutant(GetParam());
  const std::string context = absl::StrCat("case ", GetParam(), " (from ", m.file, "):\n", m.text);
  absl::StatusOr<scenarios::Scenario> scenario = ParseScenario(m.text, m.name);
  if (!scenario.ok()) {
    for (absl::string_view error : absl::StrSplit(scenario.status().message(), '\n')) {
      EXPECT_EQ(error.rfind(m.name, 0), 0u) << error << "\n" << context;
    }
    return;
  }
  if (!SmallEnough(*scenario)) return;
  RunOptions options;
  options.seed = m.seed;
  options.until = sim::SimTime::Zero() + sim::SimDuration::Seconds(40);
  options.checker_threads = 1;
  const RunReport report = RunScenario(*scenario, options);
  EXPECT_TRUE(report.status.ok() || report.status.code() == absl::StatusCode::kResourceExhausted)
      << report.status << "\n" << context;
  if (MayBreakSafety(m.text)) return;
  for (const CheckReport& check : report.checks) {
    if (check.name != "raft_invariants") continue;
    EXPECT_NE(check.verdict, Verdict::kViolated)
        << check.detail << " (seed " << options.seed << ")\n" << context;
  }
}

INSTANTIATE_TEST_SUITE_P(Library, ScenarioMutationTest, ::testing::Range(0, kMutants));

// Both paths are exercised: the mix is fixed by the seeds, and checked here without
// running anything.
TEST(ScenarioMutationMixTest, SomeMutantsAreRejectedAndSomeRun) {
  int rejected = 0, run = 0;
  for (int c = 0; c < kMutants; ++c) {
    const Mutant m = MakeMutant(c);
    absl::StatusOr<scenarios::Scenario> scenario = ParseScenario(m.text, m.name);
    if (!scenario.ok()) {
      ++rejected;
    } else if (SmallEnough(*scenario)) {
      ++run;
    }
  }
  EXPECT_GT(rejected, kMutants / 5);
  EXPECT_GT(run, kMutants / 5);
}

}  // namespace
}  // namespace ravensim::tools
