#!/usr/bin/env bash
# What each of issue 20's switches buys (docs/training-quality.md): on the WordNet sample and the FOLDOC
# set (resources/data/README.md), held-out MRR@10 at the full size and at 1/4 of it, time and peak RSS of
#   recipe       the recipe alone (resources/data/demo-train-flags.txt, batch 32)
#   mined        + mined hard negatives (pairtune-cli mine with the base model, 3 per pair)
#   mnrl256      + mined, plain MNRL at batch 256: the memory that Cached MNRL avoids (reference row)
#   cached256    + mined + Cached MNRL at batch 256 (train --grad-cache, mini-batch 32)
#   matryoshka   + mined + Cached MNRL 256 + Matryoshka (train --matryoshka)
#   cachedplain256  the recipe + Cached MNRL 256 without mined negatives: mined negatives are other pairs'
#                positives, so batches that may not repeat a text stay far below 256 pairs; these are full
# Every run uses seed 42, so all of a set's runs hold out the same 400 pairs (checked); MRR@10 is measured
# on the final model by embedding those pairs (embed --truncate-dim for 1/4) and compared with the recipe
# alone's by a paired bootstrap. A variant whose flag this pairtune-cli lacks is listed "not available".
#
# Usage: bench/quality_recipes.sh [--model DIR|builtin] [--build DIR] [--work DIR] [--out FILE.json]
#                                 [--epochs N] [--sets "wordnet foldoc"] [--variants "recipe mined ..."]
#   --model     base model for mining and training (default builtin)
#   --build     build folder holding pairtune-cli (default: $PAIRTUNE_BUILD, else build)
#   --work      scratch folder (default: a fresh folder under /tmp); runs stay there
#   --out       result JSON (default WORK/result.json); the Markdown table goes to stdout
#   --epochs    instead of the recipe's epochs (4)
#   --variants  run only these (default: all); with an earlier --work, the report keeps its other runs
# Peak RSS and wall time come from /usr/bin/time -v (Debian package time).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODEL=builtin
BUILD=${PAIRTUNE_BUILD:-$ROOT/build}
WORK=""
OUT=""
EPOCHS=""
SETS="wordnet foldoc"
ALL_VARIANTS="recipe mined mnrl256 cached256 matryoshka cachedplain256"
VARIANTS=$ALL_VARIANTS
MINI_BATCH=32
while [ $# -gt 0 ]; do
    case "$1" in
    --model) MODEL=$2; shift ;;
    --build) BUILD=$2; shift ;;
    --work) WORK=$2; shift ;;
    --out) OUT=$2; shift ;;
    --epochs) EPOCHS=$2; shift ;;
    --sets) SETS=$2; shift ;;
    --variants) VARIANTS=$2; shift ;;
    -h | --help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "bench/quality_recipes.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
CLI=$BUILD/app/pairtune-cli
[ -x "$CLI" ] || CLI=$(find "$BUILD" -type f -name pairtune-cli -perm -u+x 2>/dev/null | head -n 1)
[ -n "$CLI" ] || { echo "bench: no pairtune-cli under $BUILD (cmake --build $BUILD --target pairtune-cli)" >&2; exit 1; }
[ "$MODEL" = builtin ] || MODEL=$(cd "$MODEL" && pwd)
[ -n "$WORK" ] || WORK=$(mktemp -d /tmp/pairtune-quality.XXXXXX)
mkdir -p "$WORK/bin"
WORK=$(cd "$WORK" && pwd)
# A copy of pairtune-cli taken now: a rebuild of the build folder during the (long) run would otherwise
# swap the program between runs, or leave it half-written while one starts. The copy finds the built-in
# model through PAIRTUNE_BUILTIN_MODEL instead of its own location.
cp "$CLI" "$WORK/bin/pairtune-cli"
CLI=$WORK/bin/pairtune-cli
export PAIRTUNE_BUILTIN_MODEL=${PAIRTUNE_BUILTIN_MODEL:-$ROOT/resources/models/builtin}
[ -n "$OUT" ] || OUT=$WORK/result.json
PY="python3 $ROOT/bench/quality_recipes.py"
log() { echo "bench: $*" >&2; }

data_of() {
    case "$1" in
    wordnet) echo "$ROOT/resources/data/wordnet-demo-pairs.tsv" ;;
    foldoc) echo "$ROOT/resources/data/foldoc-pairs.tsv" ;;
    *) echo "bench: unknown set $1 (wordnet, foldoc)" >&2; exit 2 ;;
    esac
}

# The recipe: the demo's flags, with --epochs replaced when asked.
read -r -a RECIPE <"$ROOT/resources/data/demo-train-flags.txt"
if [ -n "$EPOCHS" ]; then
    for i in "${!RECIPE[@]}"; do [ "${RECIPE[$i]}" = --epochs ] && RECIPE[i + 1]=$EPOCHS; done
fi
TRAIN_HELP=$("$CLI" train --help)
has_train_flag() { grep -q -- "$1\b" <<<"$TRAIN_HELP"; }
EXTRA=()
# The do-no-harm check ranks another pair set before and after every run: the same cost in every variant,
# and not what this benchmark compares, so it is left out where the flag exists.
has_train_flag --no-general-check && EXTRA+=(--no-general-check)

# name|label|data (pairs or mined)|train flags|train flags it needs
variant_line() {
    case "$1" in
    recipe) echo "recipe|recipe alone (batch 32)|pairs||" ;;
    mined) echo "mined|+ mined negatives (batch 32)|mined||" ;;
    mnrl256) echo "mnrl256|+ mined, plain MNRL batch 256 (reference)|mined|--batch-size 256|" ;;
    cached256) echo "cached256|+ mined + Cached MNRL batch 256|mined|--batch-size 256 --grad-cache --mini-batch-size $MINI_BATCH|--grad-cache --mini-batch-size" ;;
    cachedplain256) echo "cachedplain256|recipe + Cached MNRL batch 256, no mined negatives|pairs|--batch-size 256 --grad-cache --mini-batch-size $MINI_BATCH|--grad-cache --mini-batch-size" ;;
    matryoshka) echo "matryoshka|+ mined + Cached MNRL 256 + Matryoshka|mined|--batch-size 256 --grad-cache --mini-batch-size $MINI_BATCH --matryoshka|--grad-cache --matryoshka" ;;
    *) echo "bench: unknown variant $1" >&2; exit 2 ;;
    esac
}

# Runs a command under /usr/bin/time -v into DIR/time.txt; stdout to DIR/$2, stderr to DIR/stderr.txt.
measure() {
    local dir=$1 stdout=$2
    shift 2
    /usr/bin/time -v -o "$dir/time.txt" "$@" >"$dir/$stdout" 2>"$dir/stderr.txt" || {
        log "failed: $*"
        tail -n 20 "$dir/stderr.txt" >&2
        return 1
    }
}

echo probe >"$WORK/probe.txt"
"$CLI" embed --model "$MODEL" --input "$WORK/probe.txt" --output "$WORK/probe.jsonl" >/dev/null
DIM=$(python3 -c 'import json, sys; print(len(json.loads(open(sys.argv[1]).readline())["embedding"]))' "$WORK/probe.jsonl")
QUARTER=$((DIM / 4))
"$CLI" embed --help | grep -q -- --truncate-dim || { log "embed has no --truncate-dim"; exit 1; }

# Held-out MRR@10 of MODEL_DIR on EVAL_PAIRS at the full size and at 1/4 into DIR/rr-{full,quarter}.json.
held_out_mrr() {
    local model=$1 eval_pairs=$2 dir=$3
    $PY texts "$eval_pairs" "$dir/anchors.txt" "$dir/positives.txt"
    for size in full quarter; do
        local trunc=()
        [ "$size" = quarter ] && trunc=(--truncate-dim "$QUARTER")
        "$CLI" embed --model "$model" --input "$dir/anchors.txt" --output "$dir/anchors-$size.jsonl" "${trunc[@]}" \
            >/dev/null 2>>"$dir/embed.err"
        "$CLI" embed --model "$model" --input "$dir/positives.txt" --output "$dir/positives-$size.jsonl" "${trunc[@]}" \
            >/dev/null 2>>"$dir/embed.err"
        $PY rr "$dir/anchors-$size.jsonl" "$dir/positives-$size.jsonl" "$dir/rr-$size.json"
        rm -f "$dir/anchors-$size.jsonl" "$dir/positives-$size.jsonl"
    done
}

SETS_JSON="" VARIANTS_JSON=""
for set in $SETS; do SETS_JSON+="\"$set\","; done
for name in $ALL_VARIANTS; do # the report lists every variant WORK holds: --variants can redo some of them
    IFS='|' read -r _ label _ flags _ <<<"$(variant_line "$name")"
    VARIANTS_JSON+="{\"name\":\"$name\",\"label\":\"$label\",\"flags\":\"$flags\"},"
done
START=$(date -u +%Y-%m-%dT%H:%M:%SZ)
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null | wc -l)
for set in $SETS; do
    data=$(data_of "$set")
    mkdir -p "$WORK/$set/mine" "$WORK/$set/base"
    log "$set: mining hard negatives with $MODEL"
    measure "$WORK/$set/mine" mine.txt "$CLI" mine --data "$data" --model "$MODEL" --output "$WORK/$set/mine/mined.jsonl" --seed 42
    for name in $VARIANTS; do
        IFS='|' read -r _ label source flags needs <<<"$(variant_line "$name")"
        dir=$WORK/$set/$name
        rm -rf "$dir"
        mkdir -p "$dir"
        missing=""
        for flag in $needs; do has_train_flag "$flag" || missing+="$flag "; done
        if [ -n "$missing" ]; then
            log "$set/$name: not available (this pairtune-cli train has no ${missing% })"
            echo "pairtune-cli train has no ${missing% }" >"$dir/unavailable.txt"
            continue
        fi
        train_data=$data
        [ "$source" = mined ] && train_data=$WORK/$set/mine/mined.jsonl
        log "$set/$name: train ${RECIPE[*]} $flags"
        # shellcheck disable=SC2086 # $flags is a list of words
        measure "$dir" train.json "$CLI" train --data "$train_data" --base "$MODEL" --out "$dir/run" --seed 42 \
            "${RECIPE[@]}" $flags "${EXTRA[@]}" --json --quiet
        held_out_mrr "$dir/run/model" "$dir/run/eval-pairs.tsv" "$dir"
        rm -rf "$dir/run/checkpoints" "$dir/run/best"
        if [ ! -f "$WORK/$set/base/rr-full.json" ]; then
            held_out_mrr "$MODEL" "$dir/run/eval-pairs.tsv" "$WORK/$set/base"
        fi
    done
done

cat >"$WORK/meta.json" <<EOF
{"started": "$START", "finished": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
 "commit_at_start": "$COMMIT", "tracked_files_changed_at_start": $DIRTY,
 "cpu": "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')", "cores": $(nproc),
 "load_average_at_end": "$(cut -d' ' -f1-3 /proc/loadavg)",
 "model": "$MODEL", "dim": $DIM, "quarter_dim": $QUARTER, "recipe": "${RECIPE[*]}", "extra_flags": "${EXTRA[*]}",
 "seed": 42, "mini_batch_size": $MINI_BATCH,
 "data": {"wordnet": "resources/data/wordnet-demo-pairs.tsv", "foldoc": "resources/data/foldoc-pairs.tsv"},
 "sets": [${SETS_JSON%,}], "variants": [${VARIANTS_JSON%,}]}
EOF
$PY report "$WORK" "$OUT"
log "result: $OUT (runs under $WORK)"
