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

TEST(ClockDeathTest, RejectsAbsurdDrift) {
  EXPECT_DEATH(Clock(ClockOptions{.drift_ppm = 600'000}), "drift_ppm");
}

}  // namespace
}  // namespace ravensim::sim
