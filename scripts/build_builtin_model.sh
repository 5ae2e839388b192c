#!/bin/sh
# Rebuilds Pairtune's built-in base model (resources/models/builtin) from Debian packages only:
#
#   1. scripts/make_sample_data.py turns WordNet (wordnet-base) into a large pretraining pair file
#      (WORK_DIR/pretrain.tsv, not committed) and the demo pair file resources/data/wordnet-demo-pairs.tsv
#      (committed; rebuilt byte for byte);
#   2. pairtune-cli create makes a small randomly initialised BERT with the bert-base-uncased vocabulary;
#   3. pairtune-cli train pretrains it on the WordNet pairs (MultipleNegativesRankingLoss);
#   4. pairtune-cli export copies the final model out of the run with F16 weights (under 10 MB);
#   5. pairtune-cli eval measures the untrained and the trained model on the demo pairs (synsets that
#      pretraining never saw), and pairtune-cli train fine-tunes the new model on the demo pairs with
#      the demo settings (held-out MRR@10 before and after);
#   6. the model card (README.md) is written with the commands, the time and the measured numbers.
#
# Usage: scripts/build_builtin_model.sh [WORK_DIR]
#   WORK_DIR          scratch folder (default: build/builtin-model); run folders and logs go there
#   PAIRTUNE_CLI      pairtune-cli to use (default: build/app/pairtune-cli)
#   PAIRTUNE_THREADS  compute threads (default: 0 = automatic)
#   BUILTIN_OUT       where the model goes (default: resources/models/builtin; replaced)
#   BUILTIN_REUSE_PRETRAIN=1  keep WORK/init and WORK/run from an earlier run of this script and redo only
#                     steps 1 and 4-6 (for changing the demo set or the card without 20 minutes of
#                     pretraining); refused unless WORK/pretrain.tsv is byte-identical to the pretraining
#                     data that run recorded in its config.json
# Takes about 15-40 minutes on 2 cores (all of it in step 3); docs/builtin-model.md has the details.
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=${1:-$REPO/build/builtin-model}
CLI=${PAIRTUNE_CLI:-$REPO/build/app/pairtune-cli}
THREADS=${PAIRTUNE_THREADS:-0}
OUT=${BUILTIN_OUT:-$REPO/resources/models/builtin}
DEMO=$REPO/resources/data/wordnet-demo-pairs.tsv
VOCAB=$REPO/tests/data/bert-base-uncased-vocab.txt

# The model and the pretraining recipe; docs/builtin-model.md explains the choices.
MODEL_FLAGS="--arch bert --vocab $VOCAB --layers 2 --hidden 128 --heads 4 --intermediate 512 \
--max-positions 128 --max-seq-length 128 --pooling mean --seed 42"
PRETRAIN_FLAGS="--epochs 1 --batch-size 128 --lr 1e-3 --warmup-steps 250 --similarity cos --scale 20 \
--length-grouped --train-fraction 0.99 --checkpoint-every 0 --keep-checkpoints 1 --seed 42"
# What the demo fine-tune uses, as the README's first command does
# (resources/data/demo-train-flags.txt: scripts/demo.sh and tst_builtin_finetune read the same file).
DEMO_FLAGS=${BUILTIN_DEMO_FLAGS:-$(cat "$REPO/resources/data/demo-train-flags.txt")}

if [ ! -x "$CLI" ]; then
    echo "error: $CLI not found; build it first (scripts/build.sh) or set PAIRTUNE_CLI" >&2
    exit 1
fi
PYTHON=$(command -v python3 || true)
if [ -z "$PYTHON" ]; then
    echo "error: python3 is needed for scripts/make_sample_data.py" >&2
    exit 1
fi
# OpenBLAS 0.3.21 (Debian 12) does not recognise recent Xeons and falls back to its slowest kernels
# (Prescott); naming the core type the CPU supports made training about twice as fast here.
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
    if grep -qw avx512f /proc/cpuinfo 2>/dev/null; then
        export OPENBLAS_CORETYPE=SkylakeX
    elif grep -qw avx2 /proc/cpuinfo 2>/dev/null; then
        export OPENBLAS_CORETYPE=Haswell
    fi
fi

REUSE=${BUILTIN_REUSE_PRETRAIN:-0}
mkdir -p "$WORK"
if [ "$REUSE" = 1 ]; then
    for needed in init/config.json run/model/modules.json run/config.json pretrain.json create.log; do
        if [ ! -e "$WORK/$needed" ]; then
            echo "error: BUILTIN_REUSE_PRETRAIN=1 but $WORK/$needed is missing; run without it" >&2
            exit 1
        fi
    done
    rm -rf "$WORK/export" "$WORK/demo-run"
else
    rm -rf "$WORK/init" "$WORK/run" "$WORK/export" "$WORK/demo-run" "$WORK/pretrain.wall"
fi
started=$(date +%s)

echo "== 1/6 pair data from WordNet" >&2
"$PYTHON" "$REPO/scripts/make_sample_data.py" --demo "$DEMO" --pretrain "$WORK/pretrain.tsv"

if [ "$REUSE" = 1 ]; then
    recorded=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["data"][0]["sha256"])' \
        "$WORK/run/config.json")
    if [ "$recorded" != "$(sha256sum "$WORK/pretrain.tsv" | cut -d" " -f1)" ]; then
        echo "error: $WORK/run was trained on other data than the pretrain.tsv just made; run without" \
            "BUILTIN_REUSE_PRETRAIN" >&2
        exit 1
    fi
    echo "== 2-3/6 reusing $WORK/init and $WORK/run (pretraining data unchanged)" >&2
    train_wall=$(cat "$WORK/pretrain.wall" 2>/dev/null || echo unknown)
else
    echo "== 2/6 create" >&2
    # shellcheck disable=SC2086 # the flag lists are meant to split
    "$CLI" create --out "$WORK/init" $MODEL_FLAGS 2>"$WORK/create.log" || { cat "$WORK/create.log" >&2; exit 1; }
    cat "$WORK/create.log" >&2

    echo "== 3/6 pretrain (the long part)" >&2
    # 1 % of the pairs is held out for the run's own before/after metrics.
    train_started=$(date +%s)
    # shellcheck disable=SC2086
    "$CLI" train --data "$WORK/pretrain.tsv" --base "$WORK/init" --out "$WORK/run" $PRETRAIN_FLAGS \
        --threads "$THREADS" --json >"$WORK/pretrain.json"
    train_wall=$(($(date +%s) - train_started))
    echo "$train_wall" >"$WORK/pretrain.wall"
fi

echo "== 4/6 export with F16 weights" >&2
"$CLI" export --run "$WORK/run" --checkpoint final --out "$WORK/export" --float16

echo "== 5/6 evaluate on the demo pairs, and fine-tune on them" >&2
"$CLI" eval --model "$WORK/init" --data "$DEMO" --threads "$THREADS" --json >"$WORK/eval-untrained.json"
"$CLI" eval --model "$WORK/export" --data "$DEMO" --threads "$THREADS" --json >"$WORK/eval-builtin.json"
demo_started=$(date +%s)
# shellcheck disable=SC2086
"$CLI" train --data "$DEMO" --base "$WORK/export" --out "$WORK/demo-run" $DEMO_FLAGS --threads "$THREADS" \
    --quiet --json >"$WORK/demo.json"
demo_wall=$(($(date +%s) - demo_started))

echo "== 6/6 model card" >&2
"$PYTHON" - "$WORK" "$REPO" "$train_wall" "$demo_wall" "$MODEL_FLAGS" "$PRETRAIN_FLAGS" "$DEMO_FLAGS" \
    "${OPENBLAS_CORETYPE:-}" <<'EOF'
import json, os, re, sys, time

work, repo, train_wall, demo_wall, model_flags, pretrain_flags, demo_flags, coretype = sys.argv[1:9]
load = lambda name: json.load(open(os.path.join(work, name)))
pretrain, demo = load("pretrain.json"), load("demo.json")
untrained, builtin = load("eval-untrained.json"), load("eval-builtin.json")
cpu = "unknown CPU"
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip()
        break
machine = "%s, %d cores%s" % (cpu, os.cpu_count() or 0, ", OPENBLAS_CORETYPE=" + coretype if coretype else "")
keys = ["accuracy@1", "accuracy@10", "mrr@10", "ndcg@10", "mean_cos_pos", "mean_cos_neg"]
flags = lambda text: " ".join(text.replace("/", " /").split()).replace(" /", "/")


def table(head, left, right):
    rows = ["| metric | %s | %s |" % head, "|---|---|---|"]
    return "\n".join(rows + ["| %s | %.4f | %.4f |" % (k, left[k], right[k]) for k in keys if k in left and k in right])


mrr_before, mrr_after = demo["eval_before"]["mrr@10"], demo["eval_after"]["mrr@10"]
card = """---
tags:
- sentence-transformers
- sentence-similarity
- feature-extraction
- pairtune
pipeline_tag: sentence-similarity
library_name: sentence-transformers
license: other
---

# Pairtune built-in model (WordNet, 2-layer BERT)

A small English sentence-embedding model that Pairtune trained itself, from random weights, on pairs
made from WordNet 3.0. It exists so that Pairtune works out of the box on a machine that cannot
download a model: it is a sensible starting point for fine-tuning on short English texts (terms,
definitions, short sentences), not a replacement for a real pretrained model such as
sentence-transformers/all-MiniLM-L6-v2.

- Architecture: BERT, 2 layers, hidden size 128, 4 attention heads, feed-forward 512, %(params)s
- Tokenizer: bert-base-uncased WordPiece (30522 tokens, lower-cased)
- Maximum sequence length: 128 tokens; 128-dimensional mean-pooled, normalized embeddings (cosine)
- Weights: float16 safetensors (loads as float32)

## Usage

```python
from sentence_transformers import SentenceTransformer

model = SentenceTransformer("resources/models/builtin")
embeddings = model.encode(["dog", "a domesticated carnivorous mammal"])
```

In Pairtune: `pairtune-cli train --base builtin ...`, or the GUI's default model.

## Training

`scripts/build_builtin_model.sh` rebuilds this folder; it ran:

```sh
python3 scripts/make_sample_data.py --demo resources/data/wordnet-demo-pairs.tsv --pretrain WORK/pretrain.tsv
pairtune-cli create --out WORK/init %(model_flags)s
pairtune-cli train --data WORK/pretrain.tsv --base WORK/init --out WORK/run %(pretrain_flags)s
pairtune-cli export --run WORK/run --checkpoint final --out resources/models/builtin --float16
```

- Data: %(pairs)d WordNet pairs (usage example ↔ definition, term ↔ synonym, usage example ↔ term,
  term and definition ↔ hypernym's; no term ↔ definition pairs), %(train_pairs)d for training and
  %(eval_pairs)d held out; the synsets of the demo set were left out entirely.
- Loss: MultipleNegativesRankingLoss (cosine similarity, scale 20), %(steps)d steps of batch 128
- Time: %(train_seconds).0f s in training steps, %(train_wall)s s wall for the training command
  (%(pps).0f pairs/s), on %(machine)s, finished %(date)s

## Evaluation

Held-out pretraining pairs (%(eval_pairs)d; each anchor retrieves among all held-out positives):

%(heldout)s

Demo pairs (`resources/data/wordnet-demo-pairs.tsv`, %(demo_pairs)d dictionary-style pairs from synsets
pretraining never saw), `pairtune-cli eval`, compared with an untrained model of the same shape:

%(demo_table)s

Fine-tuning this model on the demo pairs (80 %% train, 20 %% held out, seed 42) with
`pairtune-cli train --data resources/data/wordnet-demo-pairs.tsv --base builtin --out RUN %(demo_flags)s`
took %(demo_wall)s s wall (1-minute load average %(load).1f at the end) and moved held-out MRR@10 from %(mrr_before).4f to %(mrr_after).4f
(%(gain)+.0f %% relative):

%(demo_ft)s

## Licence

Trained on WordNet 3.0 (Princeton University; licence in `resources/data/LICENSE.wordnet`); the
vocabulary is bert-base-uncased's (Apache-2.0, see `tests/data/README.md`).
""" % dict(
    params="%.2fM parameters" % (int(re.search(r"(\d+) parameters", open(os.path.join(work, "create.log")).read()).group(1)) / 1e6),
    model_flags=flags(model_flags.replace(repo + "/", "")),
    pretrain_flags=flags(pretrain_flags),
    demo_flags=flags(demo_flags),
    pairs=pretrain["pairs"] + pretrain.get("eval_pairs", 0),  # "pairs" counts the training pairs
    train_pairs=pretrain["pairs"],
    eval_pairs=pretrain.get("eval_pairs", 0),
    steps=pretrain["steps"],
    train_seconds=pretrain["train_seconds"],
    train_wall=train_wall,
    pps=pretrain["pairs_per_second"],
    machine=machine,
    date=time.strftime("%Y-%m-%d"),
    heldout=table(("before (random init)", "after"), pretrain["eval_before"], pretrain["eval_after"]),
    demo_pairs=builtin["pairs"],
    demo_table=table(("untrained", "built-in"), untrained["metrics"], builtin["metrics"]),
    demo_wall=demo_wall,
    load=os.getloadavg()[0],
    mrr_before=mrr_before,
    mrr_after=mrr_after,
    gain=100.0 * (mrr_after / mrr_before - 1.0) if mrr_before > 0 else 0.0,
    demo_ft=table(("built-in", "fine-tuned"), demo["eval_before"], demo["eval_after"]),
)
open(os.path.join(work, "export", "README.md"), "w").write(card)
print("demo fine-tune: MRR@10 %.4f -> %.4f" % (mrr_before, mrr_after), file=sys.stderr)
EOF

# The model's tested fine-tuning settings (docs/model-tuning.md) stay with it; its numbers were
# measured on the current weights, so re-measure them when a rebuild changed the weights.
TUNING="$REPO/resources/models/builtin/pairtune_tuning.json"
if [ -f "$TUNING" ]; then
    cp "$TUNING" "$WORK/export/"
fi
rm -rf "$OUT"
mkdir -p "$(dirname "$OUT")"
cp -r "$WORK/export" "$OUT"
echo "built-in model written to $OUT ($(du -sb "$OUT" | cut -f1) bytes) in $(($(date +%s) - started)) s" >&2
