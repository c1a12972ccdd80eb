#include "checkers/search.h"

#include "checkers/history/history.h"
#include "checkers/models.h"
#include "checkers/random_register_histories.h"
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

// Timed-out cas operations whose expected values the register never holds, and
// timed-out writes of the value it already holds, change nothing wherever they are
// placed. Of those, the search places only the first it tries in each configuration:
// the others cost no branches however many there are (placed in every subset, each
// subset at every point would be a configuration of its own).
TEST(SearchTest, UnknownOperationsThatChangeNothingAreNotPlacedInEverySubset) {
  RegisterModel m;
  std::vector<Op> ops = {Make(m, history::REGISTER_WRITE, 1, 0, 1)};
  for (int i = 0; i < 24; ++i) {
    Op cas = Make(m, history::REGISTER_CAS, 500 + i, 2 + i, kReturnNever);
    cas.input.expected = m.values().Intern(history::IntValue(100 + i));
    ops.push_back(cas);
    ops.push_back(Make(m, history::REGISTER_WRITE, 1, 2 + i, kReturnNever));
  }
  ops.push_back(Make(m, history::REGISTER_READ, 1, 40, 41));
  SearchBudget budget;
  budget.max_steps = 20'000;
  // Found at once: the first of them placed, then the next, as before the cut.
  SearchResult r = CheckOperations(m, ops, budget);
  EXPECT_EQ(r.verdict, Verdict::kLinearizable);
  EXPECT_LE(r.cache_entries, 60);
  // A read nothing explains: every order must be refuted, in ≈ 1,300 steps (without
  // the cut 20,000 were not enough).
  ops.back() = Make(m, history::REGISTER_READ, 7, 40, 41);
  r = CheckOperations(m, ops, budget);
  EXPECT_EQ(r.verdict, Verdict::kNotLinearizable);
  // One cas whose expected value the register does hold changes it, and what it writes
  // explains a read; the writes of 1 now change the state after it: ≈ 7,900 steps
  // (without the cut 50 M were not enough).
  ops[1].input.expected = ops[0].input.value;
  ops.back() = Make(m, history::REGISTER_READ, 500, 40, 41);
  EXPECT_EQ(CheckOperations(m, ops, budget).verdict, Verdict::kLinearizable);
}

TEST(SearchTest, EmptyHistoryIsLinearizable) {
  RegisterModel m;
  EXPECT_EQ(CheckOperations(m, std::vector<Op>{}, SearchBudget()).verdict,
            Verdict::kLinearizable);
}


namespace brute {

// Linearizability by plain depth-first search over orders, without the search's cache,
// twins or cuts: an operation may come next once every known-outcome operation that
// returned before its call is placed; unknown-outcome operations may be left out.
bool Linearizable(const RegisterModel& m, const std::vector<Op>& ops, uint32_t placed,
                  int32_t state) {
  const int n = static_cast<int>(ops.size());
  bool all_known_placed = true;
  for (int i = 0; i < n; ++i) {
    if (!(placed >> i & 1) && !ops[i].outcome_unknown) all_known_placed = false;
  }
  if (all_known_placed) return true;
  for (int i = 0; i < n; ++i) {
    if (placed >> i & 1) continue;
    bool ready = true;
    for (int j = 0; j < n && ready; ++j) {
      if (j != i && !(placed >> j & 1) && !ops[j].outcome_unknown &&
          ops[j].return_time < ops[i].invoke_time) {
        ready = false;
      }
    }
    int32_t next;
    if (!ready || !m.Step(state, ops[i].input, ops[i].outcome_unknown, &next)) continue;
    if (Linearizable(m, ops, placed | (1u << i), next)) return true;
  }
  return false;
}

}  // namespace brute

// Small random register histories full of reads and failed cas operations (the ones the
// search cuts after) and unknown-outcome operations (of those that would change nothing,
// the search places only the first it tries): its verdict is the plain search's. One
// round in five has half its operations' outcomes unknown.
TEST(SearchTest, CutsKeepEveryVerdict) {
  RandomRegisterHistories histories(777);
  int verdicts[2] = {0, 0};
  for (int round = 0; round < 4000; ++round) {
    RegisterModel m;
    const std::vector<Op> ops =
        histories.Next({.unknown_in = round % 5 == 0 ? 2 : 5}, &m);
    const SearchResult r = CheckOperations(m, ops, SearchBudget());
    ASSERT_NE(r.verdict, Verdict::kUnknown);
    const bool expected = brute::Linearizable(m, ops, 0, m.Init());
    ASSERT_EQ(r.verdict == Verdict::kLinearizable, expected) << "round " << round;
    ++verdicts[expected ? 0 : 1];
  }
  EXPECT_GT(verdicts[0], 500);
  EXPECT_GT(verdicts[1], 500);
}

}  // namespace
}  // namespace ravensim::checkers
