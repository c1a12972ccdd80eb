#include "tools/scenario/checks.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "checkers/linearizability.h"
#include "core/base/check.h"
#include "tools/scenario/duration.h"
#include "tools/scenario/scenario_loader.h"

namespace ravensim::tools {
namespace {

using sim::SimDuration;
using sim::SimTime;

SimTime TimeOr(const std::string& text, SimTime fallback) {
  if (text.empty()) return fallback;
  auto d = ParseDuration(text);
  CHECK_MSG(d.ok(), "unvalidated duration %s", text.c_str());
  return SimTime::Zero() + *d;
}

std::string At(SimTime t) { return sim::FormatSimTime(t); }

CheckReport LeaderWithin(const std::string& name, const scenarios::LeaderWithin& bound,
                         const RunFacts& facts) {
  CheckReport report{name};
  SimTime anchor = SimTime::Zero();
  std::string anchor_name = "the start";
  switch (bound.after()) {
    case scenarios::HEAL:
      if (!facts.heal_time.has_value()) {
        report.detail = "the run ended before the heal";
        return report;
      }
      anchor = *facts.heal_time;
      anchor_name = "the heal";
      break;
    case scenarios::LAST_FAULT:
      anchor = facts.last_fault_time;
      anchor_name = "the last fault";
      break;
    case scenarios::AT:
      anchor = TimeOr(bound.at(), SimTime::Zero());
      anchor_name = At(anchor);
      break;
    default:
      break;
  }
  const SimDuration within = TimeOr(bound.within(), SimTime::Zero()) - SimTime::Zero();
  std::optional<SimTime> first;
  if (bound.new_leader()) {
    for (const ClusterView::LeaderChange& c : facts.view->leader_changes()) {
      if (c.time >= anchor) {
        first = c.time;
        break;
      }
    }
    anchor_name = absl::StrCat(anchor_name, " (new leader)");
  } else {
    first = facts.view->FirstLeaderAtOrAfter(anchor);
  }
  if (first.has_value() && *first <= anchor + within) {
    report.verdict = Verdict::kHeld;
    report.detail = absl::StrCat("a leader ", FormatDuration(*first - anchor), " after ",
                                 anchor_name, " (bound ", FormatDuration(within), ")");
  } else if (facts.end < anchor) {
    report.detail = absl::StrCat("the run ended before ", anchor_name, " (", At(anchor), ")");
  } else if (facts.end < anchor + within) {
    report.detail = absl::StrCat("the run ended ", FormatDuration(facts.end - anchor), " after ",
                                 anchor_name, ", before the bound ", FormatDuration(within));
  } else {
    report.verdict = Verdict::kViolated;
    report.detail = absl::StrCat("no leader within ", FormatDuration(within), " after ",
                                 anchor_name, " (", At(anchor), ")",
                                 first.has_value() ? absl::StrCat("; first at ", At(*first))
                                                   : std::string("; none by the end"));
  }
  return report;
}

CheckReport LeaderStability(const std::string& name, const scenarios::LeaderStability& bound,
                            const RunFacts& facts) {
  CheckReport report{name};
  const SimTime from = TimeOr(bound.from(), SimTime::Zero());
  const SimTime to = TimeOr(bound.to(), facts.end);
  const int64_t changes = facts.view->LeaderChangesBetween(from, to);
  const bool held =
      changes >= bound.min_leader_changes() && changes <= bound.max_leader_changes();
  report.verdict = held ? Verdict::kHeld : Verdict::kViolated;
  report.detail = absl::StrCat(changes, " leader change", changes == 1 ? "" : "s", " in [",
                               At(from), ", ", At(to), ") (bound ", bound.min_leader_changes(),
                               "..", bound.max_leader_changes(), ")");
  return report;
}

CheckReport Progress(const std::string& name, const scenarios::Progress& bound,
                     const RunFacts& facts) {
  CheckReport report{name};
  const SimTime from = TimeOr(bound.from(), SimTime::Zero());
  const SimTime to = TimeOr(bound.to(), facts.end);
  int64_t ok = 0;
  for (const history::Operation& op : facts.history->operations()) {
    if (op.outcome() != history::OK || !op.has_return_time_ns()) continue;
    if (op.invoke_time_ns() < from.nanos() || op.return_time_ns() >= to.nanos()) continue;
    if (bound.via_size() > 0 &&
        std::find(bound.via().begin(), bound.via().end(), op.node()) == bound.via().end()) {
      continue;
    }
    ++ok;
  }
  if (bound.has_max_ok() && ok > bound.max_ok()) {
    report.verdict = Verdict::kViolated;
  } else if (ok >= bound.min_ok()) {
    report.verdict = Verdict::kHeld;
  } else if (facts.end < to) {
    report.verdict = Verdict::kUnknown;  // The window never closed: more could come.
  } else {
    report.verdict = Verdict::kViolated;
  }
  report.detail = absl::StrCat(ok, " operation", ok == 1 ? "" : "s", " ok in [", At(from), ", ",
                               At(to), ")",
                               bound.via_size() > 0 ? absl::StrCat(" via ", absl::StrJoin(bound.via(), ","))
                                                    : std::string(),
                               " (bound ", bound.min_ok(), "..",
                               bound.has_max_ok() ? absl::StrCat(bound.max_ok()) : "", ")");
  return report;
}

}  // namespace

const char* VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kHeld: return "held";
    case Verdict::kViolated: return "violated";
    case Verdict::kUnknown: return "unknown";
  }
  return "?";
}

CheckReport EvaluateLiveness(const scenarios::Liveness& liveness, const RunFacts& facts) {
  CHECK(facts.view != nullptr);
  CHECK(facts.history != nullptr);
  if (liveness.has_leader_within()) {
    return LeaderWithin(liveness.name(), liveness.leader_within(), facts);
  }
  if (liveness.has_leader_stability()) {
    return LeaderStability(liveness.name(), liveness.leader_stability(), facts);
  }
  CHECK(liveness.has_progress());
  return Progress(liveness.name(), liveness.progress(), facts);
}

CheckReport EvaluateWatchers(const ClusterView& view) {
  CheckReport report{"watchers_never_vote"};
  if (view.watcher_violations().empty()) {
    report.verdict = Verdict::kHeld;
    report.detail = "no watcher voted or ran for leader";
  } else {
    report.verdict = Verdict::kViolated;
    report.detail = absl::StrCat(view.watcher_violations().front(),
                                 view.watcher_violations().size() > 1
                                     ? absl::StrCat(" (and ", view.watcher_violations().size() - 1,
                                                    " more)")
                                     : std::string());
  }
  return report;
}

CheckReport EvaluateLinearizability(const history::History& history, int64_t max_steps,
                                    int threads) {
  CheckReport report{"linearizability"};
  checkers::LinearizabilityOptions options;
  options.model = checkers::ModelKind::kRegister;
  options.threads = threads;
  if (max_steps > 0) options.budget.max_steps = max_steps;
  auto result = checkers::CheckLinearizability(history, options);
  if (!result.ok()) {
    report.detail = std::string(result.status().message());
    return report;
  }
  switch (result->verdict) {
    case checkers::Verdict::kLinearizable:
      report.verdict = Verdict::kHeld;
      report.detail = absl::StrCat(history.operations_size(), " operations on ",
                                   result->partitions.size(), " key",
                                   result->partitions.size() == 1 ? "" : "s",
                                   " are linearizable");
      break;
    case checkers::Verdict::kNotLinearizable:
      report.verdict = Verdict::kViolated;
      report.detail = result->counterexample.has_value()
                          ? absl::StrCat("key ", result->counterexample->key, ": ",
                                         result->counterexample->explanation)
                          : result->why;
      break;
    case checkers::Verdict::kUnknown:
      report.detail = result->why;
      break;
  }
  // One line only.
  std::replace(report.detail.begin(), report.detail.end(), '\n', ' ');
  return report;
}

void ApplyExpectation(const scenarios::Expectation& expect, std::vector<CheckReport>* reports) {
  for (CheckReport& r : *reports) {
    r.expected_violated = std::find(expect.violated().begin(), expect.violated().end(),
                                    r.name) != expect.violated().end();
  }
}

}  // namespace ravensim::tools
