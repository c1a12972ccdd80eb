#include "checkers/search.h"

#include "checkers/history/history.h"
#include "checkers/models.h"
#include "gtest/gtest.h"

namespace ravensim::checkers {
namespace {

using Op = ModelOp<RegisterModel::Input>;

// A register op: kind, value/result, interval; unknown when `ret` is kReturnNever.
Op Make(RegisterModel& m, history::OpKind kind, int64_t v, int64_t inv, int64_t ret) {
  Op op;
  op.invoke_time = inv;
  op.return_time = ret;
  op.outcome_unknown = ret == kReturnNever;
  op.input.kind = kind;
  const int32_t id = m.values().Intern(history::IntValue(v));
  if (kind == history::REGISTER_READ) op.input.result = id;
  else op.input.value = id;
  return op;
}

TEST(SearchTest, ConcurrentWriteMayBeSeenOrNot) {
  RegisterModel m;
  std::vector<Op> ops = {Make(m, history::REGISTER_WRITE, 1, 0, 10),
                         Make(m, history::REGISTER_WRITE, 2, 5, 20),
                         Make(m, history::REGISTER_READ, 1, 12, 15)};
  EXPECT_EQ(CheckOperations(m, ops, SearchBudget()).verdict, Verdict::kLinearizable);
}

TEST(SearchTest, ReadAfterCompletedWriteMustSeeIt) {
  RegisterModel m;
  std::vector<Op> ops = {Make(m, history::REGISTER_WRITE, 1, 0, 10),
                         Make(m, history::REGISTER_WRITE, 2, 11, 20),
                         Make(m, history::REGISTER_READ, 1, 21, 25)};
  const SearchResult r = CheckOperations(m, ops, SearchBudget());
  EXPECT_EQ(r.verdict, Verdict::kNotLinearizable);
  EXPECT_EQ(r.stuck_op, 2);
  EXPECT_EQ(r.longest_linearization, (std::vector<int32_t>{0, 1}));
}

TEST(SearchTest, UnknownWriteMayTakeEffectLateOrNever) {
  RegisterModel m;
  std::vector<Op> late = {Make(m, history::REGISTER_WRITE, 7, 0, kReturnNever),
                          Make(m, history::REGISTER_READ, 0, 1, 2),  // reads nil? no: 0
                          Make(m, history::REGISTER_WRITE, 0, 3, 4),
                          Make(m, history::REGISTER_READ, 7, 50, 60)};
  // The first read sees 0, which nobody wrote before it: not linearizable.
  EXPECT_EQ(CheckOperations(m, late, SearchBudget()).verdict, Verdict::kNotLinearizable);
  late.erase(late.begin() + 1);
  // The unknown write of 7 takes effect after the write of 0.
  EXPECT_EQ(CheckOperations(m, late, SearchBudget()).verdict, Verdict::kLinearizable);
  late.pop_back();
  // ... or never.
  EXPECT_EQ(CheckOperations(m, late, SearchBudget()).verdict, Verdict::kLinearizable);
}

TEST(SearchTest, TouchingIntervalsAreConcurrent) {
  RegisterModel m;
  std::vector<Op> ops = {Make(m, history::REGISTER_READ, 1, 0, 10),
                         Make(m, history::REGISTER_WRITE, 1, 10, 20)};
  EXPECT_EQ(CheckOperations(m, ops, SearchBudget()).verdict, Verdict::kLinearizable);
}

TEST(SearchTest, BudgetGivesUnknownNeverPass) {
  RegisterModel m;
  std::vector<Op> ops;
  // Many concurrent unknown writes and a read no write explains: hard and failing.
  for (int i = 0; i < 12; ++i) ops.push_back(Make(m, history::REGISTER_WRITE, i, i, kReturnNever));
  ops.push_back(Make(m, history::REGISTER_READ, 999, 100, 101));
  SearchBudget tiny;
  tiny.max_steps = 10;
  const SearchResult r = CheckOperations(m, ops, tiny);
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_FALSE(r.why.empty());
  EXPECT_EQ(CheckOperations(m, ops, SearchBudget()).verdict, Verdict::kNotLinearizable);
  SearchBudget small_memory;
  small_memory.max_cache_entries = 3;
  EXPECT_EQ(CheckOperations(m, ops, small_memory).verdict, Verdict::kUnknown);
}

TEST(SearchTest, EmptyHistoryIsLinearizable) {
  RegisterModel m;
  EXPECT_EQ(CheckOperations(m, std::vector<Op>{}, SearchBudget()).verdict,
            Verdict::kLinearizable);
}

}  // namespace
}  // namespace ravensim::checkers
