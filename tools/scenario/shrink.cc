#include "tools/scenario/shrink.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "tools/scenario/duration.h"

namespace ravensim::tools {
namespace {

using scenarios::FaultEvent;
using scenarios::Scenario;
using sim::SimDuration;

int64_t WallNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t DurationNanos(const std::string& text) {
  auto d = ParseDuration(text);
  return d.ok() ? d->nanos() : 0;
}

// Runs candidates against the predicate within the attempt and time budget.
class Search {
 public:
  Search(const FailurePredicate& fails, const ShrinkOptions& options, ShrinkStats* stats)
      : fails_(fails), options_(options), stats_(stats), start_ns_(WallNanos()) {}

  bool exhausted() {
    if (stats_->attempts >= options_.max_attempts ||
        (options_.wall_budget_ns > 0 && WallNanos() - start_ns_ >= options_.wall_budget_ns)) {
      stats_->budget_exhausted = true;
    }
    return stats_->budget_exhausted;
  }

  // True (and `best` updated) if `candidate` still fails.
  bool Try(const Scenario& candidate, Scenario* best, const std::string& what) {
    if (exhausted()) return false;
    ++stats_->attempts;
    if (!fails_(candidate)) return false;
    *best = candidate;
    ++stats_->accepted;
    if (options_.log) options_.log(absl::StrCat(what, " -> ", SizeOf(*best).ToString()));
    return true;
  }

 private:
  const FailurePredicate& fails_;
  const ShrinkOptions& options_;
  ShrinkStats* stats_;
  int64_t start_ns_;
};

Scenario WithTimeline(const Scenario& base, const std::vector<FaultEvent>& events) {
  Scenario s = base;
  s.clear_timeline();
  for (const FaultEvent& e : events) *s.add_timeline() = e;
  return s;
}

// ddmin over the timeline: try removing each of n chunks; on success keep the rest and
// coarsen, otherwise refine until chunks are single events.
bool DropFaults(Search& search, Scenario* best) {
  bool progress = false;
  size_t n = 2;
  while (best->timeline_size() > 0 && !search.exhausted()) {
    const std::vector<FaultEvent> events(best->timeline().begin(), best->timeline().end());
    const size_t size = events.size();
    n = std::min(n, size);
    bool removed = false;
    for (size_t chunk = 0; chunk < n && !removed; ++chunk) {
      const size_t lo = chunk * size / n;
      const size_t hi = (chunk + 1) * size / n;
      std::vector<FaultEvent> rest(events.begin(), events.begin() + lo);
      rest.insert(rest.end(), events.begin() + hi, events.end());
      const std::string what = hi - lo == 1
                                   ? absl::StrCat("dropped fault event ", lo)
                                   : absl::StrCat("dropped fault events ", lo, "..", hi - 1);
      removed = search.Try(WithTimeline(*best, rest), best, what);
    }
    if (removed) {
      progress = true;
      n = std::max<size_t>(n - 1, 2);
    } else if (n >= size) {
      break;
    } else {
      n = std::min(n * 2, size);
    }
  }
  return progress;
}

bool ShortenFaults(Search& search, Scenario* best) {
  bool progress = false;
  for (int i = 0; i < best->timeline_size() && !search.exhausted(); ++i) {
    int64_t current = DurationNanos(best->timeline(i).duration());
    // Halve while it still fails; stop at a millisecond.
    while (current > 1'000'000 && !search.exhausted()) {
      const int64_t shorter = std::max<int64_t>(current / 2, 1'000'000);
      Scenario candidate = *best;
      candidate.mutable_timeline(i)->set_duration(
          FormatDuration(SimDuration::Nanos(shorter)));
      if (!search.Try(candidate, best,
                      absl::StrCat("shortened fault event ", i, " to ",
                                   FormatDuration(SimDuration::Nanos(shorter))))) {
        break;
      }
      current = shorter;
      progress = true;
    }
  }
  return progress;
}

// Binary search for the smallest value in [lo, hi) of `set(candidate, v)` that still
// fails, given that `hi` fails.
bool MinimizeInt(Search& search, Scenario* best, int64_t lo, int64_t hi,
                 const std::function<void(Scenario*, int64_t)>& set, const std::string& what) {
  bool progress = false;
  while (lo < hi && !search.exhausted()) {
    const int64_t mid = lo + (hi - lo) / 2;
    Scenario candidate = *best;
    set(&candidate, mid);
    if (search.Try(candidate, best, absl::StrCat(what, " ", mid))) {
      hi = mid;
      progress = true;
    } else {
      lo = mid + 1;
    }
  }
  return progress;
}

bool DropClients(Search& search, Scenario* best) {
  const int32_t clients = best->workload().clients();
  if (clients == 0) return false;
  return MinimizeInt(
      search, best, 0, clients,
      [](Scenario* s, int64_t v) { s->mutable_workload()->set_clients(static_cast<int32_t>(v)); },
      "clients");
}

bool CapOperations(Search& search, Scenario* best) {
  if (best->workload().clients() == 0) return false;
  auto set = [](Scenario* s, int64_t v) {
    s->mutable_workload()->mutable_register_()->set_operations_per_client(
        static_cast<int32_t>(v));
  };
  int64_t cap = best->workload().register_().operations_per_client();
  if (cap == 0) {
    // Unlimited: find a failing cap by doubling first.
    for (int64_t limit = 1; limit <= (1 << 16) && !search.exhausted(); limit *= 2) {
      Scenario candidate = *best;
      set(&candidate, limit);
      if (search.Try(candidate, best, absl::StrCat("operations per client ", limit))) {
        return MinimizeInt(search, best, limit / 2 + 1, limit, set, "operations per client") ||
               true;
      }
    }
    return false;
  }
  return MinimizeInt(search, best, 1, cap, set, "operations per client");
}

// Moves the whole timeline earlier (keeping the gaps between faults) so the failure
// shows sooner: the smallest start, in milliseconds, that still fails.
bool ShiftEarlier(Search& search, Scenario* best) {
  if (best->timeline_size() == 0) return false;
  int64_t first = DurationNanos(best->timeline(0).at());
  for (const FaultEvent& e : best->timeline()) first = std::min(first, DurationNanos(e.at()));
  const int64_t first_ms = first / 1'000'000;
  if (first_ms == 0) return false;
  const Scenario base = *best;
  return MinimizeInt(
      search, best, 0, first_ms,
      [&base, first](Scenario* s, int64_t start_ms) {
        const int64_t shift = first - start_ms * 1'000'000;
        for (int i = 0; i < s->timeline_size(); ++i) {
          const int64_t at = DurationNanos(base.timeline(i).at()) - shift;
          s->mutable_timeline(i)->set_at(FormatDuration(SimDuration::Nanos(at)));
        }
      },
      "first fault moved to (ms)");
}

bool ShortenRun(Search& search, Scenario* best) {
  const int64_t run = DurationNanos(best->run().duration());
  int64_t last_fault = 0;
  for (const FaultEvent& e : best->timeline()) {
    last_fault = std::max(last_fault, DurationNanos(e.at()) + DurationNanos(e.duration()));
  }
  // Keep the phase at least 1 ms past the last fault; search in milliseconds.
  const int64_t lo_ms = last_fault / 1'000'000 + 1;
  const int64_t hi_ms = run / 1'000'000;
  if (lo_ms >= hi_ms) return false;
  return MinimizeInt(
      search, best, lo_ms, hi_ms,
      [](Scenario* s, int64_t ms) {
        s->mutable_run()->set_duration(FormatDuration(SimDuration::Millis(ms)));
      },
      "fault phase (ms)");
}

}  // namespace

std::string ScenarioSize::ToString() const {
  return absl::StrCat(fault_events, " fault event", fault_events == 1 ? "" : "s", ", ",
                      clients, " client", clients == 1 ? "" : "s", ", ",
                      operations_per_client == 0
                          ? std::string("unlimited operations")
                          : absl::StrCat(operations_per_client, " operations"),
                      " per client, fault phase ",
                      FormatDuration(SimDuration::Nanos(run_duration_ns)));
}

ScenarioSize SizeOf(const Scenario& scenario) {
  ScenarioSize size;
  size.fault_events = scenario.timeline_size();
  size.clients = scenario.workload().clients();
  size.operations_per_client = scenario.workload().register_().operations_per_client();
  size.run_duration_ns = DurationNanos(scenario.run().duration());
  return size;
}

absl::StatusOr<Scenario> Shrink(const Scenario& start, const FailurePredicate& fails,
                                const ShrinkOptions& options, ShrinkStats* stats) {
  CHECK(stats != nullptr);
  *stats = ShrinkStats{};
  const int64_t start_ns = WallNanos();
  for (const FaultEvent& e : start.timeline()) {
    if (e.has_on()) {
      return absl::InvalidArgumentError("shrink needs an explicit timeline (no triggers)");
    }
  }
  if (!start.random_faults().mean_interval().empty() &&
      DurationNanos(start.random_faults().mean_interval()) > 0) {
    return absl::InvalidArgumentError("shrink needs an explicit timeline (no random faults)");
  }
  ++stats->attempts;
  if (!fails(start)) {
    stats->wall_time_ns = WallNanos() - start_ns;
    return absl::FailedPreconditionError(
        "the scenario does not fail with the original signature; nothing to shrink");
  }
  Scenario best = start;
  Search search(fails, options, stats);
  constexpr int kMaxRounds = 8;
  for (int round = 0; round < kMaxRounds && !search.exhausted(); ++round) {
    bool progress = DropFaults(search, &best);
    progress |= ShortenFaults(search, &best);
    progress |= DropClients(search, &best);
    progress |= CapOperations(search, &best);
    progress |= ShiftEarlier(search, &best);
    progress |= ShortenRun(search, &best);
    if (!progress) break;
  }
  stats->wall_time_ns = WallNanos() - start_ns;
  return best;
}

}  // namespace ravensim::tools
