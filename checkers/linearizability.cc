#include "checkers/linearizability.h"

#include <atomic>
#include <memory>
#include <map>
#include <thread>
#include <type_traits>
#include <variant>

#include "absl/strings/str_cat.h"
#include "checkers/explain.h"
#include "checkers/history/history.h"
#include "checkers/models.h"

namespace ravensim::checkers {

using history::History;

absl::StatusOr<ModelKind> ParseModelKind(absl::string_view name) {
  if (name == "register") return ModelKind::kRegister;
  if (name == "kv") return ModelKind::kKv;
  if (name == "cmpxchg") return ModelKind::kCmpxchg;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown model '", name, "' (expected register, kv or cmpxchg)"));
}

const char* ModelKindName(ModelKind kind) {
  switch (kind) {
    case ModelKind::kRegister: return "register";
    case ModelKind::kKv: return "kv";
    case ModelKind::kCmpxchg: return "cmpxchg";
  }
  return "register";
}

absl::StatusOr<ModelKind> InferModelKind(const History& history) {
  std::optional<ModelKind> found;
  for (int i = 0; i < history.operations_size(); ++i) {
    const history::OpKind k = history.operations(i).kind();
    ModelKind m;
    if (k >= history::REGISTER_READ && k <= history::REGISTER_CAS) m = ModelKind::kRegister;
    else if (k >= history::KV_GET && k <= history::KV_APPEND) m = ModelKind::kKv;
    else if (k >= history::CMPXCHG_PUT && k <= history::CMPXCHG_GET_LINEARIZABLE) m = ModelKind::kCmpxchg;
    else {
      return absl::InvalidArgumentError(absl::StrCat(
          "operation ", i, ": field 'kind': ", history::OpKindName(k),
          " has no linearizability model"));
    }
    if (found.has_value() && *found != m) {
      return absl::InvalidArgumentError(absl::StrCat(
          "operation ", i, ": field 'kind': ", history::OpKindName(k),
          " mixes models (", ModelKindName(*found), " and ", ModelKindName(m), ")"));
    }
    found = m;
  }
  return found.value_or(ModelKind::kRegister);
}

namespace {

struct RegisterPartition {
  RegisterModel model;
  // Searched and shrunk: unobserved values as one (CanonicalizeUnobservedValues).
  std::vector<ModelOp<RegisterModel::Input>> ops;
  // The same operations with their own values, for a counterexample's states.
  std::vector<ModelOp<RegisterModel::Input>> display_ops;
};
struct KvPartition {
  KvModel model;
  std::vector<ModelOp<KvModel::Input>> ops;
};

// A search kept alive between rounds, so a larger budget resumes it.
class ResumableSearch {
 public:
  virtual ~ResumableSearch() = default;
  virtual SearchResult Run(int64_t step_limit) = 0;
};

template <typename M>
class ResumableSearchOf : public ResumableSearch {
 public:
  ResumableSearchOf(const M& model, const std::vector<ModelOp<typename M::Input>>& ops,
                    int64_t max_cache_entries)
      : search_(model, ops, max_cache_entries) {}
  SearchResult Run(int64_t step_limit) override { return search_.Run(step_limit); }

 private:
  Search<M> search_;
};

struct Partition {
  std::string key;
  std::variant<RegisterPartition, KvPartition, CmpxchgPartition> prepared;
  std::unique_ptr<ResumableSearch> search;  // created by the first round that needs it
};

// What checking one key found; filled by a worker thread.
struct Outcome {
  PartitionReport report;
  SearchResult search;       // when the search ran
  FastPathResult fast_path;  // when the fast path decided
  bool step_budget_exhausted = false;  // a larger budget may decide it
};

absl::StatusOr<std::vector<Partition>> Prepare(const History& history, ModelKind model) {
  std::map<std::string, std::vector<int32_t>> by_key;
  for (int i = 0; i < history.operations_size(); ++i) {
    by_key[history.operations(i).key()].push_back(i);
  }
  std::vector<Partition> out;
  for (auto& [key, positions] : by_key) {
    Partition p{key, RegisterPartition()};
    switch (model) {
      case ModelKind::kRegister: {
        RegisterPartition r;
        auto ops = PrepareRegister(history, positions, &r.model);
        if (!ops.ok()) return ops.status();
        r.display_ops = *ops;
        r.ops = std::move(*ops);
        CanonicalizeUnobservedValues(&r.ops, &r.model);
        p.prepared = std::move(r);
        break;
      }
      case ModelKind::kKv: {
        KvPartition kv;
        auto ops = PrepareKv(history, positions, &kv.model);
        if (!ops.ok()) return ops.status();
        kv.ops = std::move(*ops);
        p.prepared = std::move(kv);
        break;
      }
      case ModelKind::kCmpxchg: {
        auto c = PrepareCmpxchg(history, positions);
        if (!c.ok()) return c.status();
        p.prepared = std::move(*c);
        break;
      }
    }
    out.push_back(std::move(p));
  }
  return out;
}

template <typename M>
void RunSearch(const M& model, const std::vector<ModelOp<typename M::Input>>& ops,
               const SearchBudget& budget, std::unique_ptr<ResumableSearch>* search,
               Outcome* out) {
  if (*search == nullptr) {
    *search = std::make_unique<ResumableSearchOf<M>>(model, ops, budget.max_cache_entries);
  }
  out->search = (*search)->Run(budget.max_steps);
  out->step_budget_exhausted = out->search.step_budget_exhausted;
  if (!out->step_budget_exhausted) search->reset();  // decided: free its memory
  out->report.verdict = out->search.verdict;
  out->report.why = out->search.why;
  out->report.search_steps = out->search.steps;
}

Outcome CheckPartition(const History& history, Partition& p,
                       const LinearizabilityOptions& options, const SearchBudget& budget) {
  Outcome out;
  out.report.key = p.key;
  std::visit(
      [&](const auto& prepared) {
        out.report.operation_count = static_cast<int64_t>(prepared.ops.size());
        using T = std::decay_t<decltype(prepared)>;
        if constexpr (std::is_same_v<T, CmpxchgPartition>) {
          if (!prepared.unresolvable.empty()) {
            out.report.verdict = Verdict::kUnknown;
            out.report.why = prepared.unresolvable;
            return;
          }
          if (options.use_cmpxchg_fast_path && prepared.fast_path_applicable) {
            out.fast_path = CheckCmpxchgFastPath(history, prepared);
            out.report.fast_path = true;
            out.report.verdict = out.fast_path.verdict;
            out.report.why = out.fast_path.explanation;
            return;
          }
        }
        RunSearch(prepared.model, prepared.ops, budget, &p.search, &out);
      },
      p.prepared);
  return out;
}

// Runs CheckPartition on `todo` (indexes into parts) on the thread pool.
void RunRound(const History& history, std::vector<Partition>& parts,
              const std::vector<size_t>& todo, const LinearizabilityOptions& options,
              const SearchBudget& budget, std::vector<Outcome>* outcomes) {
  std::atomic<size_t> next{0};
  auto work = [&]() {
    for (size_t j = next++; j < todo.size(); j = next++) {
      (*outcomes)[todo[j]] = CheckPartition(history, parts[todo[j]], options, budget);
    }
  };
  const int threads = std::max(1, std::min<int>(options.threads, static_cast<int>(todo.size())));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
}

// Checks every key in rounds of growing step budgets (x8 from 20,000 up to
// options.budget.max_steps); an undecided key's search resumes where it stopped. A
// round that finds a failing key ends the check, so one hard linearizable key does not
// delay the verdict on an easy failing one. Budgets count steps, not time, so which
// keys get decided is a function of the input alone.
std::vector<Outcome> CheckAll(const History& history, std::vector<Partition>& parts,
                              const LinearizabilityOptions& options) {
  std::vector<Outcome> outcomes(parts.size());
  std::vector<size_t> todo(parts.size());
  for (size_t i = 0; i < parts.size(); ++i) todo[i] = i;
  SearchBudget budget = options.budget;
  budget.max_steps = std::min<int64_t>(20'000, options.budget.max_steps);
  while (!todo.empty()) {
    RunRound(history, parts, todo, options, budget, &outcomes);
    std::vector<size_t> again;
    bool failed = false;
    for (size_t i : todo) {
      failed |= outcomes[i].report.verdict == Verdict::kNotLinearizable;
      if (outcomes[i].step_budget_exhausted) again.push_back(i);
    }
    if (failed || budget.max_steps >= options.budget.max_steps) {
      for (size_t i : again) {
        if (failed) outcomes[i].report.why = "not decided: another key failed first";
        parts[i].search.reset();
      }
      break;
    }
    budget.max_steps = std::min(options.budget.max_steps, budget.max_steps * 8);
    todo = std::move(again);
  }
  return outcomes;
}

// The operations whose states a counterexample shows.
template <typename P>
const auto& DisplayOps(const P& prepared) {
  if constexpr (std::is_same_v<P, RegisterPartition>) {
    return prepared.display_ops;
  } else {
    return prepared.ops;
  }
}

Counterexample Explain(const History& history, const Partition& p, const Outcome& outcome,
                       const LinearizabilityOptions& options) {
  Counterexample c;
  c.key = p.key;
  c.explanation = outcome.report.why;
  std::visit(
      [&](const auto& prepared) {
        SearchResult failed = outcome.search;
        if (outcome.report.fast_path) {
          // The fast path decided; the search gives the prefix and shrinks, within budget.
          SearchBudget budget = options.budget;
          budget.max_steps = std::min(budget.max_steps, options.shrink_steps_per_attempt * 10);
          failed = CheckOperations(prepared.model, prepared.ops, budget);
          if (failed.verdict != Verdict::kNotLinearizable) {
            c.operations = outcome.fast_path.involved;
            return;
          }
        }
        FillLongestPrefix(prepared.model, DisplayOps(prepared), failed, &c);
        if (c.explanation.empty() && c.stuck_operation >= 0) {
          c.explanation = absl::StrCat(
              "no linearization can place ",
              history::DescribeOperation(history.operations(c.stuck_operation)),
              " before it returned");
        }
        ShrinkFailure(prepared.model, prepared.ops, failed, options, &c);
      },
      p.prepared);
  return c;
}

}  // namespace

absl::StatusOr<LinearizabilityResult> CheckLinearizability(
    const History& history, const LinearizabilityOptions& options) {
  // The search relies on well-formed intervals; bad histories are errors, not crashes.
  if (absl::Status s = history::Validate(history); !s.ok()) return s;
  absl::StatusOr<std::vector<Partition>> parts = Prepare(history, options.model);
  if (!parts.ok()) return parts.status();
  std::vector<Outcome> outcomes = CheckAll(history, *parts, options);
  LinearizabilityResult result;
  int first_failure = -1, first_unknown = -1;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    result.partitions.push_back(outcomes[i].report);
    if (outcomes[i].report.verdict == Verdict::kNotLinearizable && first_failure < 0) {
      first_failure = static_cast<int>(i);
    }
    if (outcomes[i].report.verdict == Verdict::kUnknown && first_unknown < 0) {
      first_unknown = static_cast<int>(i);
    }
    if (const auto* c = std::get_if<CmpxchgPartition>(&(*parts)[i].prepared)) {
      for (LocalReadViolation& v : CheckLocalGets(history, *c)) {
        result.local_read_violations.push_back(std::move(v));
      }
    }
  }
  if (first_failure >= 0) {
    result.verdict = Verdict::kNotLinearizable;
    if (options.explain) {
      result.counterexample =
          Explain(history, (*parts)[first_failure], outcomes[first_failure], options);
    }
    const std::string& why = result.counterexample.has_value()
                                 ? result.counterexample->explanation
                                 : outcomes[first_failure].report.why;
    result.why = absl::StrCat("key '", (*parts)[first_failure].key, "'",
                              why.empty() ? "" : ": ", why);
  } else if (first_unknown >= 0) {
    result.verdict = Verdict::kUnknown;
    result.why = absl::StrCat("key '", (*parts)[first_unknown].key, "': ",
                              outcomes[first_unknown].report.why);
  }
  return result;
}

}  // namespace ravensim::checkers
