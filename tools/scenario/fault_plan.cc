#include "tools/scenario/fault_plan.h"

#include <algorithm>
#include <string>

#include "core/base/check.h"
#include "sim/prng.h"
#include "tools/scenario/duration.h"
#include "tools/scenario/ratio.h"
#include "tools/scenario/scenario_loader.h"

namespace ravensim::tools {
namespace {

using scenarios::FaultEvent;
using scenarios::FaultProfile;
using sim::SimDuration;
using sim::SimTime;

enum Kind {
  kPartition,
  kCrash,
  kPause,
  kClog,
  kClockJump,
  kClockDrift,
  kWipe,
  kDisk,
  kMembership,  // Only with membership_weight: not counted in the all-zero default.
  kKindCount
};

SimDuration Get(const std::string& text, SimDuration fallback) {
  auto d = ParseDurationOr(text, fallback);
  CHECK_MSG(d.ok(), "unvalidated duration %s", text.c_str());
  return *d;
}

Kind DrawKind(const FaultProfile& p, sim::Prng& prng) {
  uint64_t weights[kKindCount] = {p.partition_weight(),   p.crash_weight(),
                                  p.pause_weight(),       p.clog_weight(),
                                  p.clock_jump_weight(),  p.clock_drift_weight(),
                                  p.wipe_weight(),        p.disk_weight(),
                                  p.membership_weight()};
  uint64_t total = 0;
  for (uint64_t w : weights) total += w;
  if (total == 0) {  // Every fault kind alike; membership changes are not faults.
    for (uint64_t& w : weights) w = 1;
    weights[kMembership] = 0;
    total = kKindCount - 1;
  }
  uint64_t draw = prng.UniformBelow(total);
  for (int k = 0; k < kKindCount; ++k) {
    if (draw < weights[k]) return static_cast<Kind>(k);
    draw -= weights[k];
  }
  CHECK_UNREACHABLE("weights");
}

std::string DrawNode(int32_t nodes, sim::Prng& prng) {
  return NodeTag(static_cast<int32_t>(prng.UniformBelow(static_cast<uint64_t>(nodes))));
}

void DrawPartition(int32_t nodes, sim::Prng& prng, scenarios::Partition* p) {
  // Shapes that need three nodes are skipped in smaller clusters.
  const uint64_t shapes = nodes >= 3 ? 5 : 3;
  switch (prng.UniformBelow(shapes)) {
    case 0: p->set_isolate(DrawNode(nodes, prng)); return;
    case 1: p->set_isolate_leader(true); return;
    case 2: p->set_majority_minority(true); break;
    case 3: p->set_majorities_ring(true); break;
    default: p->set_bridge(true); break;
  }
  // A random member order (Fisher-Yates), so every node can land on every side.
  std::vector<int32_t> order(static_cast<size_t>(nodes));
  for (int32_t i = 0; i < nodes; ++i) order[i] = i;
  for (int32_t i = nodes - 1; i > 0; --i) {
    std::swap(order[i], order[prng.UniformBelow(static_cast<uint64_t>(i) + 1)]);
  }
  for (int32_t index : order) p->add_order(NodeTag(index));
}

void DrawNodeRef(int32_t nodes, sim::Prng& prng, scenarios::NodeRef* ref) {
  if (prng.Chance(1, 3)) {
    ref->set_leader(true);
  } else {
    ref->set_node(DrawNode(nodes, prng));
  }
}

// One of the disk faults that never damage synced data (scenario.proto, disk_weight):
// write errors, fsync errors, torn writes at a crash, slow I/O, or a full disk.
void DrawDiskFault(int32_t nodes, sim::Prng& prng, scenarios::DiskFault* d) {
  DrawNodeRef(nodes, prng, d->mutable_node());
  const auto one_in = [&](int64_t lo, int64_t hi) {
    return FormatRatio(sim::Ratio{1, static_cast<uint64_t>(prng.UniformIn(lo, hi))});
  };
  switch (prng.UniformBelow(5)) {
    case 0: d->set_write_error(one_in(2, 20)); return;
    case 1: d->set_fsync_error(one_in(2, 20)); return;
    case 2: d->set_torn_write("1/1"); return;  // Takes effect if the node crashes meanwhile.
    case 3:
      d->set_slow_io(one_in(1, 4));
      d->set_slow_io_latency(FormatDuration(SimDuration::Millis(prng.UniformIn(10, 500))));
      return;
    default: d->set_disk_full(true); return;
  }
}

// Fills the fault of `e`; returns false for kinds that have no duration.
bool DrawFault(Kind kind, const FaultProfile& p, int32_t nodes, sim::Prng& prng,
               FaultEvent* e) {
  switch (kind) {
    case kPartition: DrawPartition(nodes, prng, e->mutable_partition()); return true;
    case kCrash: DrawNodeRef(nodes, prng, e->mutable_crash()); return true;
    case kPause: DrawNodeRef(nodes, prng, e->mutable_pause()); return true;
    case kWipe: e->mutable_wipe()->set_node(DrawNode(nodes, prng)); return false;
    case kClog: {
      const int32_t a = static_cast<int32_t>(prng.UniformBelow(nodes));
      int32_t b = static_cast<int32_t>(prng.UniformBelow(nodes - 1));
      if (b >= a) ++b;
      e->mutable_clog()->set_a(NodeTag(a));
      e->mutable_clog()->set_b(NodeTag(b));
      e->mutable_clog()->set_extra_delay(
          FormatDuration(SimDuration::Millis(prng.UniformIn(50, 2000))));
      return true;
    }
    case kClockJump: {
      const int64_t max = Get(p.max_clock_jump(), SimDuration::Seconds(10)).millis();
      int64_t delta = prng.UniformIn(-max, max);
      if (delta == 0) delta = 1;
      e->mutable_clock_jump()->set_node(DrawNode(nodes, prng));
      e->mutable_clock_jump()->set_delta(FormatDuration(SimDuration::Millis(delta)));
      return false;
    }
    case kClockDrift: {
      const int64_t max = p.max_drift_ppm() == 0 ? 1000 : p.max_drift_ppm();
      e->mutable_clock_drift()->set_node(DrawNode(nodes, prng));
      e->mutable_clock_drift()->set_drift_ppm(prng.UniformIn(-max, max));
      return true;
    }
    case kDisk: DrawDiskFault(nodes, prng, e->mutable_disk()); return true;
    case kMembership:
      // A follower demoted to promotable: the leader promotes it back once its log
      // matches (CheckPromotables, §1.5), the cluster-level shape of a rehab.
      e->mutable_membership()->mutable_node()->set_follower(true);
      e->mutable_membership()->set_kind(scenarios::PROMOTABLE);
      return false;
    case kKindCount: break;
  }
  CHECK_UNREACHABLE("kind");
}

}  // namespace

std::vector<FaultEvent> DrawRandomFaults(const scenarios::Scenario& scenario, uint64_t seed,
                                         SimTime fault_phase_end) {
  std::vector<FaultEvent> events;
  const FaultProfile& p = scenario.random_faults();
  const SimDuration mean = Get(p.mean_interval(), SimDuration::Zero());
  const int32_t nodes = scenario.cluster().nodes();
  if (mean <= SimDuration::Zero() || nodes < 2) return events;
  sim::Prng prng = sim::Prng(seed).Fork(sim::StreamId::kFaultSchedule);
  const SimTime start = SimTime::Zero() + Get(p.start(), SimDuration::Seconds(1));
  const SimTime stop =
      p.stop().empty() ? fault_phase_end : SimTime::Zero() + Get(p.stop(), SimDuration::Zero());
  const SimDuration min_d = Get(p.min_duration(), SimDuration::Millis(500));
  const SimDuration max_d = Get(p.max_duration(), SimDuration::Seconds(5));
  const size_t max_concurrent = p.max_concurrent() == 0 ? 1 : p.max_concurrent();
  std::vector<SimTime> active_until;  // End times of faults still in force.
  SimTime t = start;
  while (static_cast<int32_t>(events.size()) < kMaxRandomFaults) {
    // A gap that reaches the stop ends the plan: nothing later is drawn, and a mean of
    // centuries cannot carry the time past INT64_MAX.
    const int64_t gap = prng.Exponential(mean.nanos());
    if (t >= stop || gap >= (stop - t).nanos()) break;
    t += SimDuration::Nanos(gap);
    std::erase_if(active_until, [&](SimTime end) { return end <= t; });
    if (active_until.size() >= max_concurrent) {
      t = *std::min_element(active_until.begin(), active_until.end());
      continue;
    }
    if (t >= stop) break;  // Reached by waiting for a fault to end.
    FaultEvent e;
    e.set_at(FormatDuration(t - SimTime::Zero()));
    const Kind kind = DrawKind(p, prng);
    const SimDuration length =
        SimDuration::Nanos(prng.UniformIn(min_d.nanos(), max_d.nanos()));
    if (DrawFault(kind, p, nodes, prng, &e)) {
      e.set_duration(FormatDuration(length));
      // Saturated: a fault of centuries still ends (never, in effect), not in the past.
      active_until.push_back(length.nanos() < (SimTime::Max() - t).nanos()
                                 ? t + length
                                 : SimTime::Max());
    }
    events.push_back(std::move(e));
  }
  return events;
}

}  // namespace ravensim::tools
