#!/usr/bin/env bash
# The README's first command: set up, build, and run Pairtune's main job on the built-in default:
# fine-tune the built-in model (resources/models/builtin) on the WordNet demo pairs
# (resources/data/wordnet-demo-pairs.tsv), print held-out metrics before and after, and export the
# result as a sentence-transformers folder. About two minutes of training on 2 cores.
# It builds only what it runs: the CLI (and with --studio the studio too), not the test suites, which
# are scripts/test.sh's job; on a fresh machine that is about half the compile work (README, "Notes").
# It ends with how long each phase took.
#   --studio           also build the studio (build/app/pairtune) and say how to open the run in it
#   PAIRTUNE_DEMO_DIR  where the run and the exported model go (default: runs/demo; replaced)
set -euo pipefail
cd "$(dirname "$0")/.."
studio=0
for arg in "$@"; do
  case "$arg" in
    --studio) studio=1 ;;
    *) echo "demo.sh: unknown argument '$arg' (only --studio)" >&2; exit 2 ;;
  esac
done

phases=()
phase_start=$SECONDS
# Records how long the phase that just ended took ("name: N s") for the summary at the end.
end_phase() {
  phases+=("$(printf '%-8s %4d s' "$1:" $((SECONDS - phase_start)))")
  phase_start=$SECONDS
}

./scripts/setup.sh
end_phase setup
targets=pairtune-cli
[ "$studio" = 1 ] && targets="pairtune-cli pairtune"
PAIRTUNE_BUILD_TARGETS=$targets ./scripts/build.sh
end_phase build
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
end_phase train
"$CLI" export --run "$OUT/run" --checkpoint final --out "$OUT/model"
end_phase export
echo
echo "Fine-tuned model exported to $(cd "$OUT/model" && pwd)"
echo "Load it in Python with: SentenceTransformer(\"$(cd "$OUT/model" && pwd)\")"
echo "Run folder (config, metrics.jsonl, checkpoints, model card): $(cd "$OUT/run" && pwd)"
if [ "$studio" = 1 ]; then
  echo "Open it in the studio: $BUILD_DIR/app/pairtune, then File → Open run… $(cd "$OUT/run" && pwd)"
fi
echo
echo "Time per phase (built: $targets):"
printf '  %s\n' "${phases[@]}"
