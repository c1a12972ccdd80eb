// The checker against verdicts established by others: every Jepsen etcd history and
// every Porcupine kv history in ../shared/oracles (oracles/README.md).
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "checkers/history/history.h"
#include "checkers/history/importers.h"
#include "checkers/linearizability.h"
#include "checkers/oracles_path.h"
#include "gtest/gtest.h"

namespace ravensim::checkers {
namespace {

std::string OraclesDir() {
  absl::StatusOr<std::string> dir = FindOraclesDir();
  // Not a skip: without the oracles this test cannot do its job.
  if (!dir.ok()) ADD_FAILURE() << dir.status();
  return dir.value_or("");
}

LinearizabilityResult Check(const history::History& h, ModelKind model, bool explain) {
  LinearizabilityOptions options;
  options.model = model;
  options.explain = explain;
  absl::StatusOr<LinearizabilityResult> r = CheckLinearizability(h, options);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.value_or(LinearizabilityResult{});
}

TEST(OraclesTest, AllEtcdHistoriesMatchPublishedVerdicts) {
  const std::string dir = OraclesDir();
  ASSERT_FALSE(dir.empty());
  const std::set<int> linearizable = {2,  5,  7,  18, 25, 31, 38, 45, 48, 49, 51, 53,
                                      56, 67, 75, 76, 80, 87, 92, 98, 100, 101, 102, 95};
  int checked = 0;
  for (int i = 0; i <= 102; ++i) {
    const std::string path = absl::StrFormat("%s/porcupine/jepsen/etcd_%03d.log", dir, i);
    absl::StatusOr<std::string> text = history::ReadFileToString(path);
    ASSERT_TRUE(text.ok()) << text.status();
    absl::StatusOr<history::History> h = history::ParseJepsenEtcdLog(*text, path);
    ASSERT_TRUE(h.ok()) << h.status();
    const LinearizabilityResult r = Check(*h, ModelKind::kRegister, /*explain=*/false);
    const Verdict want =
        linearizable.contains(i) ? Verdict::kLinearizable : Verdict::kNotLinearizable;
    EXPECT_EQ(VerdictName(r.verdict), std::string(VerdictName(want))) << path << " " << r.why;
    ++checked;
  }
  EXPECT_EQ(checked, 103);
}

TEST(OraclesTest, AllKvHistoriesMatchPublishedVerdicts) {
  const std::string dir = OraclesDir();
  ASSERT_FALSE(dir.empty());
  for (const char* clients : {"c01", "c10", "c50"}) {
    for (const char* kind : {"ok", "bad"}) {
      const std::string path = absl::StrFormat("%s/porcupine/kv/%s-%s.txt", dir, clients, kind);
      absl::StatusOr<std::string> text = history::ReadFileToString(path);
      ASSERT_TRUE(text.ok()) << text.status();
      absl::StatusOr<history::History> h = history::ParsePorcupineKv(*text, path);
      ASSERT_TRUE(h.ok()) << h.status();
      const LinearizabilityResult r = Check(*h, ModelKind::kKv, /*explain=*/true);
      const bool ok = std::string(kind) == "ok";
      EXPECT_EQ(VerdictName(r.verdict),
                std::string(VerdictName(ok ? Verdict::kLinearizable : Verdict::kNotLinearizable)))
          << path << " " << r.why;
      if (!ok) {
        ASSERT_TRUE(r.counterexample.has_value()) << path;
        EXPECT_FALSE(r.counterexample->operations.empty());
      }
    }
  }
}

// A failing etcd history comes with a shrunk counterexample that is itself not
// linearizable, and a prefix that is.
TEST(OraclesTest, EtcdCounterexampleIsSmallAndFails) {
  const std::string dir = OraclesDir();
  ASSERT_FALSE(dir.empty());
  const std::string path = dir + "/porcupine/jepsen/etcd_000.log";
  absl::StatusOr<std::string> text = history::ReadFileToString(path);
  ASSERT_TRUE(text.ok());
  absl::StatusOr<history::History> h = history::ParseJepsenEtcdLog(*text, path);
  ASSERT_TRUE(h.ok());
  const LinearizabilityResult r = Check(*h, ModelKind::kRegister, /*explain=*/true);
  ASSERT_EQ(r.verdict, Verdict::kNotLinearizable);
  ASSERT_TRUE(r.counterexample.has_value());
  const Counterexample& c = *r.counterexample;
  EXPECT_LT(c.operations.size(), 20u);
  EXPECT_LT(c.operations.size(), static_cast<size_t>(h->operations_size()));
  history::History sub;
  for (int32_t i : c.operations) *sub.add_operations() = h->operations(i);
  EXPECT_EQ(Check(sub, ModelKind::kRegister, false).verdict, Verdict::kNotLinearizable);
  history::History prefix;
  for (int32_t i : c.longest_prefix) *prefix.add_operations() = h->operations(i);
  EXPECT_EQ(prefix.operations_size(), static_cast<int>(c.prefix_states.size()));
  EXPECT_GE(c.stuck_operation, 0);
}

// The verdict and the counterexample do not depend on the number of threads.
TEST(OraclesTest, ResultsDoNotDependOnThreads) {
  const std::string dir = OraclesDir();
  ASSERT_FALSE(dir.empty());
  for (const char* file : {"c10-bad.txt", "c50-bad.txt", "c50-ok.txt"}) {
    const std::string path = dir + "/porcupine/kv/" + file;
    absl::StatusOr<std::string> text = history::ReadFileToString(path);
    ASSERT_TRUE(text.ok());
    absl::StatusOr<history::History> h = history::ParsePorcupineKv(*text, path);
    ASSERT_TRUE(h.ok());
    std::string first;
    for (int threads : {1, 2, 3}) {
      LinearizabilityOptions options;
      options.model = ModelKind::kKv;
      options.threads = threads;
      absl::StatusOr<LinearizabilityResult> r = CheckLinearizability(*h, options);
      ASSERT_TRUE(r.ok());
      std::string summary = absl::StrCat(VerdictName(r->verdict), " ", r->why);
      if (r->counterexample.has_value()) {
        for (int32_t i : r->counterexample->operations) absl::StrAppend(&summary, " ", i);
        for (int32_t i : r->counterexample->longest_prefix) absl::StrAppend(&summary, " p", i);
      }
      for (const PartitionReport& p : r->partitions) {
        absl::StrAppend(&summary, " ", p.key, ":", VerdictName(p.verdict), ":", p.search_steps);
      }
      if (threads == 1) first = summary;
      EXPECT_EQ(summary, first) << file << " threads=" << threads;
    }
  }
}

}  // namespace
}  // namespace ravensim::checkers
