#!/usr/bin/env bash
# Installs what ravensim needs to build and test on Debian 12, if missing. Idempotent:
# when everything is present it does nothing (no apt-get update, no network).
# Needs root for apt-get (as on the project's machines and in CI).
set -euo pipefail

packages=(
  bazel-bootstrap     # Bazel 4.2.3 (WORKSPACE mode; builds offline with our shims)
  g++                 # g++ 12, C++20
  libabsl-dev         # Abseil 20220623
  libprotobuf-dev     # Protocol Buffers 3.21 runtime
  protobuf-compiler   # protoc 3.21
  libcli11-dev        # CLI11 2.1 (header-only)
  libgtest-dev        # GoogleTest 1.12
  libgmock-dev        # GoogleMock 1.12
  libbenchmark-dev    # Google Benchmark 1.7
  libmimalloc-dev     # mimalloc 2.0: the simulation binaries' allocator
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "install_deps: installing ${missing[*]}" >&2
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=sudo
  else
    echo "install_deps: need root to install ${missing[*]} (run as root)" >&2
    exit 2
  fi
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
