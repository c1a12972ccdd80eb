#include "checkers/models.h"

#include <vector>

#include "checkers/history/history.h"
#include "checkers/random_register_histories.h"
#include "checkers/search.h"
#include "gtest/gtest.h"

namespace ravensim::checkers {
namespace {

TEST(RegisterModelTest, CasSucceedsOnlyOnMatch) {
  RegisterModel m;
  const int32_t one = m.values().Intern(history::IntValue(1));
  const int32_t two = m.values().Intern(history::IntValue(2));
  RegisterModel::Input cas{history::REGISTER_CAS, two, one, 0, true};
  int32_t next;
  EXPECT_TRUE(m.Step(one, cas, false, &next));
  EXPECT_EQ(next, two);
  EXPECT_FALSE(m.Step(two, cas, false, &next));  // claimed success, but 2 != 1
  cas.successful = false;
  EXPECT_TRUE(m.Step(two, cas, false, &next));
  EXPECT_EQ(next, two);
  EXPECT_TRUE(m.Step(one, cas, true, &next));  // unknown: takes effect where it can
  EXPECT_EQ(next, two);
  EXPECT_EQ(m.DescribeState(two), "2");
  EXPECT_EQ(m.DescribeState(m.Init()), "nil");
}

using RegisterOp = ModelOp<RegisterModel::Input>;

RegisterOp MakeOp(history::OpKind kind, int32_t value, int32_t expected, int32_t result,
                  bool successful, int64_t invoke, int64_t ret, bool unknown) {
  RegisterOp op;
  op.input = RegisterModel::Input{kind, value, expected, result, successful};
  op.invoke_time = invoke;
  op.outcome_unknown = unknown;
  op.return_time = unknown ? kReturnNever : ret;
  return op;
}

TEST(RegisterModelTest, UnobservedValuesShareOneId) {
  RegisterModel m;
  std::vector<int32_t> v;
  for (int i = 1; i <= 6; ++i) v.push_back(m.values().Intern(history::IntValue(i)));
  std::vector<RegisterOp> ops = {
      MakeOp(history::REGISTER_WRITE, v[0], 0, 0, false, 0, 1, false),  // 1: read below
      MakeOp(history::REGISTER_WRITE, v[1], 0, 0, false, 0, 1, true),   // 2: unobserved
      MakeOp(history::REGISTER_CAS, v[2], v[3], 0, false, 0, 1, true),  // 3: unobserved
      MakeOp(history::REGISTER_WRITE, v[3], 0, 0, false, 0, 1, false),  // 4: a cas expects it
      MakeOp(history::REGISTER_WRITE, v[4], 0, 0, false, 0, 1, false),  // 5: unobserved
      MakeOp(history::REGISTER_READ, 0, 0, v[0], false, 2, 3, false),
      MakeOp(history::REGISTER_READ, 0, 0, v[5], false, 2, 3, true),    // 6: unknown read
      MakeOp(history::REGISTER_WRITE, 0, 0, 0, false, 0, 1, false),     // nil
  };
  std::vector<RegisterOp> canonical = ops;
  CanonicalizeUnobservedValues(&canonical, &m);
  const int32_t u = m.values().Unobserved();
  EXPECT_NE(u, 0);
  for (int32_t id : v) EXPECT_NE(u, id);
  EXPECT_EQ(m.DescribeState(u), "(a value no operation observed)");
  EXPECT_EQ(canonical[0].input.value, v[0]);
  EXPECT_EQ(canonical[1].input.value, u);
  EXPECT_EQ(canonical[2].input.value, u);
  EXPECT_EQ(canonical[2].input.expected, v[3]);
  EXPECT_EQ(canonical[3].input.value, v[3]);
  EXPECT_EQ(canonical[4].input.value, u);
  EXPECT_EQ(canonical[5].input, ops[5].input);
  EXPECT_EQ(canonical[6].input, ops[6].input);
  EXPECT_EQ(canonical[7].input.value, 0);
  // Two unknown writes of different unobserved values are now twins.
  EXPECT_EQ(canonical[1].input, MakeOp(history::REGISTER_WRITE, u, 0, 0, false, 0, 1, true).input);
}

// Small random register histories: the search gives the same verdict with and without
// the unobserved values merged, and a linearization found with them merged replays on
// the original values.
TEST(RegisterModelTest, MergingUnobservedValuesKeepsEveryVerdict) {
  RandomRegisterHistories histories(12345);
  int verdicts[2] = {0, 0};
  for (int round = 0; round < 4000; ++round) {
    RegisterModel m;
    const std::vector<RegisterOp> ops = histories.Next(
        {.min_values = 2, .max_values = 5, .max_ops = 9, .unknown_in = 4, .unknown_reads = false},
        &m);
    std::vector<RegisterOp> canonical = ops;
    CanonicalizeUnobservedValues(&canonical, &m);
    const SearchResult original = CheckOperations(m, ops, SearchBudget());
    const SearchResult merged = CheckOperations(m, canonical, SearchBudget());
    ASSERT_NE(original.verdict, Verdict::kUnknown);
    ASSERT_EQ(merged.verdict, original.verdict) << "round " << round;
    ++verdicts[original.verdict == Verdict::kLinearizable ? 0 : 1];
    int32_t state = m.Init();
    for (int32_t i : merged.longest_linearization) {
      int32_t next;
      ASSERT_TRUE(m.Step(state, ops[i].input, ops[i].outcome_unknown, &next)) << round;
      state = next;
    }
  }
  // Both verdicts are well represented.
  EXPECT_GT(verdicts[0], 500);
  EXPECT_GT(verdicts[1], 500);
}

TEST(KvModelTest, AppendsConcatenateAndGetsCompareExactly) {
  KvModel m;
  const int32_t a = m.InternValue("ab"), b = m.InternValue("c");
  const int32_t abc = m.InternValue("abc"), abd = m.InternValue("abd");
  int32_t s1, s2, s3;
  ASSERT_TRUE(m.Step(m.Init(), {history::KV_APPEND, a, 0}, false, &s1));
  ASSERT_TRUE(m.Step(s1, {history::KV_APPEND, b, 0}, false, &s2));
  EXPECT_TRUE(m.Step(s2, {history::KV_GET, 0, abc}, false, &s3));
  EXPECT_FALSE(m.Step(s2, {history::KV_GET, 0, abd}, false, &s3));
  EXPECT_EQ(m.DescribeState(s2), "\"abc\"");
  ASSERT_TRUE(m.Step(s2, {history::KV_PUT, b, 0}, false, &s3));
  EXPECT_TRUE(m.Step(s3, {history::KV_GET, 0, b}, false, &s1));
  EXPECT_TRUE(m.Step(m.Init(), {history::KV_GET, 0, m.InternValue("")}, false, &s1));
}

TEST(CmpxchgModelTest, FollowsRavenDbRules) {
  CmpxchgModel m;
  using Kind = CmpxchgModel::Kind;
  const int32_t v = m.values().Intern(history::StrValue("v"));
  CmpxchgModel::State absent, next;
  // Put on an absent key creates it whatever the expected index (RAVENDB_MODEL.md §4.1).
  CmpxchgModel::Input put{Kind::kPut, 42, v, 7, true, 7, true, v};
  ASSERT_TRUE(m.Step(absent, put, false, &next));
  EXPECT_EQ(next, (CmpxchgModel::State{true, 7, v}));
  // Index mismatch: unsuccessful, returns the current version.
  CmpxchgModel::Input stale{Kind::kPut, 3, v, 9, false, 7, true, v};
  CmpxchgModel::State after;
  EXPECT_TRUE(m.Step(next, stale, false, &after));
  EXPECT_EQ(after, next);
  stale.successful = true;
  EXPECT_FALSE(m.Step(next, stale, false, &after));
  // Delete on an absent key reports success.
  CmpxchgModel::Input del{Kind::kDelete, 5, 0, 0, true, 11, false, 0};
  EXPECT_TRUE(m.Step(absent, del, false, &after));
  EXPECT_FALSE(after.exists);
  // Delete with the right index removes.
  del.expected_index = 7;
  EXPECT_TRUE(m.Step(next, del, false, &after));
  EXPECT_FALSE(after.exists);
  EXPECT_EQ(m.DescribeState(next), "index=7 value=\"v\"");
}

}  // namespace
}  // namespace ravensim::checkers
