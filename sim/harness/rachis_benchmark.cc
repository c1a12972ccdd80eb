// Figures for docs/PERFORMANCE.md: a 5-node Rachis cluster in the simulated world with
// clients committing about 100 commands per simulated second, the Raft invariant checker
// on every observation.
//   bazel run -c opt //sim/harness:rachis_benchmark
// Rates are per CPU second of the benchmark thread (the simulation is single-threaded,
// so on an idle machine CPU and wall time agree; on a busy one CPU time is the honest
// measure). Counters: sim_x = simulated seconds per second; commits/s = commands acknowledged
// per second; seeds/core-h = 60-simulated-second runs per core-hour.
#include <cstdint>

#include "benchmark/benchmark.h"
#include "core/base/check.h"
#include "sim/harness/rachis_world.h"

namespace ravensim::harness {
namespace {

void RunCluster(benchmark::State& state, int64_t sim_seconds, bool check) {
  uint64_t seed = 1;
  int64_t acknowledged = 0;
  int64_t simulated_ns = 0;
  int64_t runs = 0;
  int64_t events = 0;
  int64_t trace_events = 0;
  for (auto _ : state) {
    // One client, ~6.9 ms think time + ~3.1 ms per commit: 100 commands per simulated
    // second (the commits/sim_s counter shows ≈ 100.6 over the seeds of a 2-s run).
    RachisWorld rw({.seed = seed++,
                    .members = 5,
                    .clients = 1,
                    .client_think_time_mean_ns = 6'870'000,
                    .check_invariants = check});
    rw.world().Start();
    CHECK(rw.world().RunFor(SimDuration::Seconds(sim_seconds)).ok());
    CHECK(rw.checker().Result().ok);
    acknowledged += rw.acknowledged();
    events += static_cast<int64_t>(rw.world().scheduler().events_run());
    trace_events += static_cast<int64_t>(rw.world().trace().event_count());
    simulated_ns += rw.world().now().nanos();
    ++runs;
  }
  state.counters["events/commit"] = benchmark::Counter(
      static_cast<double>(events) / static_cast<double>(acknowledged > 0 ? acknowledged : 1));
  state.counters["trace/commit"] = benchmark::Counter(
      static_cast<double>(trace_events) / static_cast<double>(acknowledged > 0 ? acknowledged : 1));
  state.counters["sim_x"] = benchmark::Counter(static_cast<double>(simulated_ns) / 1e9,
                                               benchmark::Counter::kIsRate);
  state.counters["commits/s"] =
      benchmark::Counter(static_cast<double>(acknowledged), benchmark::Counter::kIsRate);
  state.counters["commits/sim_s"] = benchmark::Counter(
      static_cast<double>(acknowledged) / (static_cast<double>(simulated_ns) / 1e9));
  // Runs of 60 simulated seconds per hour of one core.
  state.counters["seeds/core-h"] = benchmark::Counter(
      static_cast<double>(runs) * 3600.0 * static_cast<double>(sim_seconds) / 60.0,
      benchmark::Counter::kIsRate);
}

void BM_FiveNodes100CommandsPerSecond(benchmark::State& state) {
  RunCluster(state, state.range(0), /*check=*/true);
}
BENCHMARK(BM_FiveNodes100CommandsPerSecond)->Arg(60)->Unit(benchmark::kMillisecond);

void BM_FiveNodesNoChecker(benchmark::State& state) {
  RunCluster(state, state.range(0), /*check=*/false);
}
BENCHMARK(BM_FiveNodesNoChecker)->Arg(60)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ravensim::harness
