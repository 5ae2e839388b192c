#!/usr/bin/env bash
# Takes the studio's screenshots (docs/screenshots/*.png): builds pairtune-screenshots, which drives the
# real window through a small training run (a generated 2-layer model, support-desk pairs) and grabs
# every page. Runs under Xvfb when xvfb-run is installed, else on Qt's offscreen platform.
#   scripts/screenshots.sh [OUTPUT_FOLDER]      (default: docs/screenshots)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${PAIRTUNE_BUILD_DIR:-build}
OUT=${1:-docs/screenshots}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

cmake -S . -B "$BUILD_DIR" -G Ninja >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target pairtune-screenshots pairtune-cli
TOUR="$BUILD_DIR/tests/ui/pairtune-screenshots"

# The Fusion style, so the pictures do not depend on the desktop of whoever takes them.
export QT_STYLE_OVERRIDE=Fusion
if command -v xvfb-run >/dev/null 2>&1; then
    QT_QPA_PLATFORM=xcb xvfb-run --auto-servernum --server-args="-screen 0 1600x1000x24" "$TOUR" --out "$OUT"
else
    echo "xvfb-run not found: using the offscreen platform" >&2
    QT_QPA_PLATFORM=offscreen "$TOUR" --out "$OUT"
fi
ls -l "$OUT"/*.png
