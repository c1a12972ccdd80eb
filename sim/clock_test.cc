#include "sim/clock.h"

#include "gtest/gtest.h"

namespace ravensim::sim {
namespace {

SimTime At(int64_t ms) { return SimTime::FromNanos(ms * 1000000); }
SimDuration Ms(int64_t ms) { return SimDuration::Millis(ms); }

TEST(ClockTest, PerfectClockFollowsTrueTimePlusOffset) {
  Clock clock(ClockOptions{.offset = Ms(250)});
  EXPECT_EQ(clock.WallTime(At(0)), At(250));
  EXPECT_EQ(clock.WallTime(At(1000)), At(1250));
  // The monotonic reading ignores the wall offset.
  EXPECT_EQ(clock.MonotonicTime(At(1000)), At(1000));
}

TEST(ClockTest, DriftInPartsPerMillion) {
  Clock fast(ClockOptions{.drift_ppm = 100});   // Gains 100 µs per second.
  Clock slow(ClockOptions{.drift_ppm = -250});  // Loses 250 µs per second.
  EXPECT_EQ(fast.WallTime(At(10'000)), At(10'000) + SimDuration::Micros(1000));
  EXPECT_EQ(slow.WallTime(At(10'000)), At(10'000) - SimDuration::Micros(2500));
  EXPECT_EQ(fast.MonotonicTime(At(1000)), At(1000) + SimDuration::Micros(100));
}

TEST(ClockTest, DriftChangeKeepsReadingsContinuous) {
  Clock clock(ClockOptions{.drift_ppm = 1000});
  const SimTime before = clock.WallTime(At(5000));  // 5000 ms + 5 ms.
  EXPECT_EQ(before, At(5005));
  clock.SetDrift(At(5000), -1000);
  EXPECT_EQ(clock.WallTime(At(5000)), before);
  EXPECT_EQ(clock.WallTime(At(6000)), At(6004));  // Loses 1 ms over the next second.
  EXPECT_EQ(clock.drift_ppm_at(At(4000)), 1000);
  EXPECT_EQ(clock.drift_ppm_at(At(6000)), -1000);
}

TEST(ClockTest, ForwardAndBackwardJumps) {
  Clock clock;
  clock.AddJump(At(2000), Ms(500));
  clock.AddJump(At(1000), -Ms(300));  // Added out of order on purpose.
  EXPECT_EQ(clock.WallTime(At(999)), At(999));
  EXPECT_EQ(clock.WallTime(At(1000)), At(700));   // Stepped back.
  EXPECT_EQ(clock.WallTime(At(2000)), At(2200));  // -300 + 500.
  // Monotonic time takes only the forward jump and never decreases.
  EXPECT_EQ(clock.MonotonicTime(At(1000)), At(1000));
  EXPECT_EQ(clock.MonotonicTime(At(2000)), At(2500));
  SimTime last = SimTime::FromNanos(-1);
  for (int64_t ms = 0; ms < 3000; ms += 7) {
    const SimTime m = clock.MonotonicTime(At(ms));
    EXPECT_GE(m, last);
    last = m;
  }
}

// Eight jumps of fifty years, forward then sixteen back: past 2^63 either way in sum.
// Readings saturate at ±kMaxReading instead of wrapping, and come back exactly once the
// sum is in range again.
TEST(ClockTest, ReadingsSaturateInsteadOfWrapping) {
  const SimDuration fifty_years = SimDuration::Seconds(int64_t{50} * 36'525 * 86'400 / 100);
  Clock clock;
  for (int i = 0; i < 8; ++i) clock.AddJump(At(1000 + i), fifty_years);
  EXPECT_EQ(clock.WallTime(At(1001)), SimTime::Zero() + fifty_years * 2 + Ms(1001));
  EXPECT_EQ(clock.WallTime(At(1002)), SimTime::FromNanos(Clock::kMaxReading));
  EXPECT_EQ(clock.WallTime(At(1007)), SimTime::FromNanos(Clock::kMaxReading));
  EXPECT_EQ(clock.MonotonicTime(At(1007)), SimTime::FromNanos(Clock::kMaxReading));
  for (int i = 0; i < 16; ++i) clock.AddJump(At(2000 + i), -fifty_years);
  EXPECT_EQ(clock.WallTime(At(2007)), SimTime::Zero() + Ms(2007));  // Eight back: zero net.
  EXPECT_EQ(clock.WallTime(At(2015)), SimTime::FromNanos(-Clock::kMaxReading));
  SimTime monotonic, wall;
  clock.Read(At(2015), &monotonic, &wall);
  EXPECT_EQ(monotonic, SimTime::FromNanos(Clock::kMaxReading));  // Never goes back.
  EXPECT_EQ(wall, SimTime::FromNanos(-Clock::kMaxReading));
}

TEST(ClockTest, ReadGivesBothReadingsAsTheyAreAlone) {
  Clock clock(ClockOptions{.offset = Ms(250), .drift_ppm = 300});
  clock.AddJump(At(2000), Ms(500));
  clock.AddJump(At(1000), -Ms(300));
  clock.SetDrift(At(1500), -700);
  for (int64_t ms = -100; ms < 4000; ms += 13) {
    SimTime monotonic, wall;
    clock.Read(At(ms), &monotonic, &wall);
    EXPECT_EQ(monotonic, clock.MonotonicTime(At(ms))) << ms;
    EXPECT_EQ(wall, clock.WallTime(At(ms))) << ms;
  }
}

TEST(ClockTest, TrueDurationForLocalDurationRoundsUp) {
  Clock fast(ClockOptions{.drift_ppm = 500'000 - 1});
  Clock exact;
  EXPECT_EQ(exact.TrueDurationFor(At(0), Ms(300)), Ms(300));
  Clock slow(ClockOptions{.drift_ppm = -200'000});  // Runs at 0.8x.
  EXPECT_EQ(slow.TrueDurationFor(At(0), Ms(80)), Ms(100));
  // A timer set for the converted duration never fires early by the node's own clock.
  Clock odd(ClockOptions{.drift_ppm = 333});
  const SimDuration local = SimDuration::Nanos(1'000'003);
  const SimDuration real = odd.TrueDurationFor(At(0), local);
  EXPECT_GE(odd.MonotonicTime(At(0) + real) - odd.MonotonicTime(At(0)), local);
  EXPECT_LT(odd.MonotonicTime(At(0) + real - SimDuration::Nanos(1)) -
                odd.MonotonicTime(At(0)),
            local);
  (void)fast;
}

// The inline readings (no jumps; no drift in the latest segment) against the general
// ones: the same clock read at times in every segment, before and after a jump is
// added, and durations converted across a drift change back to zero.
TEST(ClockTest, InlineReadingsMatchTheGeneralPath) {
  Clock clock(ClockOptions{.offset = Ms(40), .drift_ppm = 250});
  clock.SetDrift(At(1000), 0);
  clock.SetDrift(At(2000), -125);
  clock.SetDrift(At(3000), 0);
  Clock with_jump = clock;
  with_jump.AddJump(At(10'000), Ms(1));  // After every reading: changes none of them.
  for (int64_t ms = -50; ms < 4000; ms += 7) {
    const SimTime t = At(ms) + SimDuration::Nanos(ms * 37);
    EXPECT_EQ(clock.MonotonicTime(t), with_jump.MonotonicTime(t)) << ms;
    SimTime monotonic, wall;
    clock.Read(t, &monotonic, &wall);
    EXPECT_EQ(clock.MonotonicTime(t), monotonic) << ms;
    for (const SimDuration local : {SimDuration::Zero(), SimDuration::Nanos(1), Ms(3)}) {
      const SimDuration real = clock.TrueDurationFor(t, local);
      EXPECT_EQ(real, with_jump.TrueDurationFor(t, local)) << ms;
      // Never early by the clock's own reading, and exact where it does not drift.
      EXPECT_GE(clock.MonotonicTime(t + real) - clock.MonotonicTime(t), local) << ms;
      if (clock.drift_ppm_at(t) == 0) {
        EXPECT_EQ(real, local) << ms;
      }
    }
  }
  EXPECT_EQ(clock.TrueDurationFor(At(500), Ms(1)), SimDuration::Nanos(999'751));
  EXPECT_EQ(clock.TrueDurationFor(At(3500), Ms(1)), Ms(1));
}

TEST(ClockDeathTest, RejectsAbsurdDrift) {
  EXPECT_DEATH(Clock(ClockOptions{.drift_ppm = 600'000}), "drift_ppm");
}

}  // namespace
}  // namespace ravensim::sim
