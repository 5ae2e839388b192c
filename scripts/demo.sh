#!/usr/bin/env bash
# The README's first command: set up, build, and run Pairtune's main job on the built-in default:
# fine-tune the built-in model (resources/models/builtin) on the WordNet demo pairs
# (resources/data/wordnet-demo-pairs.tsv), print held-out metrics before and after, and export the
# result as a sentence-transformers folder. About two minutes of training on 2 cores.
#   PAIRTUNE_DEMO_DIR  where the run and the exported model go (default: runs/demo; replaced)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
BUILD_DIR=${PAIRTUNE_BUILD_DIR:-build}
CLI="$BUILD_DIR/app/pairtune-cli"
OUT=${PAIRTUNE_DEMO_DIR:-runs/demo}
DATA=resources/data/wordnet-demo-pairs.tsv
# The demo's settings, shared with scripts/build_builtin_model.sh and tests/training/builtin: a higher
# learning rate and fewer epochs than the recipe's defaults suit this small model and set.
read -r -a FLAGS <resources/data/demo-train-flags.txt

rm -rf "$OUT/run" "$OUT/model"
mkdir -p "$OUT"
echo "== fine-tuning the built-in model on $DATA ($(($(wc -l <"$DATA") - 1)) pairs, 20 % held out)"
echo "   pairtune-cli train --data $DATA --base builtin --out $OUT/run ${FLAGS[*]}"
"$CLI" train --data "$DATA" --base builtin --out "$OUT/run" "${FLAGS[@]}"
"$CLI" export --run "$OUT/run" --checkpoint final --out "$OUT/model"
echo
echo "Fine-tuned model exported to $(cd "$OUT/model" && pwd)"
echo "Load it in Python with: SentenceTransformer(\"$(cd "$OUT/model" && pwd)\")"
echo "Run folder (config, metrics.jsonl, checkpoints, model card): $(cd "$OUT/run" && pwd)"
