#!/usr/bin/env bash
# Runs the determinism lint over the real core/ and sim/ trees, after proving on planted
# files that it catches each banned call (so the test can fail).
set -u
lint="$(dirname "$0")/determinism_lint.sh"
[[ -x "$lint" ]] || lint="$TEST_SRCDIR/$TEST_WORKSPACE/tools/lint/determinism_lint.sh"
# The workspace root: follow the runfiles symlink of README.md back to the source tree.
readme="$TEST_SRCDIR/$TEST_WORKSPACE/README.md"
root="$(dirname "$(readlink -f "$readme")")"
[[ -d "$root/core" && -d "$root/sim" ]] || { echo "cannot find the source tree (got $root)"; exit 1; }

planted="$TEST_TMPDIR/planted"
mkdir -p "$planted"
samples=(
  'std::random_device rd;'
  'std::uniform_int_distribution<int> d(0, 9);'
  'int x = rand();'
  'absl::BitGen gen;'
  'int y = absl::Uniform(gen, 0, 10);'
  'auto t = absl::Now();'
  'auto n = std::chrono::steady_clock::now();'
  'std::thread worker(f);'
  'sleep(1);'
  'std::this_thread::sleep_for(d);'
  'time_t now = time(nullptr);'
)
failures=0
for i in "${!samples[@]}"; do
  rm -f "$planted"/*
  printf 'void f() {\n  %s\n}\n' "${samples[$i]}" > "$planted/sample.cc"
  if "$lint" "$planted" > /dev/null; then
    echo "lint missed: ${samples[$i]}"
    failures=$((failures + 1))
  fi
done
# Mentions in comments and look-alike names are allowed.
rm -f "$planted"/*
cat > "$planted/clean.cc" <<'CC'
// std::random_device and absl::Now() are banned; std::thread too.
int operand(int x) { return x; }
int my_rand_like_name(int seed) { return seed; }
CC
if ! "$lint" "$planted"; then
  echo "lint flagged a clean file"
  failures=$((failures + 1))
fi
if ! "$lint" "$root/core" "$root/sim"; then
  echo "determinism lint found violations in core/ or sim/ (see above)"
  failures=$((failures + 1))
fi
if [[ $failures -ne 0 ]]; then
  echo "FAILED: $failures problem(s)"
  exit 1
fi
echo "determinism lint: core/ and sim/ are clean; all ${#samples[@]} planted violations caught"
