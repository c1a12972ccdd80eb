#!/usr/bin/env bash
# Runs the whole ravensim test suite (`bazel test //...`), installing what it needs first.
# This is the README's Quick start test command and what CI runs. Extra arguments go to
# `bazel test` (e.g. --config=asan). Ends with a line "tests: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
tools/install_deps.sh || exit $?
log=$(mktemp)
trap 'rm -f "$log"' EXIT
bazel test //... --test_output=errors --test_summary=short "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
passed=$(grep -cE '^//[^ ]+ +(\(cached\) )?PASSED' "$log")
failed=$(grep -cE '^//[^ ]+ +(\(cached\) )?(FAILED|TIMEOUT|FLAKY|NO STATUS|INCOMPLETE)' "$log")
echo "tests: ${passed} passed, ${failed} failed"
exit "$status"
