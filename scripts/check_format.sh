#!/usr/bin/env bash
# Fails (exit 1, naming each file) when a tracked C++ file differs from what clang-format makes of it
# with the repository's .clang-format. scripts/test.sh runs it before building.
#   scripts/check_format.sh          check every tracked .cpp/.h (git ls-files)
#   scripts/check_format.sh --fix    format them in place instead
#   scripts/check_format.sh FILE...  check (or with --fix, format) only these files
# The formatter is pinned to Debian 12's clang-format 14 (scripts/setup.sh installs clang-format-14):
# another major version breaks lines differently, so a tree formatted with it would fail here.
set -euo pipefail
cd "$(dirname "$0")/.."
FORMAT=${CLANG_FORMAT:-clang-format-14}
if ! command -v "$FORMAT" >/dev/null; then
  echo "check_format: $FORMAT is not installed; run scripts/setup.sh (Debian: apt-get install clang-format-14)" >&2
  exit 1
fi
fix=0
if [ "${1:-}" = --fix ]; then
  fix=1
  shift
fi
if [ $# -gt 0 ]; then
  files=("$@")
elif git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files -- '*.cpp' '*.h')
else
  echo "check_format: not a git checkout and no files named; nothing checked" >&2
  exit 0
fi
if [ "$fix" = 1 ]; then
  printf '%s\0' "${files[@]}" | xargs -0 "$FORMAT" -i
  exit 0
fi
# --dry-run -Werror prints each difference as an error and exits non-zero when any file differs; the
# report is cut down to one line per file.
report=$(mktemp)
trap 'rm -f "$report"' EXIT
if ! printf '%s\0' "${files[@]}" | xargs -0 "$FORMAT" --dry-run -Werror 2>"$report"; then
  grep -o '^[^:]*:[0-9]*:[0-9]*: error' "$report" | cut -d: -f1 | sort -u \
    | sed 's/^/check_format: not clang-formatted: /' >&2
  echo "check_format: run scripts/check_format.sh --fix FILE... (clang-format $("$FORMAT" --version | grep -o '[0-9][0-9.]*' | head -1))" >&2
  exit 1
fi
echo "check_format: ${#files[@]} C++ files clang-formatted"
