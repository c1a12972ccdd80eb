// Counterexamples for a failed search (DESIGN.md §6): the longest linearizable prefix
// and a shrunk failing sub-history. Internal to linearizability.cc; a header so the
// shrinking can be tested on its own.
//
// Shrinking keeps the invariant "the history cut at the failure point, with every
// removed operation relaxed to an unknown outcome, is not linearizable". Relaxing only
// adds possibilities (an unknown operation may also never take effect), so the
// invariant implies both that the original history fails and that the remaining
// operations fail on their own. Removal is tried in halving chunks, then one by one.
#ifndef RAVENSIM_CHECKERS_EXPLAIN_H_
#define RAVENSIM_CHECKERS_EXPLAIN_H_

#include <algorithm>
#include <vector>

#include "checkers/linearizability.h"
#include "checkers/search.h"

namespace ravensim::checkers {

template <typename M>
void FillLongestPrefix(const M& model, const std::vector<ModelOp<typename M::Input>>& ops,
                       const SearchResult& failed, Counterexample* out) {
  typename M::State state = model.Init();
  for (int32_t i : failed.longest_linearization) {
    typename M::State next;
    const bool ok = model.Step(state, ops[i].input, ops[i].outcome_unknown, &next);
    CHECK(ok);  // the search linearized exactly this sequence
    state = std::move(next);
    out->longest_prefix.push_back(ops[i].history_index);
    out->prefix_states.push_back(model.DescribeState(state));
  }
  out->stuck_operation = failed.stuck_op >= 0 ? ops[failed.stuck_op].history_index : -1;
}

template <typename M>
void ShrinkFailure(const M& model, const std::vector<ModelOp<typename M::Input>>& ops,
                   const SearchResult& failed, const LinearizabilityOptions& options,
                   Counterexample* out) {
  using Op = ModelOp<typename M::Input>;
  std::vector<int> cut;  // positions in ops, invoked no later than the failure point
  const int64_t limit =
      failed.stuck_op >= 0 ? ops[failed.stuck_op].return_time : kReturnNever;
  for (int i = 0; i < static_cast<int>(ops.size()); ++i) {
    if (ops[i].invoke_time <= limit) cut.push_back(i);
  }
  std::vector<bool> relaxed(ops.size(), false);
  SearchBudget budget;
  budget.max_steps = options.shrink_steps_per_attempt;
  int64_t steps_used = 0;
  auto still_fails = [&]() {
    std::vector<Op> test;
    for (int i : cut) {
      if (!relaxed[i]) {
        test.push_back(ops[i]);
      } else if (!model.ReadOnly(ops[i].input)) {
        Op r = ops[i];
        r.outcome_unknown = true;
        r.return_time = kReturnNever;
        test.push_back(std::move(r));
      }
    }
    const SearchResult r = CheckOperations(model, test, budget);
    steps_used += r.steps;
    return r.verdict == Verdict::kNotLinearizable;
  };
  auto keep_all = [&]() {
    for (int i : cut) out->operations.push_back(ops[i].history_index);
  };
  if (!still_fails()) {  // out of budget: report the cut unshrunk
    keep_all();
    return;
  }
  // Reads first (dropping them only makes the search easier), then writes.
  int attempts = 0;
  bool exhausted = false;
  for (const bool reads : {true, false}) {
    std::vector<int> group;
    for (int i : cut) {
      if (model.ReadOnly(ops[i].input) == reads) group.push_back(i);
    }
    const int n = static_cast<int>(group.size());
    for (int chunk = std::max(1, n / 2); chunk >= 1 && !exhausted; chunk /= 2) {
      for (int start = 0; start < n && !exhausted; start += chunk) {
        std::vector<int> changed;
        for (int j = start; j < std::min(n, start + chunk); ++j) {
          if (!relaxed[group[j]]) changed.push_back(group[j]);
        }
        if (changed.empty()) continue;
        for (int i : changed) relaxed[i] = true;
        ++attempts;
        if (!still_fails()) {
          for (int i : changed) relaxed[i] = false;
        }
        exhausted = attempts >= options.shrink_max_attempts ||
                    steps_used >= options.shrink_total_steps;
      }
    }
  }
  for (int i : cut) {
    if (!relaxed[i]) out->operations.push_back(ops[i].history_index);
  }
  std::sort(out->operations.begin(), out->operations.end());
  out->shrunk = !exhausted;
}

}  // namespace ravensim::checkers

#endif  // RAVENSIM_CHECKERS_EXPLAIN_H_
