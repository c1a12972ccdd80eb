#!/usr/bin/env bash
# The README's main Quick start command: installs what ravensim needs, builds the CLI
# optimized, and runs the scenario library (`ravensim suite`), printing one row per
# scenario. Extra arguments go to `ravensim suite`.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install_deps.sh
exec bazel run -c opt //tools:ravensim -- suite "$@"
