#!/usr/bin/env bash
# Runs clang-tidy 14 with the repository's .clang-tidy over C++ sources of a configured build.
#   scripts/run_clang_tidy.sh [FILE.cpp...]   default: every .cpp of training/, ui/ and app/
#   PAIRTUNE_BUILD_DIR  the build folder whose compile_commands.json is used (default: build)
# Not part of scripts/test.sh: each translation unit costs clang-tidy seconds of header parsing (Qt's,
# nlohmann's): about 25 minutes for the 139 torch-free files on one busy core here. Run it on the files
# you changed.
# Exit status 1 when a check fires (.clang-tidy has WarningsAsErrors: '*').
# The build's precompiled headers are GCC's (.gch), which clang cannot read: the compile commands are
# copied without the forced PCH include, so each source is checked with the includes it names itself.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${PAIRTUNE_BUILD_DIR:-build}
TIDY=${CLANG_TIDY:-clang-tidy-14}
command -v "$TIDY" >/dev/null || {
  echo "run_clang_tidy: $TIDY is not installed (Debian: apt-get install clang-tidy-14)" >&2
  exit 1
}
[ -f "$BUILD_DIR/compile_commands.json" ] || {
  echo "run_clang_tidy: no $BUILD_DIR/compile_commands.json; configure first (scripts/build.sh)" >&2
  exit 1
}
db=$(mktemp -d)
trap 'rm -rf "$db"' EXIT
# Prints the files to check, one a line: the ones named (default: every .cpp of training/, ui/, app/)
# less the LibTorch translation units, found by following quoted includes to a <torch/ATen/c10> one:
# clang 14 cannot parse Debian's LibTorch 1.13 headers in C++20 mode against libstdc++ 12 ("incomplete
# type c10::IValue"), so it has nothing to say about them. They get GCC's -Wall -Wextra only.
python3 - "$BUILD_DIR/compile_commands.json" "$db/compile_commands.json" "$@" >"$db/files" <<'PY'
import json, os, re, subprocess, sys
commands = json.load(open(sys.argv[1]))
for c in commands:
    c["command"] = re.sub(r" -include \S*cmake_pch\.hxx| -Winvalid-pch", "", c["command"])
json.dump(commands, open(sys.argv[2], "w"))
files = sys.argv[3:] or subprocess.run(["git", "ls-files", "--", "training/*.cpp", "ui/*.cpp", "app/*.cpp"],
                                       capture_output=True, text=True, check=True).stdout.split()
seen = {}
def uses_torch(path):
    if path in seen:
        return seen[path]
    seen[path] = False
    text = open(path, encoding="utf-8", errors="replace").read()
    if re.search(r'^#include <(torch|ATen|c10)/', text, re.M):
        seen[path] = True
        return True
    for name in re.findall(r'^#include "([^"]+)"', text, re.M):
        for root in (os.path.dirname(path), "training", "ui", "app"):
            candidate = os.path.join(root, name)
            if os.path.isfile(candidate):
                if uses_torch(candidate):
                    seen[path] = True
                    return True
                break
    return False
skipped = [f for f in files if uses_torch(f)]
if skipped:
    print(f"run_clang_tidy: {len(skipped)} LibTorch translation units left out (clang 14 cannot parse "
          "LibTorch 1.13's headers)", file=sys.stderr)
print("\n".join(f for f in files if not uses_torch(f)))
PY
mapfile -t files <"$db/files"
echo "run_clang_tidy: checking ${#files[@]} files" >&2
status=0
for f in "${files[@]}"; do
  [ -n "$f" ] || continue
  "$TIDY" -p "$db" --quiet --extra-arg=-Wno-unknown-warning-option "$f" 2>/dev/null || status=1
done
exit $status
