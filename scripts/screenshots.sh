#!/usr/bin/env bash
# Takes the studio's screenshots (docs/screenshots/*.png): builds pairtune-screenshots, which drives the
# real window through a small training run (a generated 2-layer model, support-desk pairs) and grabs
# every page, and pairtune-hub-screenshots, which pictures the Model page's Hugging Face Hub side
# against the stand-in Hub server (tests/common/standin_hub.py, python3; a throw-away Hub cache).
# Runs under Xvfb when xvfb-run is installed, else on Qt's offscreen platform.
#   scripts/screenshots.sh [OUTPUT_FOLDER]      (default: docs/screenshots)
#   PAIRTUNE_SCREENSHOTS=tour|hub|runs|torchrun only one of them (default: all; runs = pairtune-runs-screenshots,
#                                               the Runs view and the comparison of two tiny runs; torchrun =
#                                               pairtune-torchrun-screenshots, issue 19's run display and dialog)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${PAIRTUNE_BUILD_DIR:-build}
OUT=${1:-docs/screenshots}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

cmake -S . -B "$BUILD_DIR" -G Ninja >/dev/null
WHICH=${PAIRTUNE_SCREENSHOTS:-all}
TOOLS=()
[[ $WHICH == all || $WHICH == tour ]] && TOOLS+=(pairtune-screenshots)
[[ $WHICH == all || $WHICH == hub ]] && TOOLS+=(pairtune-hub-screenshots)
[[ $WHICH == all || $WHICH == runs ]] && TOOLS+=(pairtune-runs-screenshots)
[[ $WHICH == all || $WHICH == torchrun ]] && TOOLS+=(pairtune-torchrun-screenshots)
if [[ ${#TOOLS[@]} -eq 0 ]]; then
    echo "PAIRTUNE_SCREENSHOTS must be tour, hub, runs, torchrun or all" >&2
    exit 2
fi
cmake --build "$BUILD_DIR" -j "$(nproc)" --target "${TOOLS[@]}" pairtune-cli

# The Fusion style, so the pictures do not depend on the desktop of whoever takes them.
export QT_STYLE_OVERRIDE=Fusion
for tool in "${TOOLS[@]}"; do
    if command -v xvfb-run >/dev/null 2>&1; then
        QT_QPA_PLATFORM=xcb xvfb-run --auto-servernum --server-args="-screen 0 1600x1000x24" \
            "$BUILD_DIR/tests/ui/$tool" --out "$OUT"
    else
        echo "xvfb-run not found: using the offscreen platform" >&2
        QT_QPA_PLATFORM=offscreen "$BUILD_DIR/tests/ui/$tool" --out "$OUT"
    fi
done
ls -l "$OUT"/*.png
