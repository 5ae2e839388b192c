#!/usr/bin/env bash
# The sanitizer and fuzz build (issue 7): one clang build folder with AddressSanitizer and
# UndefinedBehaviorSanitizer in every engine library, the engine test suites and the libFuzzer targets
# (fuzz/). Runs the `unit` suites under the sanitizers and the short fuzz runs (label `fuzz`); any
# sanitizer report, crash or failed test fails the script. scripts/test.sh runs it after the normal
# suites; PAIRTUNE_SKIP_SANITIZE=1 leaves it out there. No GUI: Qt Widgets are not instrumented and the
# engine is what reads untrusted files.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${PAIRTUNE_SANITIZE_BUILD_DIR:-build-sanitize}
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
# -O1 and line tables only: readable sanitizer stacks at a fraction of -O2 -g's compile time.
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
  -DPAIRTUNE_BUILD_GUI=OFF -DPAIRTUNE_SANITIZE=address,undefined -DPAIRTUNE_FUZZ=ON \
  -DPAIRTUNE_FUZZ_SECONDS="${PAIRTUNE_FUZZ_SECONDS:-5}" >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"

# halt_on_error: the first report fails the test (UBSan is also built with -fno-sanitize-recover).
# detect_leaks stays on for the fuzz targets (they link no LibTorch); for the suites see
# PairtuneHelpers.cmake, which turns it off per test where LibTorch's globals are loaded.
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1}
command -v llvm-symbolizer >/dev/null || export ASAN_SYMBOLIZER_PATH=/usr/bin/llvm-symbolizer-14
ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout 900 -L 'unit|fuzz' -LE 'slow|interop'
