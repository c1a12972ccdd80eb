#include "checkers/cmpxchg_checker.h"

#include <set>

#include "checkers/cmpxchg_history_generator.h"
#include "checkers/history/history.h"
#include "checkers/linearizability.h"
#include "gtest/gtest.h"

namespace ravensim::checkers {
namespace {

using history::HistoryBuilder;

LinearizabilityResult Check(const history::History& h, bool fast_path) {
  LinearizabilityOptions o;
  o.model = ModelKind::kCmpxchg;
  o.use_cmpxchg_fast_path = fast_path;
  absl::StatusOr<LinearizabilityResult> r = CheckLinearizability(h, o);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.value_or(LinearizabilityResult{});
}

// Helpers that record one complete compare-exchange operation.
struct Recorder {
  HistoryBuilder b;
  int64_t Put(int64_t client, int64_t t0, int64_t t1, int64_t index, const std::string& v,
              bool ok, int64_t result_index, const std::string& result) {
    const int64_t id = b.Invoke(client, "A", t0, history::CMPXCHG_PUT, "k");
    auto* op = b.MutableOperation(id);
    op->set_index(index);
    *op->mutable_value() = history::StrValue(v);
    op->set_successful(ok);
    op->set_result_index(result_index);
    *op->mutable_result() = history::StrValue(result);
    b.Ok(id, t1);
    return id;
  }
  int64_t Get(int64_t client, int64_t t0, int64_t t1, int64_t index, const std::string& v,
              history::OpKind kind = history::CMPXCHG_GET_LINEARIZABLE,
              const std::string& node = "A") {
    const int64_t id = b.Invoke(client, node, t0, kind, "k");
    auto* op = b.MutableOperation(id);
    op->set_result_index(index);
    if (!v.empty()) *op->mutable_result() = history::StrValue(v);
    b.Ok(id, t1);
    return id;
  }
};

TEST(CmpxchgCheckerTest, SequentialChainIsLinearizable) {
  Recorder r;
  r.Put(1, 0, 10, 0, "a", true, 5, "a");
  r.Get(2, 11, 12, 5, "a");
  r.Put(1, 20, 30, 5, "b", true, 9, "b");
  r.Put(2, 31, 40, 5, "c", false, 9, "b");  // stale index: returns current
  r.Get(3, 41, 42, 9, "b");
  const history::History h = std::move(r.b).Finish("t");
  EXPECT_EQ(Check(h, true).verdict, Verdict::kLinearizable);
  EXPECT_EQ(Check(h, false).verdict, Verdict::kLinearizable);
  EXPECT_TRUE(Check(h, true).partitions[0].fast_path);
}

TEST(CmpxchgCheckerTest, StaleLinearizableReadFails) {
  Recorder r;
  r.Put(1, 0, 10, 0, "a", true, 5, "a");
  r.Put(1, 20, 30, 5, "b", true, 9, "b");
  r.Get(2, 31, 40, 5, "a");  // after b was acknowledged
  const history::History h = std::move(r.b).Finish("t");
  const LinearizabilityResult fast = Check(h, true);
  EXPECT_EQ(fast.verdict, Verdict::kNotLinearizable);
  EXPECT_NE(fast.why.find("cannot take effect"), std::string::npos) << fast.why;
  ASSERT_TRUE(fast.counterexample.has_value());
  EXPECT_EQ(fast.counterexample->operations.size(), 2u);  // the put of b and the read
  EXPECT_EQ(Check(h, false).verdict, Verdict::kNotLinearizable);
}

TEST(CmpxchgCheckerTest, WrongExpectedIndexFails) {
  Recorder r;
  r.Put(1, 0, 10, 0, "a", true, 5, "a");
  r.Put(1, 20, 30, 4, "b", true, 9, "b");  // succeeded although 4 != 5
  const history::History h = std::move(r.b).Finish("t");
  const LinearizabilityResult fast = Check(h, true);
  EXPECT_EQ(fast.verdict, Verdict::kNotLinearizable);
  EXPECT_NE(fast.why.find("expected index 4"), std::string::npos) << fast.why;
  EXPECT_EQ(Check(h, false).verdict, Verdict::kNotLinearizable);
}

TEST(CmpxchgCheckerTest, UnknownPutResolvedByObservation) {
  Recorder r;
  r.Put(1, 0, 10, 0, "a", true, 5, "a");
  const int64_t u = r.b.Invoke(2, "B", 20, history::CMPXCHG_PUT, "k");
  r.b.MutableOperation(u)->set_index(5);
  *r.b.MutableOperation(u)->mutable_value() = history::StrValue("u");
  r.b.Unknown(u, "timeout");
  r.Get(3, 30, 40, 7, "u");  // the unknown put took effect at index 7
  r.Put(1, 50, 60, 7, "c", true, 11, "c");
  const history::History h = std::move(r.b).Finish("t");
  EXPECT_EQ(Check(h, true).verdict, Verdict::kLinearizable);
  EXPECT_TRUE(Check(h, true).partitions[0].fast_path);
  EXPECT_EQ(Check(h, false).verdict, Verdict::kLinearizable);
}

TEST(CmpxchgCheckerTest, ReadOfUnwrittenIndexFails) {
  Recorder r;
  r.Put(1, 0, 10, 0, "a", true, 5, "a");
  r.Get(3, 30, 40, 7, "zzz");
  const history::History h = std::move(r.b).Finish("t");
  EXPECT_EQ(Check(h, true).verdict, Verdict::kNotLinearizable);
  EXPECT_EQ(Check(h, false).verdict, Verdict::kNotLinearizable);
}

TEST(CmpxchgCheckerTest, AmbiguousUnknownPutsAreUnknown) {
  Recorder r;
  for (int c : {1, 2}) {
    const int64_t u = r.b.Invoke(c, "B", 20, history::CMPXCHG_PUT, "k");
    r.b.MutableOperation(u)->set_index(0);
    *r.b.MutableOperation(u)->mutable_value() = history::StrValue("same");
    r.b.Unknown(u, "timeout");
  }
  r.Get(3, 30, 40, 7, "same");
  const history::History h = std::move(r.b).Finish("t");
  const LinearizabilityResult res = Check(h, true);
  EXPECT_EQ(res.verdict, Verdict::kUnknown);
  EXPECT_NE(res.why.find("several unknown-outcome puts"), std::string::npos) << res.why;
}

TEST(CmpxchgCheckerTest, LocalGetsMayBeStaleButNotInvented) {
  Recorder r;
  r.Put(1, 0, 10, 0, "a", true, 5, "a");
  r.Put(1, 20, 30, 5, "b", true, 9, "b");
  r.Get(2, 40, 41, 5, "a", history::CMPXCHG_GET_LOCAL, "C");  // stale: allowed
  r.Get(2, 42, 43, 9, "b", history::CMPXCHG_GET_LOCAL, "C");
  const history::History ok = r.b.size() ? std::move(r.b).Finish("t") : history::History();
  const LinearizabilityResult res = Check(ok, true);
  EXPECT_EQ(res.verdict, Verdict::kLinearizable);
  EXPECT_TRUE(res.local_read_violations.empty());

  Recorder bad;
  bad.Put(1, 0, 10, 0, "a", true, 5, "a");
  bad.Put(1, 20, 30, 5, "b", true, 9, "b");
  bad.Get(2, 40, 41, 9, "b", history::CMPXCHG_GET_LOCAL, "C");
  bad.Get(2, 42, 43, 5, "a", history::CMPXCHG_GET_LOCAL, "C");  // node went back
  bad.Get(3, 44, 45, 6, "x", history::CMPXCHG_GET_LOCAL, "D");  // invented
  const LinearizabilityResult b = Check(std::move(bad.b).Finish("t"), true);
  ASSERT_EQ(b.local_read_violations.size(), 2u);
  EXPECT_NE(b.local_read_violations[0].why.find("went back"), std::string::npos);
  EXPECT_NE(b.local_read_violations[1].why.find("no put produced"), std::string::npos);
}

// The fast path and the search agree on generated histories, linearizable or mutated.
TEST(CmpxchgCheckerTest, FastPathAgreesWithSearch) {
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    CmpxchgHistoryOptions o;
    o.operation_count = 300;
    o.client_count = 6;
    o.key_count = 3;
    history::History h = GenerateCmpxchgHistory(o, seed);
    const LinearizabilityResult fast = Check(h, true), slow = Check(h, false);
    ASSERT_EQ(fast.verdict, Verdict::kLinearizable) << "seed " << seed << " " << fast.why;
    ASSERT_EQ(slow.verdict, Verdict::kLinearizable) << "seed " << seed << " " << slow.why;
    EXPECT_TRUE(fast.local_read_violations.empty());
    // Corrupt the value of one read of a version an acknowledged put wrote.
    std::set<int64_t> acknowledged;
    for (const history::Operation& op : h.operations()) {
      if (op.kind() == history::CMPXCHG_PUT && op.outcome() == history::OK && op.successful()) {
        acknowledged.insert(op.result_index());
      }
    }
    bool corrupted = false;
    for (history::Operation& op : *h.mutable_operations()) {
      if (op.kind() == history::CMPXCHG_GET_LINEARIZABLE && op.outcome() == history::OK &&
          acknowledged.contains(op.result_index())) {
        *op.mutable_result() = history::StrValue("bogus");
        corrupted = true;
        break;
      }
    }
    ASSERT_TRUE(corrupted);
    EXPECT_EQ(Check(h, true).verdict, Verdict::kNotLinearizable) << seed;
    EXPECT_EQ(Check(h, false).verdict, Verdict::kNotLinearizable) << seed;
  }
}

}  // namespace
}  // namespace ravensim::checkers
