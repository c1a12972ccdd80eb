#include "checkers/linearizability.h"

#include "checkers/history/history.h"
#include "gtest/gtest.h"

namespace ravensim::checkers {
namespace {

using history::HistoryBuilder;

void Write(HistoryBuilder& b, int64_t client, const std::string& key, int64_t v, int64_t t0,
           int64_t t1) {
  const int64_t id = b.Invoke(client, "A", t0, history::REGISTER_WRITE, key);
  *b.MutableOperation(id)->mutable_value() = history::IntValue(v);
  b.Ok(id, t1);
}

void Read(HistoryBuilder& b, int64_t client, const std::string& key, int64_t v, int64_t t0,
          int64_t t1) {
  const int64_t id = b.Invoke(client, "A", t0, history::REGISTER_READ, key);
  *b.MutableOperation(id)->mutable_result() = history::IntValue(v);
  b.Ok(id, t1);
}

// Key "b" fails, key "a" passes, key "c" fails: the report names "b" (smallest).
history::History TwoBadKeys() {
  HistoryBuilder b;
  Write(b, 1, "a", 1, 0, 10);
  Read(b, 2, "a", 1, 11, 12);
  Write(b, 1, "b", 1, 20, 30);
  Write(b, 1, "b", 2, 31, 40);
  Read(b, 2, "b", 1, 41, 42);
  Write(b, 1, "c", 5, 50, 60);
  Read(b, 2, "c", 6, 61, 62);
  return std::move(b).Finish("t");
}

TEST(LinearizabilityTest, PartitionsAndReportsSmallestFailingKey) {
  const history::History h = TwoBadKeys();
  for (int threads : {1, 2, 4}) {
    LinearizabilityOptions o;
    o.threads = threads;
    absl::StatusOr<LinearizabilityResult> r = CheckLinearizability(h, o);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->verdict, Verdict::kNotLinearizable);
    ASSERT_EQ(r->partitions.size(), 3u);
    EXPECT_EQ(r->partitions[0].verdict, Verdict::kLinearizable);
    ASSERT_TRUE(r->counterexample.has_value());
    EXPECT_EQ(r->counterexample->key, "b");
    // Shrunk to the write of 2 and the stale read (the write of 1 may be relaxed).
    EXPECT_LE(r->counterexample->operations.size(), 3u);
    EXPECT_GE(r->counterexample->operations.size(), 2u);
    EXPECT_EQ(r->counterexample->stuck_operation, 4);
    EXPECT_EQ(r->counterexample->prefix_states.back(), "2");
    EXPECT_NE(r->why.find("key 'b'"), std::string::npos) << r->why;
  }
}

TEST(LinearizabilityTest, InfersAndRejectsModels) {
  EXPECT_EQ(*InferModelKind(TwoBadKeys()), ModelKind::kRegister);
  HistoryBuilder b;
  Write(b, 1, "a", 1, 0, 10);
  const int64_t id = b.Invoke(2, "A", 11, history::KV_GET, "a");
  b.Ok(id, 12);
  const history::History mixed = std::move(b).Finish("t");
  EXPECT_FALSE(InferModelKind(mixed).ok());
  LinearizabilityOptions o;
  o.model = ModelKind::kKv;
  const auto r = CheckLinearizability(mixed, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("field 'kind'"), std::string::npos);
  EXPECT_FALSE(ParseModelKind("graph").ok());
  EXPECT_EQ(*ParseModelKind("cmpxchg"), ModelKind::kCmpxchg);
}

TEST(LinearizabilityTest, BudgetYieldsUnknown) {
  // Twelve concurrent writes still running at a read no write explains: every subset
  // of them must be tried before the read's return.
  HistoryBuilder b;
  std::vector<int64_t> writes;
  for (int c = 0; c < 12; ++c) {
    writes.push_back(b.Invoke(c, "A", c, history::REGISTER_WRITE, ""));
    *b.MutableOperation(writes.back())->mutable_value() = history::IntValue(c);
  }
  Read(b, 99, "", 12345, 100, 101);
  for (int64_t id : writes) b.Ok(id, 200);
  const history::History h = std::move(b).Finish("t");
  LinearizabilityOptions o;
  o.budget.max_steps = 50;  // the first round alone needs more
  absl::StatusOr<LinearizabilityResult> r = CheckLinearizability(h, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->verdict, Verdict::kUnknown);
  EXPECT_NE(r->why.find("budget"), std::string::npos) << r->why;
  o.budget = SearchBudget();
  EXPECT_EQ(CheckLinearizability(h, o)->verdict, Verdict::kNotLinearizable);
}

// Forty clients time out on writes of values nobody reads while one client writes and
// reads its own values: the search takes the timed-out writes in invocation order
// (CanonicalizeUnobservedValues) instead of trying their subsets, which no budget
// allows. A read of a value only a later write wrote still fails, and the
// counterexample shows the values themselves.
history::History TimedOutWrites(bool stale_read) {
  HistoryBuilder b;
  int64_t t = 0;
  for (int i = 0; i < 40; ++i) {
    const int64_t id = b.Invoke(i, "A", t++, history::REGISTER_WRITE, "k");
    *b.MutableOperation(id)->mutable_value() = history::IntValue(1000 + i);
    Write(b, 100, "k", i, t, t + 1);
    Read(b, 101, "k", i, t + 2, t + 3);
    t += 4;
  }
  if (stale_read) Read(b, 101, "k", 5000, t, t + 1);  // nobody wrote 5000 before
  const int64_t late = b.Invoke(200, "A", t + 2, history::REGISTER_WRITE, "k");
  *b.MutableOperation(late)->mutable_value() = history::IntValue(5000);
  b.Ok(late, t + 3);
  return std::move(b).Finish("t");
}

TEST(LinearizabilityTest, ManyTimedOutWritesAreDecided) {
  LinearizabilityOptions o;
  o.budget.max_steps = 1'000'000;
  absl::StatusOr<LinearizabilityResult> r = CheckLinearizability(TimedOutWrites(false), o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->verdict, Verdict::kLinearizable) << r->why;
  ASSERT_EQ(r->partitions.size(), 1u);
  EXPECT_LT(r->partitions[0].search_steps, 100'000);

  r = CheckLinearizability(TimedOutWrites(true), o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->verdict, Verdict::kNotLinearizable) << r->why;
  ASSERT_TRUE(r->counterexample.has_value());
  ASSERT_FALSE(r->counterexample->prefix_states.empty());
  EXPECT_EQ(r->counterexample->prefix_states.back(), "39");
  for (const std::string& state : r->counterexample->prefix_states) {
    EXPECT_EQ(state.find("no operation observed"), std::string::npos) << state;
  }
}

}  // namespace
}  // namespace ravensim::checkers
