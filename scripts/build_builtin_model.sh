#!/bin/sh
# Rebuilds Pairtune's built-in base model (resources/models/builtin) from nothing but Debian packages:
#
#   1. scripts/make_sample_data.py turns WordNet (wordnet-base) into a large pretraining pair file
#      (scratch, not committed) and the demo pair file resources/data/wordnet-demo-pairs.tsv;
#   2. pairtune-cli create makes a small randomly initialised BERT with the bert-base-uncased vocabulary;
#   3. pairtune-cli train pretrains it on the WordNet pairs (MNRL, in-batch negatives);
#   4. pairtune-cli export copies the final model out of the run with F16 weights (under 10 MB);
#   5. pairtune-cli eval measures it on the demo pairs (synsets pretraining never saw), and the model
#      card (README.md) is written with the commands and the measured numbers.
#
# Usage: scripts/build_builtin_model.sh [WORK_DIR]
#   WORK_DIR          scratch folder (default: build/builtin-model); the run folder goes there
#   PAIRTUNE_CLI      pairtune-cli to use (default: build/app/pairtune-cli)
#   PAIRTUNE_THREADS  compute threads for training (default: 0 = automatic)
#   BUILTIN_OUT       where to put the model (default: resources/models/builtin; replaced)
# See docs/builtin-model.md for the choices, the time it takes and the metrics it reaches.
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=${1:-$REPO/build/builtin-model}
CLI=${PAIRTUNE_CLI:-$REPO/build/app/pairtune-cli}
THREADS=${PAIRTUNE_THREADS:-0}
OUT=${BUILTIN_OUT:-$REPO/resources/models/builtin}
DEMO=$REPO/resources/data/wordnet-demo-pairs.tsv
VOCAB=$REPO/tests/data/bert-base-uncased-vocab.txt

# The model and the recipe. Changing any of these changes the model; docs/builtin-model.md explains them.
LAYERS=2
HIDDEN=128
HEADS=4
INTERMEDIATE=512
MAX_LENGTH=128
EPOCHS=1
BATCH=128
LR=1e-3
WARMUP=300
SEED=42

if [ ! -x "$CLI" ]; then
    echo "error: $CLI not found; build it first (scripts/build.sh) or set PAIRTUNE_CLI" >&2
    exit 1
fi
PYTHON=$(command -v python3 || true)
if [ -z "$PYTHON" ]; then
    echo "error: python3 is needed for scripts/make_sample_data.py" >&2
    exit 1
fi

mkdir -p "$WORK"
rm -rf "$WORK/init" "$WORK/run" "$WORK/export"
started=$(date +%s)

echo "== 1/5 pair data from WordNet" >&2
"$PYTHON" "$REPO/scripts/make_sample_data.py" --demo "$DEMO" --pretrain "$WORK/pretrain.tsv"

echo "== 2/5 create" >&2
"$CLI" create --out "$WORK/init" --arch bert --vocab "$VOCAB" --layers $LAYERS --hidden $HIDDEN --heads $HEADS \
    --intermediate $INTERMEDIATE --max-positions $MAX_LENGTH --max-seq-length $MAX_LENGTH --pooling mean --seed $SEED

echo "== 3/5 train" >&2
# 1 % of the pairs is held out for the run's own before/after metrics; every epoch ends with an
# evaluation and a checkpoint (step checkpoints are off: they would only cost time here).
train_started=$(date +%s)
"$CLI" train --data "$WORK/pretrain.tsv" --base "$WORK/init" --out "$WORK/run" \
    --epochs $EPOCHS --batch-size $BATCH --lr $LR --warmup-steps $WARMUP --similarity cos --scale 20 \
    --train-fraction 0.99 --checkpoint-every 0 --keep-checkpoints 1 --seed $SEED --threads "$THREADS" \
    --json >"$WORK/train.json"
train_seconds=$(($(date +%s) - train_started))

echo "== 4/5 export (F16 weights)" >&2
"$CLI" export --run "$WORK/run" --checkpoint final --out "$WORK/export" --float16

echo "== 5/5 evaluate on the demo pairs and write the model card" >&2
"$CLI" eval --model "$WORK/init" --data "$DEMO" --json >"$WORK/eval-init.json"
"$CLI" eval --model "$WORK/export" --data "$DEMO" --json >"$WORK/eval-demo.json"
"$PYTHON" - "$WORK" "$REPO" "$train_seconds" "$(($(date +%s) - started))" <<'EOF'
import json, os, platform, subprocess, sys

work, repo, train_seconds, total_seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
train = json.load(open(os.path.join(work, "train.json")))
init = json.load(open(os.path.join(work, "eval-init.json")))["metrics"]
demo = json.load(open(os.path.join(work, "eval-demo.json")))["metrics"]
held = train.get("eval_after", {})


def row(name, metrics, key):
    return "| %s | %.4f |" % (name, metrics[key]) if key in metrics else "| %s | n/a |" % name


cpu = "unknown CPU"
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
except OSError:
    pass
settings = open(os.path.join(repo, "scripts", "build_builtin_model.sh")).read()
keys = ["accuracy@1", "accuracy@10", "mrr@10", "ndcg@10", "mean_cos_pos", "mean_cos_neg"]
lines = [
    "| metric | untrained (same shape) | built-in |",
    "|---|---|---|",
] + ["| %s | %.4f | %.4f |" % (k, init[k], demo[k]) for k in keys if k in init and k in demo]
held_lines = ["| metric | before | after |", "|---|---|---|"] + [
    "| %s | %.4f | %.4f |" % (k, train["eval_before"][k], held[k]) for k in keys if k in held
]
card = open(os.path.join(repo, "docs", "builtin-model-card.md.in")).read()
card = card.replace("@DEMO_TABLE@", "\n".join(lines))
card = card.replace("@HELDOUT_TABLE@", "\n".join(held_lines))
card = card.replace("@PAIRS@", str(train.get("pairs", "?")))
card = card.replace("@STEPS@", str(train.get("steps", "?")))
card = card.replace("@TRAIN_SECONDS@", "%.0f" % train.get("train_seconds", train_seconds))
card = card.replace("@TOTAL_SECONDS@", str(total_seconds))
card = card.replace("@MACHINE@", "%s, %d cores" % (cpu, os.cpu_count() or 0))
card = card.replace("@DEMO_PAIRS@", str(json.load(open(os.path.join(work, "eval-demo.json")))["pairs"]))
open(os.path.join(work, "export", "README.md"), "w").write(card)
EOF

rm -rf "$OUT"
mkdir -p "$(dirname "$OUT")"
cp -r "$WORK/export" "$OUT"
echo "built-in model written to $OUT ($(du -sb "$OUT" | cut -f1) bytes) in $(($(date +%s) - started)) s" >&2
