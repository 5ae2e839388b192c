#!/usr/bin/env bash
# Configures and builds Pairtune into build/ (Release with debug info, Ninja, ccache when present).
# Arguments go to the configure step. PAIRTUNE_BUILD_TARGETS (e.g. "pairtune-cli pairtune") builds only
# those targets and what they need; by default everything, test suites included.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${PAIRTUNE_BUILD_DIR:-build}
# Let ccache share results between clones in different folders (CI builds a fresh clone each time).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
# Two jobs per core would swap on 24 GiB with LibTorch TUs; one per core is the measured sweet spot.
targets=()
for target in ${PAIRTUNE_BUILD_TARGETS:-}; do
  targets+=(--target "$target")
done
cmake --build "$BUILD_DIR" -j "$(nproc)" "${targets[@]}"
