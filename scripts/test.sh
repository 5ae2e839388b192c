#!/usr/bin/env bash
# Sets up the machine, builds everything and runs the whole test suite (the README's second command).
# It first checks the C++ formatting (scripts/check_format.sh).
# PAIRTUNE_TEST_LABELS narrows the run (a ctest -L regex); slow tests run unless PAIRTUNE_SKIP_SLOW=1;
# the sanitizer + fuzz build runs unless PAIRTUNE_SKIP_SANITIZE=1.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each phase's time in the log, so CI's 90-minute budget can be read off a run (README, notes on command 2).
phase_start=$SECONDS
phase_done() {
  echo "test.sh: $1 took $((SECONDS - phase_start)) s"
  phase_start=$SECONDS
}
./scripts/setup.sh
# Every tracked C++ file as clang-format 14 writes it (.clang-format); seconds, so it fails before the build.
./scripts/check_format.sh
# Hugging Face tokenizers from npm, pinned, for tst_hf_tokenizers (a no-op once installed)
./scripts/install_hf_tokenizers.sh
# ONNX Runtime and llama.cpp from npm, pinned, for the export runtime check tst_exports (a no-op once installed)
./scripts/install_export_runtimes.sh
phase_done "setup, format check and npm installs"
./scripts/build.sh
phase_done "the build"
BUILD_DIR=${PAIRTUNE_BUILD_DIR:-build}
# The sanitizer and fuzz builds (scripts/check_sanitizers.sh --build-only) need nothing from the suites,
# so they compile in the background while the suites run, at the lowest CPU priority: the suites leave a
# core idle much of the time (start-up, one-threaded steps, waits on child processes and servers) and
# keep the CPU whenever they want it. Their own ctest runs come after the suites, as before.
sanitize=0
[ "${PAIRTUNE_SKIP_SANITIZE:-0}" != 1 ] && sanitize=1
sanitizer_build_pid=""
sanitizer_build_log="$BUILD_DIR/sanitizer-build.log"
if [ "$sanitize" = 1 ]; then
  # setsid: its own process group, so a failed suite (set -e) stops the whole background build too
  # (-w: should setsid have to fork, $! still ends with the build and carries its status).
  setsid -w nice -n 19 ./scripts/check_sanitizers.sh --build-only >"$sanitizer_build_log" 2>&1 &
  sanitizer_build_pid=$!
  trap '[ -z "$sanitizer_build_pid" ] || kill -- -"$sanitizer_build_pid" 2>/dev/null || true' EXIT
fi
args=(--test-dir "$BUILD_DIR" --output-on-failure --timeout 900)
[ -n "${PAIRTUNE_TEST_LABELS:-}" ] && args+=(-L "$PAIRTUNE_TEST_LABELS")
[ "${PAIRTUNE_SKIP_SLOW:-0}" = 1 ] && args+=(-LE slow)
ctest "${args[@]}"
phase_done "the suites"
# Disk use in the log: CI's disk once ran out in the sanitizer stage (see CMakeLists.txt on split DWARF).
disk_report() { echo "test.sh: disk after $1: $(du -sh "$BUILD_DIR" build-sanitize build-fuzz 2>/dev/null | tr '\n\t' '  ')| free: $(df -h --output=avail . | tail -1)"; }
disk_report "the suites"
# The Debian package: cpack, dpkg -i, and the installed programs run with the source tree hidden
# (scripts/check_package.sh, about a minute); PAIRTUNE_SKIP_PACKAGE=1 leaves it out of a local run.
if [ "${PAIRTUNE_SKIP_PACKAGE:-0}" != 1 ]; then
  ./scripts/check_package.sh "$BUILD_DIR"
  phase_done "the package check"
fi
# Then the short fuzz runs (clang) and the engine suites under AddressSanitizer + UBSan (GCC), in their
# own build folders (scripts/check_sanitizers.sh); PAIRTUNE_SKIP_SANITIZE=1 leaves them out of a local run.
if [ "$sanitize" = 1 ]; then
  status=0
  wait "$sanitizer_build_pid" || status=$?
  sanitizer_build_pid=""
  echo "test.sh: the background sanitizer/fuzz build:"
  cat "$sanitizer_build_log"
  [ "$status" = 0 ] || { echo "test.sh: the sanitizer/fuzz build failed (status $status)" >&2; exit 1; }
  phase_done "waiting for the background sanitizer/fuzz build after the suites"
  # Both folders are up to date now: this reconfigures, finds nothing to build and runs the checks.
  ./scripts/check_sanitizers.sh
  phase_done "the fuzz runs and the sanitized suites"
  disk_report "the sanitizer stage"
fi
