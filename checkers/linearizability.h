// Linearizability checking of a history against a model (DESIGN.md §6).
//
// The history is partitioned by key and each key is checked on its own: linearizability
// is local (Herlihy & Wing), so a history is linearizable exactly when every key's
// sub-history is (P-compositionality). Keys are checked in parallel on a small fixed
// pool of threads; every per-key result depends only on its operations, and the
// overall verdict and the counterexample are chosen by key order after all keys
// finished, so the output never depends on thread timing.
//
// Keys are checked in rounds of growing step budgets; a round in which some key fails
// ends the check (like Porcupine stopping at the first failing partition), and the key
// reported is the smallest failing one of that round. Budgets count search steps, so
// this too is a function of the input alone.
//
// Verdict: kNotLinearizable if some key is; otherwise kUnknown if some key could not
// be decided within the budget (or its unknown-outcome writes could not be told apart);
// otherwise kLinearizable. A budget never produces a pass.
//
// Compare-exchange keys use the O(n log n) fast path (cmpxchg_checker.h) when their
// unknown outcomes allow it, and the search otherwise. Local GETs get the weaker
// check of CheckLocalGets, reported separately.
#ifndef RAVENSIM_CHECKERS_LINEARIZABILITY_H_
#define RAVENSIM_CHECKERS_LINEARIZABILITY_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "checkers/cmpxchg_checker.h"
#include "checkers/history/history.pb.h"
#include "checkers/search.h"

namespace ravensim::checkers {

enum class ModelKind { kRegister, kKv, kCmpxchg };

// "register", "kv", "cmpxchg".
absl::StatusOr<ModelKind> ParseModelKind(absl::string_view name);
const char* ModelKindName(ModelKind kind);
// The model matching the history's operation kinds; an error if they mix models or
// include document operations. An empty history is a register history.
absl::StatusOr<ModelKind> InferModelKind(const history::History& history);

struct LinearizabilityOptions {
  ModelKind model = ModelKind::kRegister;
  int threads = 2;
  SearchBudget budget;  // per key
  bool use_cmpxchg_fast_path = true;
  // Compute a counterexample for the first failing key (by key order).
  bool explain = true;
  // Shrinking runs one search per attempt with this step budget; an attempt that
  // runs out of budget keeps the operation.
  // The whole shrink stops after shrink_total_steps search steps or
  // shrink_max_attempts attempts (then Counterexample::shrunk is false).
  int64_t shrink_steps_per_attempt = 50'000;
  int64_t shrink_total_steps = 5'000'000;
  int shrink_max_attempts = 1'000;
};

struct PartitionReport {
  std::string key;
  Verdict verdict = Verdict::kUnknown;
  std::string why;  // for kUnknown / kNotLinearizable
  int64_t operation_count = 0;
  bool fast_path = false;
  int64_t search_steps = 0;
};

// Why a key is not linearizable.
struct Counterexample {
  std::string key;
  std::string explanation;
  // The smallest failing sub-history found (history positions, ascending). It is not
  // linearizable by itself, and neither is the history up to the failure with every
  // other operation relaxed to "unknown outcome" (take effect any time after its
  // invocation, or never) — so these operations alone explain the failure.
  std::vector<int32_t> operations;
  bool shrunk = false;  // false: shrinking was skipped or ran out of budget
  // The longest linearizable prefix the search found: operations in linearization
  // order, with the model state after each, and the operation it could not place.
  std::vector<int32_t> longest_prefix;
  std::vector<std::string> prefix_states;
  int32_t stuck_operation = -1;
};

struct LinearizabilityResult {
  Verdict verdict = Verdict::kLinearizable;
  std::string why;  // kUnknown: which key and why
  std::vector<PartitionReport> partitions;  // sorted by key
  std::optional<Counterexample> counterexample;
  // Compare-exchange local GETs that fail the weaker check (not part of `verdict`).
  std::vector<LocalReadViolation> local_read_violations;
};

// Errors (InvalidArgument): a history failing history::Validate, or operations the
// model cannot check.
absl::StatusOr<LinearizabilityResult> CheckLinearizability(
    const history::History& history, const LinearizabilityOptions& options);

}  // namespace ravensim::checkers

#endif  // RAVENSIM_CHECKERS_LINEARIZABILITY_H_
