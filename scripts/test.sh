#!/usr/bin/env bash
# Sets up the machine, builds everything and runs the whole test suite (the README's second command).
# It first checks the C++ formatting (scripts/check_format.sh).
# PAIRTUNE_TEST_LABELS narrows the run (a ctest -L regex); slow tests run unless PAIRTUNE_SKIP_SLOW=1;
# the sanitizer + fuzz build runs unless PAIRTUNE_SKIP_SANITIZE=1.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# Every tracked C++ file as clang-format 14 writes it (.clang-format); seconds, so it fails before the build.
./scripts/check_format.sh
# Hugging Face tokenizers from npm, pinned, for tst_hf_tokenizers (a no-op once installed)
./scripts/install_hf_tokenizers.sh
# ONNX Runtime and llama.cpp from npm, pinned, for the export runtime check tst_exports (a no-op once installed)
./scripts/install_export_runtimes.sh
./scripts/build.sh
BUILD_DIR=${PAIRTUNE_BUILD_DIR:-build}
args=(--test-dir "$BUILD_DIR" --output-on-failure --timeout 900)
[ -n "${PAIRTUNE_TEST_LABELS:-}" ] && args+=(-L "$PAIRTUNE_TEST_LABELS")
[ "${PAIRTUNE_SKIP_SLOW:-0}" = 1 ] && args+=(-LE slow)
ctest "${args[@]}"
# Disk use in the log: CI's disk once ran out in the sanitizer stage (see CMakeLists.txt on split DWARF).
disk_report() { echo "test.sh: disk after $1: $(du -sh "$BUILD_DIR" build-sanitize build-fuzz 2>/dev/null | tr '\n\t' '  ')| free: $(df -h --output=avail . | tail -1)"; }
disk_report "the suites"
# The Debian package: cpack, dpkg -i, and the installed programs run with the source tree hidden
# (scripts/check_package.sh, about a minute); PAIRTUNE_SKIP_PACKAGE=1 leaves it out of a local run.
if [ "${PAIRTUNE_SKIP_PACKAGE:-0}" != 1 ]; then
  ./scripts/check_package.sh "$BUILD_DIR"
fi
# Then the short fuzz runs (clang) and the engine suites under AddressSanitizer + UBSan (GCC), in their
# own build folders (scripts/check_sanitizers.sh); PAIRTUNE_SKIP_SANITIZE=1 leaves them out of a local run.
if [ "${PAIRTUNE_SKIP_SANITIZE:-0}" != 1 ]; then
  ./scripts/check_sanitizers.sh
  disk_report "the sanitizer stage"
fi
