#!/usr/bin/env bash
# Determinism lint (DESIGN.md §2, STYLE.md §C): fails if code in the given directories
# uses a source of nondeterminism. Comments are ignored, so headers may name what they
# avoid. Usage: determinism_lint.sh DIR...   Exit 0 clean, 1 violations found.
set -u
banned=(
  'std::random_device'
  'std::[a-z_]+_distribution'
  'std::(mt19937|minstd_rand|default_random_engine|ranlux|knuth_b)'
  '(^|[^a-zA-Z0-9_:.>])s?rand(_r)?\('
  'absl::(BitGen|InsecureBitGen|Uniform|Bernoulli|Gaussian|Exponential|Poisson|Zipf|LogUniform)'
  'absl::(Now|GetCurrentTimeNanos|SleepFor)'
  '_clock::now\('
  'std::(thread|jthread|async)\b'
  '(^|[^a-zA-Z0-9_])(sleep|usleep|nanosleep|sleep_for|sleep_until)\('
  '(^|[^a-zA-Z0-9_:])(time|gettimeofday|clock_gettime|clock)\((nullptr|NULL|0|&|CLOCK)'
  '#include <(random|thread|chrono)>'
)
status=0
for dir in "$@"; do
  while IFS= read -r -d '' file; do
    # Drop // comments (good enough for our code: no '//' inside string literals there).
    stripped=$(sed -e 's://.*$::' "$file")
    for pattern in "${banned[@]}"; do
      hits=$(printf '%s\n' "$stripped" | grep -nE -- "$pattern" || true)
      if [[ -n "$hits" ]]; then
        while IFS= read -r hit; do
          echo "$file:${hit%%:*}: banned by the determinism contract ($pattern): ${hit#*:}"
        done <<< "$hits"
        status=1
      fi
    done
  done < <(find "$dir" -type f \( -name '*.h' -o -name '*.cc' \) ! -name '*_test.cc' \
             ! -name '*_benchmark.cc' -print0 | sort -z)
done
exit $status
