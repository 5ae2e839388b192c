#!/usr/bin/env bash
# Builds the Debian package from an existing build folder, installs it with dpkg, and runs the installed
# programs from outside the source tree: pairtune-cli --version, a 5-step fine-tune of the built-in model
# on the installed sample pairs, embed with the result, and the studio on the offscreen platform.
#
#   scripts/check_package.sh [BUILD_DIR]      (default: build/, configured and built by scripts/build.sh)
#
# PAIRTUNE_KEEP_PACKAGE=1 leaves the package installed afterwards (by default it is removed again, and a
# pairtune package that was installed before is not put back).
# The installed programs must not reach the source tree: when the mount namespace tools allow it (root,
# unshare), the checks run with the whole repository hidden behind an empty folder; otherwise they run
# from a scratch folder in /tmp with the PAIRTUNE_* overrides unset.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
step() { printf '\n== %s\n' "$*"; }
fail() {
  echo "check_package: FAILED: $*" >&2
  exit 1
}

step "building the programs and the package in $build"
targets=(pairtune-cli)
grep -q '^PAIRTUNE_BUILD_GUI:BOOL=ON' "$build/CMakeCache.txt" && targets+=(pairtune)
[ -e "$root/training/text/spmshim" ] && grep -q '^SENTENCEPIECE_TRAIN_LIBRARY:FILEPATH=/' "$build/CMakeCache.txt" \
  && targets+=(pairtune_spmshim)
cmake --build "$build" --target "${targets[@]}"
rm -f "$build"/pairtune_*.deb
(cd "$build" && cpack -G DEB) | tail -n 3
debs=("$build"/pairtune_*.deb)
deb=${debs[0]}
[ -f "$deb" ] || fail "cpack made no pairtune_*.deb in $build"
dpkg-deb --field "$deb" Package Version Architecture Installed-Size Depends Recommends
du -h "$deb"
dpkg-deb --field "$deb" Depends | grep -q 'libtorch' || fail "the package does not depend on LibTorch"

step "installing $(basename "$deb")"
if ! $SUDO dpkg -i "$deb"; then
  echo "check_package: dpkg -i left dependencies missing; installing them with apt-get -f"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -f -y -qq --no-install-recommends
fi
dpkg-query -W -f='${Status}\n' pairtune | grep -q "install ok installed" || fail "pairtune is not installed"
scratch=""
cleanup() {
  [ -n "$scratch" ] && rm -rf "$scratch"
  if [ "${PAIRTUNE_KEEP_PACKAGE:-0}" != 1 ]; then
    $SUDO dpkg -r pairtune > /dev/null && echo "check_package: removed the package again"
  fi
}
trap cleanup EXIT

for f in /usr/bin/pairtune-cli /usr/share/pairtune/models/builtin/model.safetensors \
  /usr/share/pairtune/data/wordnet-demo-pairs.tsv /usr/share/pairtune/data/general-check-pairs.tsv \
  /usr/share/pairtune/data/LICENSE.wordnet; do
  [ -f "$f" ] || fail "$f is not installed"
done
if grep -q '^PAIRTUNE_BUILD_GUI:BOOL=ON' "$build/CMakeCache.txt"; then
  for f in /usr/bin/pairtune /usr/share/applications/org.pairtune.Pairtune.desktop \
    /usr/share/metainfo/org.pairtune.Pairtune.metainfo.xml /usr/share/icons/hicolor/scalable/apps/pairtune.svg; do
    [ -f "$f" ] || fail "$f is not installed"
  done
  if command -v desktop-file-validate > /dev/null && command -v appstreamcli > /dev/null; then
    desktop-file-validate /usr/share/applications/org.pairtune.Pairtune.desktop
    appstreamcli validate --no-net /usr/share/metainfo/org.pairtune.Pairtune.metainfo.xml
  fi
fi
dpkg -L pairtune | grep -E '/(bin|lib)/' | sed 's/^/  /'

# The checks themselves, run from an empty scratch folder with no override that could point back.
scratch=$(mktemp -d /tmp/pairtune-package.XXXXXX)
cat > "$scratch/run.sh" << 'EOF'
set -euo pipefail
unset PAIRTUNE_BUILTIN_MODEL PAIRTUNE_RESOURCES PAIRTUNE_SPMSHIM
export PATH=/usr/bin:/bin
cd "$1"
step() { printf '\n== %s\n' "$*"; }
trap 'echo "check_package: FAILED at line $LINENO of the installed-program checks: $BASH_COMMAND" >&2' ERR
[ -n "${2:-}" ] && [ -z "$(ls -A "$2")" ] && echo "(the source tree $2 is hidden: it reads as an empty folder)"

step "pairtune-cli --version"
[ "$(command -v pairtune-cli)" = /usr/bin/pairtune-cli ]
pairtune-cli --version

step "pairtune-cli train --base builtin (5 steps, installed sample data)"
pairtune-cli train --base builtin --data /usr/share/pairtune/data/wordnet-demo-pairs.tsv --out run \
  --max-steps 5 --quiet | tee train.txt
grep -q '"base_path": *"builtin"' run/config.json
model=$(sed -n 's/^model: *//p' train.txt)
[ -d "$model" ]

step "pairtune-cli embed with the trained model"
printf 'a gliding step in ballet\nthe utilization of economic goods\n' > texts.txt
pairtune-cli embed --model "$model" --input texts.txt --output vectors.jsonl
[ "$(wc -l < vectors.jsonl)" -eq 2 ]
head -c 120 vectors.jsonl
echo " ..."

if [ -f /usr/lib/pairtune/libpairtune_spmshim.so ]; then
  step "pairtune-cli train-spm: loads the sentencepiece module from /usr/lib/pairtune"
  cut -f2 /usr/share/pairtune/data/wordnet-demo-pairs.tsv > definitions.txt
  pairtune-cli train-spm --input definitions.txt --output spm.model --vocab-size 200
fi

if [ -x /usr/bin/pairtune ]; then
  step "pairtune (the studio) on the offscreen platform for 1.5 s"
  mkdir -p config
  XDG_CONFIG_HOME="$PWD/config" QT_QPA_PLATFORM=offscreen PAIRTUNE_QUIT_AFTER_MS=1500 pairtune
  echo "studio started and quit cleanly"
fi
EOF

hidden=no
if [ "$(id -u)" -eq 0 ] && command -v unshare > /dev/null \
  && unshare --mount --propagation private true 2> /dev/null; then
  hidden=yes
fi
if [ "$hidden" = yes ]; then
  mkdir "$scratch/empty"
  # A private mount namespace: the bind mount hides the repository (and every build folder in it) from
  # these processes only, so a compiled-in source path (basemodel.cpp's last fallback) finds nothing.
  unshare --mount --propagation private bash -c \
    'mount --bind "$1/empty" "$2" && exec bash "$1/run.sh" "$1" "$2"' _ "$scratch" "$root"
else
  echo "check_package: cannot hide the source tree here (needs root and unshare); running from $scratch"
  echo "check_package: (basemodel.cpp looks in <exe>/../share/pairtune before the compiled-in source path)"
  bash "$scratch/run.sh" "$scratch" ""
fi
step "check_package: OK ($(basename "$deb"))"
