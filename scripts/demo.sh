#!/usr/bin/env bash
# The README's first command: set up, build, and run Pairtune's main job on the built-in default.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
BUILD_DIR=${PAIRTUNE_BUILD_DIR:-build}
CLI="$BUILD_DIR/app/pairtune-cli"
OUT=${PAIRTUNE_DEMO_DIR:-runs/demo}
mkdir -p "$OUT"
"$CLI" create --out "$OUT/model" --vocab tests/data/bert-base-uncased-vocab.txt --layers 2 --hidden 64 --heads 4
printf '%s\n' "How do I reset my password?" "Password reset instructions" "The cat sat on the mat." > "$OUT/texts.txt"
"$CLI" embed --model "$OUT/model" --input "$OUT/texts.txt" --output "$OUT/embeddings.jsonl"
echo "embeddings of $(wc -l < "$OUT/texts.txt") texts written to $OUT/embeddings.jsonl"
