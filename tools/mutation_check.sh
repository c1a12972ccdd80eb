#!/usr/bin/env bash
# Plants each protocol bug of tools/mutants/*.patch in a scratch copy of the committed
# tree and reports which of the project's nets catches it: the Rachis unit tests, the
# seed sweep (rachis_sweep_test), the scenario suite, a swarm sweep and the generated
# scenarios (docs/RACHIS.md, "Planted bugs"). A bug no net catches is a gap: the script
# then exits 1. Not part of CI (six to nine minutes for all of them on two cores).
# Usage: tools/mutation_check.sh [name ...]   (default: every patch in tools/mutants/)
#   MUTATION_SWEEP_SEEDS  seeds of rachis_sweep_test per bug (default 2000)
#   MUTATION_SWARM_SEEDS  swarm seeds per bug (default 300)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
sweep_seeds=${MUTATION_SWEEP_SEEDS:-2000}
swarm_seeds=${MUTATION_SWARM_SEEDS:-300}
for n in "$sweep_seeds" "$swarm_seeds"; do
  if ! [[ "$n" =~ ^[1-9][0-9]*$ ]]; then
    echo "mutation_check.sh: MUTATION_SWEEP_SEEDS and MUTATION_SWARM_SEEDS must be positive integers (got '$n')" >&2
    exit 2
  fi
done

patches=()
if [ "$#" -eq 0 ]; then
  patches=(tools/mutants/*.patch)
else
  for name in "$@"; do
    if [ ! -f "tools/mutants/$name.patch" ]; then
      echo "mutation_check.sh: no such bug 'tools/mutants/$name.patch'" >&2
      exit 2
    fi
    patches+=("tools/mutants/$name.patch")
  done
fi

tools/install_deps.sh || exit $?
scratch=$(mktemp -d /tmp/ravensim-mutants.XXXXXX)
tree="$scratch/tree"
cleanup() {
  (cd "$tree" 2>/dev/null && bazel shutdown >/dev/null 2>&1)
  git -C "$root" worktree remove --force "$tree" >/dev/null 2>&1
  rm -rf "$scratch"
}
trap cleanup EXIT
git worktree add -q --detach "$tree" HEAD || exit 2

targets=(//tools:ravensim //sim/harness:rachis_sweep_test //tools/scenario:scenario_generated_test)
unit_tests=(//core/rachis/... //sim/harness:rachis_host_test)
survivors=0
cd "$tree"
for patch in "${patches[@]}"; do
  name=$(basename "$patch" .patch)
  git checkout -q -- .
  if ! git apply "$root/$patch"; then
    echo "mutation_check.sh: $patch no longer applies to the tree; update it" >&2
    exit 2
  fi
  log="$scratch/$name"
  if ! bazel build -c opt "${targets[@]}" "${unit_tests[@]}" >"$log.build" 2>&1; then
    echo "$name: does not build with the bug planted (see the patch)"
    survivors=$((survivors + 1))
    continue
  fi
  caught=()
  bazel test -c opt "${unit_tests[@]}" >"$log.unit" 2>&1
  unit=$(grep -oE '^//[^ ]+ +(FAILED|TIMEOUT)' "$log.unit" | awk '{print $1}' | tr '\n' ' ')
  [ -n "$unit" ] && caught+=("unit: ${unit% }")
  # (In subshells, so that a run a planted bug aborts is reported here, not by bash.)
  (RACHIS_SWEEP_SEEDS=$sweep_seeds bazel-bin/sim/harness/rachis_sweep_test --gtest_brief=1 \
    --gtest_fail_fast >"$log.sweep" 2>&1; true) 2>/dev/null
  first=$(grep -m1 -oE 'GetParam\(\) = [0-9]+' "$log.sweep" | grep -oE '[0-9]+$')
  if [ -n "$first" ]; then
    caught+=("sweep: seed $first")
  elif ! grep -q '^\[  PASSED  \]' "$log.sweep"; then
    caught+=("sweep: crashed")
  fi
  (bazel-bin/tools/ravensim suite >"$log.suite" 2>&1; true) 2>/dev/null
  suite=$(grep -m1 -E '^[0-9]+ runs, ' "$log.suite")
  if [[ "$suite" =~ ^([0-9]+)\ runs,.*\ ([1-9][0-9]*)\ failed ]]; then
    caught+=("suite: ${BASH_REMATCH[2]} of ${BASH_REMATCH[1]} runs")
  elif [ -z "$suite" ]; then
    caught+=("suite: crashed")
  fi
  bazel-bin/tools/ravensim sweep scenarios/cluster/swarm.textproto --seeds "1..$swarm_seeds" \
    --jobs 2 --no-progress --out "$log.swarm.d" >"$log.swarm" 2>&1
  swarm=$(grep -m1 -oE '[0-9]+ failed' "$log.swarm")
  if [ -n "$swarm" ] && [ "$swarm" != "0 failed" ]; then
    caught+=("swarm: ${swarm% failed} of $swarm_seeds seeds")
  elif [ -z "$swarm" ]; then
    caught+=("swarm: crashed")
  fi
  (bazel-bin/tools/scenario/scenario_generated_test --gtest_brief=1 >"$log.generated" 2>&1;
   true) 2>/dev/null
  generated=$(grep -cE '^\[  FAILED  \] Generated.* ms\)$' "$log.generated")
  if [ "$generated" -gt 0 ]; then
    caught+=("generated: $generated of 240 cases")
  elif ! grep -q '^\[  PASSED  \]' "$log.generated"; then
    caught+=("generated: crashed")
  fi
  if [ "${#caught[@]}" -eq 0 ]; then
    echo "$name: SURVIVED every net"
    survivors=$((survivors + 1))
  else
    caught_by=$(printf '%s; ' "${caught[@]}")
    echo "$name: caught by ${caught_by%; }"
  fi
done
git checkout -q -- .
echo "bugs: ${#patches[@]} planted, $((${#patches[@]} - survivors)) caught, $survivors survived"
[ "$survivors" -eq 0 ]
