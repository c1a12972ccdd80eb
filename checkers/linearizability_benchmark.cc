// Figures of DESIGN.md §10 / docs/PERFORMANCE.md:
//   BM_EtcdAll            all 102 Porcupine etcd histories (+ the empty one), verdicts only
//   BM_EtcdOne/N          single etcd histories (the hard ones of oracles/README.md)
//   BM_KvPartitioned/F    a Porcupine kv file, partitioned by key
//   BM_CmpxchgGenerated   a generated 100,000-operation compare-exchange history
//                         (50 clients, 100 keys, 5% unknown outcomes)
// Run: bazel run -c opt //checkers:linearizability_benchmark
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "benchmark/benchmark.h"
#include "checkers/cmpxchg_history_generator.h"
#include "checkers/history/history.h"
#include "checkers/history/importers.h"
#include "checkers/linearizability.h"
#include "checkers/oracles_path.h"
#include "core/base/check.h"

namespace ravensim::checkers {
namespace {

std::string Oracles() {
  absl::StatusOr<std::string> dir = FindOraclesDir();
  CHECK_MSG(dir.ok(), dir.status().ToString());
  return *dir;
}

history::History LoadEtcd(int i) {
  const std::string path = absl::StrFormat("%s/porcupine/jepsen/etcd_%03d.log", Oracles(), i);
  absl::StatusOr<std::string> text = history::ReadFileToString(path);
  CHECK(text.ok());
  absl::StatusOr<history::History> h = history::ParseJepsenEtcdLog(*text, path);
  CHECK(h.ok());
  return *std::move(h);
}

Verdict Run(const history::History& h, ModelKind model) {
  LinearizabilityOptions options;
  options.model = model;
  options.explain = false;
  absl::StatusOr<LinearizabilityResult> r = CheckLinearizability(h, options);
  CHECK(r.ok());
  return r->verdict;
}

void BM_EtcdAll(benchmark::State& state) {
  std::vector<history::History> all;
  for (int i = 0; i <= 102; ++i) all.push_back(LoadEtcd(i));
  for (auto _ : state) {
    int linearizable = 0;
    for (const history::History& h : all) {
      linearizable += Run(h, ModelKind::kRegister) == Verdict::kLinearizable;
    }
    CHECK_EQ(linearizable, 24);
  }
}
BENCHMARK(BM_EtcdAll)->Unit(benchmark::kMillisecond);

void BM_EtcdOne(benchmark::State& state) {
  const history::History h = LoadEtcd(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(Run(h, ModelKind::kRegister));
}
BENCHMARK(BM_EtcdOne)->Arg(2)->Arg(7)->Arg(40)->Arg(57)->Arg(85)->Arg(97)->Arg(99)
    ->Unit(benchmark::kMillisecond);

void BM_KvPartitioned(benchmark::State& state, const char* file, Verdict want) {
  const std::string path = absl::StrFormat("%s/porcupine/kv/%s", Oracles(), file);
  absl::StatusOr<std::string> text = history::ReadFileToString(path);
  CHECK(text.ok());
  absl::StatusOr<history::History> h = history::ParsePorcupineKv(*text, path);
  CHECK(h.ok());
  for (auto _ : state) CHECK(Run(*h, ModelKind::kKv) == want);
}
BENCHMARK_CAPTURE(BM_KvPartitioned, c50_ok, "c50-ok.txt", Verdict::kLinearizable)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_KvPartitioned, c50_bad, "c50-bad.txt", Verdict::kNotLinearizable)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_KvPartitioned, c10_ok, "c10-ok.txt", Verdict::kLinearizable)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_KvPartitioned, c10_bad, "c10-bad.txt", Verdict::kNotLinearizable)
    ->Unit(benchmark::kMillisecond);

void BM_CmpxchgGenerated(benchmark::State& state) {
  CmpxchgHistoryOptions gen;
  gen.operation_count = 100'000;
  gen.client_count = 50;
  gen.key_count = 100;
  gen.unknown_per_mille = 50;
  const history::History h = GenerateCmpxchgHistory(gen, /*seed=*/42);
  for (auto _ : state) CHECK(Run(h, ModelKind::kCmpxchg) == Verdict::kLinearizable);
  state.counters["operations"] = h.operations_size();
}
BENCHMARK(BM_CmpxchgGenerated)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ravensim::checkers

BENCHMARK_MAIN();
