#include "sim/clock.h"

#include <algorithm>

#include "core/base/check.h"

namespace ravensim::sim {
namespace {

constexpr int64_t kMillion = 1'000'000;

// elapsed * (1e6 + ppm) / 1e6, exactly, rounded toward negative infinity.
int64_t Scale(int64_t elapsed, int64_t ppm) {
  if (ppm == 0) return elapsed;  // The common case; the same result without division.
  const __int128 product = static_cast<__int128>(elapsed) * (kMillion + ppm);
  __int128 quotient = product / kMillion;
  if (product % kMillion != 0 && product < 0) --quotient;
  return static_cast<int64_t>(quotient);
}

// A reading clamped to ±Clock::kMaxReading.
int64_t ClampReading(__int128 nanos) {
  if (nanos > Clock::kMaxReading) return Clock::kMaxReading;
  if (nanos < -Clock::kMaxReading) return -Clock::kMaxReading;
  return static_cast<int64_t>(nanos);
}

}  // namespace

Clock::Clock(const ClockOptions& options) : offset_(options.offset) {
  CHECK_LT(options.drift_ppm, kMaxAbsDriftPpm);
  CHECK_GT(options.drift_ppm, -kMaxAbsDriftPpm);
  segments_.push_back(Segment{SimTime::Zero(), 0, options.drift_ppm});
}

const Clock::Segment& Clock::EarlierSegmentAt(SimTime true_now) const {
  // Last segment whose start is <= true_now (the first one covers negative times too).
  auto it = std::upper_bound(
      segments_.begin(), segments_.end(), true_now,
      [](SimTime t, const Segment& s) { return t < s.true_start; });
  if (it == segments_.begin()) return segments_.front();
  return *(it - 1);
}

int64_t Clock::DriftedElapsedSlow(SimTime true_now) const {
  const Segment& s = SegmentAt(true_now);
  return s.elapsed_start + Scale((true_now - s.true_start).nanos(), s.drift_ppm);
}

void Clock::SetDrift(SimTime at, int64_t drift_ppm) {
  CHECK_LT(drift_ppm, kMaxAbsDriftPpm);
  CHECK_GT(drift_ppm, -kMaxAbsDriftPpm);
  CHECK_GE(at, segments_.back().true_start);
  const int64_t elapsed = DriftedElapsed(at);
  if (at == segments_.back().true_start) {
    segments_.back().drift_ppm = drift_ppm;
    return;
  }
  segments_.push_back(Segment{at, elapsed, drift_ppm});
}

void Clock::AddJump(SimTime at, SimDuration delta) {
  auto it = std::upper_bound(jumps_.begin(), jumps_.end(), at,
                             [](SimTime t, const Jump& j) { return t < j.at; });
  jumps_.insert(it, Jump{at, delta});
}

SimTime Clock::WallTime(SimTime true_now) const {
  SimTime monotonic, wall;
  ReadWithJumps(true_now, &monotonic, &wall);
  return wall;
}

SimTime Clock::MonotonicTimeWithJumps(SimTime true_now) const {
  SimTime monotonic, wall;
  ReadWithJumps(true_now, &monotonic, &wall);
  return monotonic;
}

void Clock::ReadWithJumps(SimTime true_now, SimTime* monotonic, SimTime* wall) const {
  const int64_t elapsed = DriftedElapsed(true_now);
  // Summed in 128 bits and clamped: thousands of jumps of a year each cannot wrap.
  __int128 forward = 0;  // jumps forward only (the monotonic clock ignores backward ones)
  __int128 all = 0;
  for (const Jump& j : jumps_) {
    if (j.at > true_now) break;
    all += j.delta.nanos();
    if (j.delta > SimDuration::Zero()) forward += j.delta.nanos();
  }
  *monotonic = SimTime::FromNanos(ClampReading(elapsed + forward));
  *wall = SimTime::FromNanos(ClampReading(offset_.nanos() + elapsed + all));
}

SimDuration Clock::TrueDurationForSlow(SimTime true_now, SimDuration local) const {
  CHECK_GE(local, SimDuration::Zero());
  const int64_t ppm = SegmentAt(true_now).drift_ppm;
  if (ppm == 0) return local;
  const __int128 numerator = static_cast<__int128>(local.nanos()) * kMillion;
  const int64_t rate = kMillion + ppm;
  return SimDuration::Nanos(static_cast<int64_t>((numerator + rate - 1) / rate));
}

int64_t Clock::drift_ppm_at(SimTime true_now) const {
  return SegmentAt(true_now).drift_ppm;
}

}  // namespace ravensim::sim
