// Kernel figures (docs/PERFORMANCE.md): scheduler push+pop with 10,000 pending events,
// and PRNG draws per second. Run: bazel run -c opt //sim:kernel_benchmark
#include <cstdint>
#include <vector>

#include "benchmark/benchmark.h"
#include "sim/prng.h"
#include "sim/scheduler.h"

namespace ravensim::sim {
namespace {

// Keeps `pending` events in the queue; each iteration pops the earliest event, whose
// callback pushes one new event at a pseudo-random later time. One iteration = one push
// and one pop. Items processed = events.
void BM_SchedulerPushPop(benchmark::State& state) {
  const int64_t pending = state.range(0);
  Scheduler scheduler(SchedulerOptions{.event_budget = UINT64_MAX});
  Prng prng(1);
  uint64_t sink = 0;
  for (int64_t i = 0; i < pending; ++i) {
    scheduler.Schedule(SimTime::FromNanos(static_cast<int64_t>(prng.UniformBelow(1000000))),
                       [&sink] { ++sink; });
  }
  // Delays are drawn before timing starts (the PRNG has its own figures below), so the
  // loop measures the scheduler alone.
  constexpr size_t kDelays = 1 << 16;
  std::vector<int64_t> delays(kDelays);
  for (int64_t& d : delays) d = static_cast<int64_t>(prng.UniformBelow(1000000));
  size_t next = 0;
  for (auto _ : state) {
    scheduler.ScheduleAfter(SimDuration::Nanos(delays[next]), [&sink] { ++sink; });
    next = (next + 1) & (kDelays - 1);
    scheduler.Step();
  }
  benchmark::DoNotOptimize(sink);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SchedulerPushPop)->Arg(10000)->Arg(100000);

// Schedule + cancel, the timer-reset pattern of election timeouts.
void BM_SchedulerScheduleCancel(benchmark::State& state) {
  Scheduler scheduler(SchedulerOptions{.event_budget = UINT64_MAX});
  Prng prng(2);
  for (int i = 0; i < 10000; ++i) {
    scheduler.Schedule(SimTime::FromNanos(static_cast<int64_t>(prng.UniformBelow(1000000))),
                       [] {});
  }
  for (auto _ : state) {
    TimerId id = scheduler.ScheduleAfter(SimDuration::Nanos(500), [] {});
    scheduler.Cancel(id);
    // Drain the stale entry now and then, as a running simulation would.
    if ((state.iterations() & 1023) == 0) scheduler.next_event_time();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SchedulerScheduleCancel);

void BM_PrngNext(benchmark::State& state) {
  Prng prng(3);
  uint64_t x = 0;
  for (auto _ : state) x ^= prng.Next();
  benchmark::DoNotOptimize(x);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PrngNext);

void BM_PrngUniformBelow(benchmark::State& state) {
  Prng prng(4);
  uint64_t x = 0;
  for (auto _ : state) x += prng.UniformBelow(1000);
  benchmark::DoNotOptimize(x);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PrngUniformBelow);

void BM_PrngExponential(benchmark::State& state) {
  Prng prng(5);
  int64_t x = 0;
  for (auto _ : state) x += prng.Exponential(1000000);
  benchmark::DoNotOptimize(x);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PrngExponential);

void BM_PrngLogNormalish(benchmark::State& state) {
  Prng prng(6);
  int64_t x = 0;
  for (auto _ : state) x += prng.LogNormalish(100000, 1000000, 50000000);
  benchmark::DoNotOptimize(x);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PrngLogNormalish);

}  // namespace
}  // namespace ravensim::sim
