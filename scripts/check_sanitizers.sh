#!/usr/bin/env bash
# The sanitizer and fuzz checks (issue 7), in two build folders:
# 1. build-fuzz (clang): the libFuzzer targets of fuzz/ with AddressSanitizer + UBSan and coverage in
#    the torch-free engine libraries they link; runs the short fuzz runs (ctest label `fuzz`).
# 2. build-sanitize (GCC): the engine, pairtune-cli and the engine test suites with
#    -fsanitize=address,undefined; runs the `unit` suites. Why GCC: clang 14 cannot compile Debian's
#    LibTorch 1.13 headers in C++20 (std::vector<c10::IValue> of an incomplete type in ivalue_inl.h).
# Any sanitizer report, crash or failed test fails the script. scripts/test.sh runs it after the normal
# suites; PAIRTUNE_SKIP_SANITIZE=1 leaves it out there. No GUI: Qt Widgets are not instrumented and the
# engine is what reads untrusted files.
#   --build-only   configure and build both folders, run nothing (scripts/test.sh builds them in the
#                  background while the normal suites run, then calls this script again to run them)
set -euo pipefail
cd "$(dirname "$0")/.."
build_only=0
case "${1:-}" in
  "") ;;
  --build-only) build_only=1 ;;
  *) echo "check_sanitizers.sh: unknown argument '$1' (only --build-only)" >&2; exit 2 ;;
esac
FUZZ_DIR=${PAIRTUNE_FUZZ_BUILD_DIR:-build-fuzz}
SANITIZE_DIR=${PAIRTUNE_SANITIZE_BUILD_DIR:-build-sanitize}
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
# -O1 and line tables only: readable sanitizer stacks at a fraction of -O2 -g's compile time.
opt="-O1 -gline-tables-only"

# halt_on_error: the first report fails the test (UBSan is also built with -fno-sanitize-recover).
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:strict_string_checks=1}
command -v llvm-symbolizer >/dev/null || export ASAN_SYMBOLIZER_PATH=/usr/bin/llvm-symbolizer-14

echo "check_sanitizers: fuzz targets in $FUZZ_DIR"
cmake -S . -B "$FUZZ_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="$opt" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$opt" \
  -DPAIRTUNE_BUILD_GUI=OFF -DPAIRTUNE_BUILD_TESTS=OFF -DPAIRTUNE_FUZZ=ON \
  -DPAIRTUNE_FUZZ_SECONDS="${PAIRTUNE_FUZZ_SECONDS:-5}" >/dev/null
cmake --build "$FUZZ_DIR" -j "$(nproc)" --target pairtune_fuzzers
[ "$build_only" = 1 ] || ctest --test-dir "$FUZZ_DIR" --output-on-failure -L fuzz

echo "check_sanitizers: engine suites under ASan + UBSan in $SANITIZE_DIR"
cmake -S . -B "$SANITIZE_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DPAIRTUNE_BUILD_GUI=OFF -DPAIRTUNE_SANITIZE=address,undefined >/dev/null
# Only what the run below needs: the suites it selects (a suite's target is its test's name) and the CLI
# they start. The interop and slow suites (17) and the bench program are never run here, so building them
# under ASan was wasted compile and link time on CI's 2 cores (477 of 530 build steps remain).
selection=(-L unit -LE 'slow|interop')
mapfile -t suites < <(ctest --test-dir "$SANITIZE_DIR" -N "${selection[@]}" | awk '/Test +#[0-9]+:/ {print $3}')
[ ${#suites[@]} -gt 0 ] || { echo "check_sanitizers: no suites selected in $SANITIZE_DIR" >&2; exit 1; }
cmake --build "$SANITIZE_DIR" -j "$(nproc)" --target pairtune-cli "${suites[@]}"
[ "$build_only" = 1 ] && exit 0
# Two suites at a time: most of their time is single-threaded start-up and parsing under ASan, so this
# about halves the step on CI's 2 cores.
ctest --test-dir "$SANITIZE_DIR" --output-on-failure --timeout 900 -j "$(nproc)" "${selection[@]}"
