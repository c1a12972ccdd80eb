#!/usr/bin/env bash
# Builds the ravensim CLI and the Rachis benchmark with GCC profile-guided and link-time
# optimization (docs/PERFORMANCE.md, "Profile-guided build"): the simulator is branchy
# code whose hot paths a training run shows the compiler better than its heuristics do
# (≈ 20% faster Rachis runs). Three steps:
#   1. build both binaries instrumented (-fprofile-generate) and run them on a training
#      workload: the Rachis benchmark, the scenario suite and a swarm sweep;
#   2. rebuild them with -fprofile-use and -flto, the profile's directory named after a
#      hash of its contents, so Bazel's action keys (and its caches) change with it;
#   3. check the optimized CLI behaves exactly as the default build: the same fingerprints
#      for the same swarm seeds (a profile changes code layout, never results).
# The outputs go to bazel-out/k8-opt-pgo (--platform_suffix), so the plain -c opt build
# keeps its own, and the profiles to bazel-pgo-work/; once the check passes, the binaries
# are copied to pgo-bin/ravensim and pgo-bin/rachis_benchmark.
# Usage: tools/pgo_build.sh [--quick]   (--quick: a shorter training run, for CI)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

quick=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    *) echo "pgo_build.sh: unknown argument '$arg' (usage: tools/pgo_build.sh [--quick])" >&2
       exit 2 ;;
  esac
done

targets=(//tools:ravensim //sim/harness:rachis_benchmark)
# The profile directory's name must be absolute and the same in both builds; the
# objects' .gcda names inside it are their execroot paths, the same in any sandbox.
work="$root/bazel-pgo-work"
gen_dir="$work/gen"
# -O3 in both builds (the profile must come from the same optimization level): with the
# profile it runs ≈ 2.6% fewer instructions than -O2 and ran 1–4% faster on the Rachis
# benchmark (docs/PERFORMANCE.md); without a profile it gained nothing.
common=(-c opt --copt=-O3 --platform_suffix=pgo --symlink_prefix=/)

rm -rf "$gen_dir"
mkdir -p "$gen_dir"
echo "== pgo: instrumented build"
bazel build "${common[@]}" "--copt=-fprofile-generate=$gen_dir" \
  --copt=-fprofile-update=prefer-atomic --linkopt=-fprofile-generate "${targets[@]}"
out=$(bazel info "${common[@]}" bazel-bin 2>/dev/null)

echo "== pgo: training run"
bench_time=0.5
sweep_seeds=1..20
if [[ $quick == 1 ]]; then
  bench_time=0.05
  sweep_seeds=1..4
fi
"$out/sim/harness/rachis_benchmark" --benchmark_min_time="$bench_time" >/dev/null
"$out/tools/ravensim" suite >/dev/null
"$out/tools/ravensim" sweep scenarios/cluster/swarm.textproto --seeds "$sweep_seeds" \
  --jobs 1 --in-process --no-progress >/dev/null
count=$(find "$gen_dir" -name '*.gcda' | wc -l)
if [[ $count == 0 ]]; then
  echo "pgo_build.sh: the training run wrote no profile into $gen_dir" >&2
  exit 1
fi

hash=$(find "$gen_dir" -name '*.gcda' -print0 | sort -z | xargs -0 cat | sha256sum | cut -c1-16)
use_dir="$work/use-$hash"
rm -rf "$work"/use-*
mv "$gen_dir" "$use_dir"
echo "== pgo: optimized build ($count profiles, $use_dir)"
# -fprofile-correction: tolerate small inconsistencies left by the suite's worker threads
# (the counters are updated atomically where the target allows, but not everywhere).
# -fprofile-partial-training: code the training never ran keeps its normal optimization.
# Link-time optimization on top (the profile guides its cross-file inlining; without a
# profile it made the benchmark slower). -Wno-restrict: GCC 12 reports false overlaps in
# std::string copies that the profile lets it inline (a known false positive).
bazel build "${common[@]}" "--copt=-fprofile-use=$use_dir" "--linkopt=-fprofile-use=$use_dir" \
  --copt=-fprofile-correction --copt=-fprofile-partial-training --copt=-Wno-missing-profile \
  --copt=-Wno-restrict --copt=-flto=auto --copt=-ffat-lto-objects --linkopt=-flto=auto \
  "${targets[@]}"

# The reference is the default build (the one `bazel test //...` has built already):
# traces depend on the source and the seed only, never on optimization flags. The new
# CLI is checked where Bazel built it, so a binary that fails never reaches pgo-bin/.
echo "== pgo: same fingerprints as the default build"
bazel build //tools:ravensim
plain=$(bazel info bazel-bin 2>/dev/null)/tools/ravensim
for seed in 7 11; do
  want=$("$plain" run scenarios/cluster/swarm.textproto --seed "$seed" | grep '^fingerprint:')
  got=$("$out/tools/ravensim" run scenarios/cluster/swarm.textproto --seed "$seed" |
        grep '^fingerprint:')
  if [[ "$want" != "$got" ]]; then
    echo "pgo_build.sh: seed $seed: the profiled binary gives '$got', the plain one '$want'" >&2
    exit 1
  fi
  echo "seed $seed: $got (both)"
done

mkdir -p pgo-bin
for binary in tools/ravensim sim/harness/rachis_benchmark; do
  cp -f "$out/$binary" "pgo-bin/$(basename "$binary").tmp"
  mv -f "pgo-bin/$(basename "$binary").tmp" "pgo-bin/$(basename "$binary")"
done
echo "pgo: pgo-bin/ravensim and pgo-bin/rachis_benchmark are ready"
