// sim::Clock: one node's view of time (DESIGN.md §2, "each node reads only its own clock").
//
// A Clock maps true simulated time to the node's local time. It has an offset, a drift in
// parts per million (a clock that runs fast or slow), and jumps scheduled at true times
// (an NTP step, an operator changing the time, a VM resumed after a pause). Both readings
// are pure functions of true time, so reading the clock never changes a run.
//
// Two readings, because the modelled system uses two:
//  * WallTime(): wall-clock-like (DateTime.UtcNow in RavenDB). offset + drifted elapsed
//    time + every jump, forward or backward. Can go backwards. Use it for what RavenDB
//    stamps with the wall clock: a document's LastModified (which ResolveToLatest
//    compares, RAVENDB_MODEL.md §3.2), compare-exchange expiration (§4.1).
//  * MonotonicTime(): a steady clock (Stopwatch / TickCount). Drifted elapsed time plus
//    forward jumps only; never decreases. Use it for timers and timeouts: election
//    timeouts and heartbeats (§1.2), the observer's grace periods (§2.2).
//
// Drift changes are piecewise: SetDrift(at, ppm) keeps both readings continuous at `at`.
// Thread-compatible; owned by the harness, one per simulated node.
#ifndef RAVENSIM_SIM_CLOCK_H_
#define RAVENSIM_SIM_CLOCK_H_

#include <cstdint>
#include <vector>

#include "sim/time.h"

namespace ravensim::sim {

struct ClockOptions {
  // Local wall time minus true time at true time zero.
  SimDuration offset = SimDuration::Zero();
  // Rate error: +100 means the clock gains 100 µs per true second.
  // REQUIRES: -500'000 < drift_ppm < 500'000.
  int64_t drift_ppm = 0;
};

class Clock {
 public:
  static constexpr int64_t kMaxAbsDriftPpm = 500'000;
  // Readings with jumps are clamped to ±2^62 ns (about ±146 years): jumps may sum past
  // any bound, and a node adds its timeouts to a reading without reaching INT64_MAX.
  static constexpr int64_t kMaxReading = int64_t{1} << 62;

  explicit Clock(const ClockOptions& options = {});

  // From true time `at` on, the clock runs at (1e6 + ppm)/1e6 of true speed.
  // REQUIRES: `at` is not before the start of the last drift segment.
  void SetDrift(SimTime at, int64_t drift_ppm);

  // At true time `at` the clock steps by `delta` (may be negative). Jumps can be added in
  // any order; two at the same time both apply.
  void AddJump(SimTime at, SimDuration delta);

  SimTime WallTime(SimTime true_now) const;
  // Inline when the clock has no jumps (the common case): the harness reads it for
  // every timer it sets or fires.
  SimTime MonotonicTime(SimTime true_now) const {
    if (jumps_.empty()) return SimTime::FromNanos(DriftedElapsed(true_now));
    return MonotonicTimeWithJumps(true_now);
  }
  // Both readings at once (what the harness hands a node on every call): the same values
  // as MonotonicTime() and WallTime(), the drift and the jumps walked once.
  // Inline when the clock has no jumps (the common case).
  void Read(SimTime true_now, SimTime* monotonic, SimTime* wall) const {
    if (jumps_.empty()) {
      const int64_t elapsed = DriftedElapsed(true_now);
      *monotonic = SimTime::FromNanos(elapsed);
      *wall = SimTime::FromNanos(offset_.nanos() + elapsed);
      return;
    }
    ReadWithJumps(true_now, monotonic, wall);
  }

  // How much true time passes while this clock advances by `local` at the drift in force
  // at `true_now` (rounded up, so a timer never fires early by its own clock).
  // REQUIRES: local >= 0.
  // Inline for a clock without drift at `true_now` (the common case).
  SimDuration TrueDurationFor(SimTime true_now, SimDuration local) const {
    const Segment& last = segments_.back();
    if (true_now >= last.true_start && last.drift_ppm == 0 &&
        local >= SimDuration::Zero()) {
      return local;
    }
    return TrueDurationForSlow(true_now, local);
  }

  int64_t drift_ppm_at(SimTime true_now) const;

 private:
  struct Segment {
    SimTime true_start;     // Segment starts here on the true timeline.
    int64_t elapsed_start;  // Drifted elapsed nanoseconds at true_start.
    int64_t drift_ppm;
  };
  struct Jump {
    SimTime at;
    SimDuration delta;
  };

  // Inline for the common case (the latest segment, no drift); the rest out of line.
  int64_t DriftedElapsed(SimTime true_now) const {
    const Segment& last = segments_.back();
    if (true_now >= last.true_start && last.drift_ppm == 0) {
      return last.elapsed_start + (true_now - last.true_start).nanos();
    }
    return DriftedElapsedSlow(true_now);
  }
  int64_t DriftedElapsedSlow(SimTime true_now) const;
  SimTime MonotonicTimeWithJumps(SimTime true_now) const;
  SimDuration TrueDurationForSlow(SimTime true_now, SimDuration local) const;
  void ReadWithJumps(SimTime true_now, SimTime* monotonic, SimTime* wall) const;
  const Segment& SegmentAt(SimTime true_now) const {
    // Time runs forward: the latest segment is nearly always the one asked for.
    if (true_now >= segments_.back().true_start) return segments_.back();
    return EarlierSegmentAt(true_now);
  }
  const Segment& EarlierSegmentAt(SimTime true_now) const;

  SimDuration offset_;
  std::vector<Segment> segments_;  // Invariant: non-empty, sorted by true_start.
  std::vector<Jump> jumps_;        // Invariant: sorted by `at` (stable for equal times).
};

}  // namespace ravensim::sim

#endif  // RAVENSIM_SIM_CLOCK_H_
