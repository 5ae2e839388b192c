#!/usr/bin/env bash
# Benchmarks pairtune-cli against a PyTorch peer (bench/peer/peer.py) in one run, on the CPU:
#   matmul peak, training pairs/s (MiniLM-L6 shape, a 12-layer shape, MPNet-base and ModernBERT-base shapes),
#   embedding sentences/s,
#   peak RSS; prints a table, the our/peer ratios and one JSON line (also written to WORK/result.json).
#
# Usage: bench/run.sh [--quick] [--build DIR] [--work DIR] [--python PY]
#   --quick   fewer timed steps, sentences and thread trials (about 5 minutes on 2 quiet cores)
#   --build   build folder holding pairtune-cli (default: $PAIRTUNE_BUILD, else build); the targets
#             pairtune-cli and pairtune-matmul-peak are built there when missing
#   --work    scratch folder (default: a fresh folder under /tmp)
#   --python  Python with torch and numpy for the peer (default /usr/bin/python3, Debian's python3-torch)
# Our side runs with its defaults (--threads 0 = automatic); the peer is timed at each thread setting
# in PEER_SETTINGS and the best is reported. Ours and the peer alternate, workload by workload, so that
# other load on the machine hits both alike.
# A fair peer: it runs on the same OpenBLAS kernels as ours. Ours picks them itself (selectFastBlasKernels,
# training/model/runtime.h: OPENBLAS_CORETYPE when Debian's OpenBLAS picks weaker kernels than the CPU has);
# the kernels ours reports are given to the peer as OPENBLAS_CORETYPE, and both sides' kernels and threads
# land in the JSON. Where the CPU has native bf16 (avx512_bf16 / amx_bf16), ours --bf16 and the peer's bf16
# autocast are timed too; the int8 rows time `embed --int8` against the peer's quantize_dynamic.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
QUICK=0
BUILD=${PAIRTUNE_BUILD:-$ROOT/build}
WORK=""
PY=/usr/bin/python3
while [ $# -gt 0 ]; do
    case "$1" in
    --quick) QUICK=1 ;;
    --build) BUILD=$2; shift ;;
    --work) WORK=$2; shift ;;
    --python) PY=$2; shift ;;
    -h | --help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "bench/run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
BUILD=$(cd "$BUILD" && pwd)
[ -n "$WORK" ] || WORK=$(mktemp -d /tmp/pairtune-bench.XXXXXX)
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)

find_exe() { find "$BUILD" -type f -name "$1" -perm -u+x 2>/dev/null | head -n 1; }
CLI=$(find_exe pairtune-cli)
PEAK=$(find_exe pairtune-matmul-peak)
if [ -z "$CLI" ] || [ -z "$PEAK" ]; then
    echo "bench: building pairtune-cli and pairtune-matmul-peak in $BUILD" >&2
    cmake --build "$BUILD" --target pairtune-cli pairtune-matmul-peak >&2
    CLI=$(find_exe pairtune-cli)
    PEAK=$(find_exe pairtune-matmul-peak)
fi
"$PY" -c 'import torch, numpy' || { echo "bench: $PY cannot import torch and numpy" >&2; exit 1; }
# On a CPU with native bf16 ours trains in bf16 by default (issue 17): the float32 rows ask for float32.
FP32=()
if "$CLI" train --help | grep -q -- --fp32; then FP32=(--fp32); fi

if [ "$QUICK" = 1 ]; then
    WARMUP=2 STEPS=6 STEPS12=3 STEPS_MPNET=2 STEPS_MODERNBERT=2 PEAK_SECONDS=2 TRIAL_STEPS=2 SENTENCES=600
    PEER_SETTINGS="1:default 2:default"
else
    WARMUP=3 STEPS=40 STEPS12=20 STEPS_MPNET=6 STEPS_MODERNBERT=6 PEAK_SECONDS=4 TRIAL_STEPS=6 SENTENCES=2000
    PEER_SETTINGS="1:default 2:default 2:1 1:1"
fi
# Overrides for trying the script out: BENCH_WARMUP, BENCH_STEPS, BENCH_STEPS12, BENCH_STEPS_MPNET,
# BENCH_STEPS_MODERNBERT, BENCH_TRIAL_STEPS; BENCH_ONLY=modernbert runs the peer trials and that row alone;
# BENCH_ONLY=base skips the MPNet-base and ModernBERT-base rows (the slowest).
WARMUP=${BENCH_WARMUP:-$WARMUP} STEPS=${BENCH_STEPS:-$STEPS} STEPS12=${BENCH_STEPS12:-$STEPS12}
STEPS_MPNET=${BENCH_STEPS_MPNET:-$STEPS_MPNET} STEPS_MODERNBERT=${BENCH_STEPS_MODERNBERT:-$STEPS_MODERNBERT}
TRIAL_STEPS=${BENCH_TRIAL_STEPS:-$TRIAL_STEPS}
# torch.set_num_threads : OPENBLAS_NUM_THREADS ("default" = OpenBLAS's own choice, every core)

log() { echo "bench: $*" >&2; }
# Runs a command under /usr/bin/time -v; stdout to $1.out, peak RSS (kB) to $1.rss.
measure() {
    local name=$1
    shift
    /usr/bin/time -v -o "$WORK/$name.time" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || {
        log "$name failed:"
        tail -n 20 "$WORK/$name.err" >&2
        exit 1
    }
    awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/$name.time" >"$WORK/$name.rss"
    awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/$name.time" >"$WORK/$name.wall"
}

log "work folder $WORK; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
cut -d' ' -f1-3 /proc/loadavg >"$WORK/load-start"
"$PY" "$ROOT/bench/make_texts.py" --source "$ROOT/resources/data/wordnet-demo-pairs.tsv" --out "$WORK" \
    --pairs 3000 --sentences "$SENTENCES"
tail -n +2 "$WORK/pairs.tsv" | tr '\t' '\n' >"$WORK/pair-texts.txt"
head -n 32 "$WORK/sentences.txt" >"$WORK/sentences-32.txt"
VOCAB=$ROOT/tests/data/bert-base-uncased-vocab.txt
for layers in 6 12; do
    rm -rf "$WORK/model-L$layers"
    "$CLI" create --out "$WORK/model-L$layers" --arch bert --vocab "$VOCAB" --layers "$layers" --hidden 384 \
        --heads 12 --intermediate 1536 >/dev/null
done
"$CLI" tokenize --model "$WORK/model-L6" --input "$WORK/pair-texts.txt" --output "$WORK/pair-ids.jsonl"
"$CLI" tokenize --model "$WORK/model-L6" --input "$WORK/sentences.txt" --output "$WORK/sentence-ids.jsonl"

log "matmul peak"
measure peak "$PEAK" 2048 "$PEAK_SECONDS"
# Our kernels, from the compute line ("OpenBLAS ..., Zen kernels (2 threads), ..."); a user's own
# OPENBLAS_CORETYPE reaches both sides unchanged.
OURS_CORETYPE=$(sed -n 's/.*, \([A-Za-z0-9]*\) kernels.*/\1/p' "$WORK/peak.out")
PEER_CORETYPE=${OPENBLAS_CORETYPE:-$OURS_CORETYPE}
echo "${PEER_CORETYPE:-default}" >"$WORK/peer-coretype"
log "our OpenBLAS kernels: ${OURS_CORETYPE:-not OpenBLAS}; the peer runs with OPENBLAS_CORETYPE=${PEER_CORETYPE:-unset}"
BF16=0
if grep -qwE 'avx512_bf16|amx_bf16' /proc/cpuinfo; then BF16=1; else log "bf16: not native, skipped"; fi
echo "$BF16" >"$WORK/bf16-native"
# What `train` does with no precision flag here (train/precision.h): bf16 only with AMX-BF16.
if grep -qw amx_bf16 /proc/cpuinfo && [ ${#FP32[@]} -gt 0 ]; then echo bf16; else echo fp32; fi \
    >"$WORK/ours-default-precision"

ours_train() { # name layers|model-folder steps
    local model=$2
    [[ $model == model-* ]] || model=model-L$model
    rm -rf "$WORK/$1-run"
    measure "$1" "$CLI" train --data "$WORK/pairs.tsv" --base "$WORK/$model" --out "$WORK/$1-run" \
        --epochs 1 --batch-size 32 --max-steps $((WARMUP + $3)) --train-fraction 0.9 --checkpoint-every 0 \
        --quiet --json "${FP32[@]}"
}
peer() { # name setting mode model steps [train ids file] [peer.py options...]
    local threads=${2%%:*} blas=${2##*:} train_ids=${6:-pair-ids.jsonl}
    local env=()
    [ "$blas" = default ] || env=(OPENBLAS_NUM_THREADS="$blas")
    [ -z "$PEER_CORETYPE" ] || env+=(OPENBLAS_CORETYPE="$PEER_CORETYPE")
    measure "$1" env "${env[@]}" GLOG_minloglevel=2 "$PY" "$ROOT/bench/peer/peer.py" "$3" --model "$WORK/$4" \
        --ids "$WORK/$([ "$3" = train ] && echo "$train_ids" || echo sentence-ids.jsonl)" --threads "$threads" \
        --steps "$5" --warmup "$WARMUP" "${@:7}"
}

# ModernBERT-base (gte-modernbert-base's shape: 22 layers, hidden 768, GeGLU 1152, rotary, global attention every
# 3rd layer, 128-token sliding window elsewhere), random weights in its real layout from the interop reference.
# The texts are tokenized with bert-base's WordPiece (30,522 rows instead of ModernBERT's 50,368: the
# lookup is no matmul, AdamW on 15M fewer embedding values changes a step by well under 1 %).
modernbert_row() {
    log "training, ModernBERT-base shape: ours, then the peer"
    rm -rf "$WORK/model-modernbert"
    "$PY" "$ROOT/tests/interop/reference.py" make-modernbert-folder --out "$WORK/model-modernbert" \
        --vocab-file "$VOCAB" --words 0 --layers 22 --hidden 768 --heads 12 --intermediate 1152 \
        --local-attention 128 --max-seq-length 128 --normalize --seed 1
    "$CLI" tokenize --model "$WORK/model-modernbert" --input "$WORK/pair-texts.txt" \
        --output "$WORK/pair-ids-modernbert.jsonl"
    ours_train ours-train-modernbert model-modernbert "$STEPS_MODERNBERT"
    peer peer-train-modernbert "$best" train model-modernbert "$STEPS_MODERNBERT" pair-ids-modernbert.jsonl
}

log "peer thread trials ($PEER_SETTINGS)"
best="" best_rate=0
: >"$WORK/peer-trials"
for setting in $PEER_SETTINGS; do
    peer "trial-${setting/:/-}" "$setting" train model-L6 "$TRIAL_STEPS"
    rate=$("$PY" -c 'import json,sys; print(json.loads(open(sys.argv[1]).read())["pairs_per_second"])' \
        "$WORK/trial-${setting/:/-}.out")
    log "  peer threads $setting: $rate pairs/s"
    echo "$setting $rate" >>"$WORK/peer-trials"
    if "$PY" -c 'import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)' "$rate" "$best_rate"; then
        best=$setting best_rate=$rate
    fi
done
echo "$best" >"$WORK/peer-setting"
log "peer uses threads $best"
if [ "${BENCH_ONLY:-}" = modernbert ]; then
    modernbert_row
    "$PY" "$ROOT/bench/report.py" --work "$WORK" --warmup "$WARMUP" --only modernbert | tee "$WORK/report.txt"
    exit 0
fi

log "training, 6 layers: ours, then the peer"
ours_train ours-train6 6 "$STEPS"
peer peer-train6 "$best" train model-L6 "$STEPS"
log "embedding: ours, then the peer"
measure ours-embed-short "$CLI" embed --model "$WORK/model-L6" --input "$WORK/sentences-32.txt" \
    --output "$WORK/short.npy"
measure ours-embed "$CLI" embed --model "$WORK/model-L6" --input "$WORK/sentences.txt" --output "$WORK/all.npy"
peer peer-embed "$best" embed model-L6 0
if "$CLI" embed --help | grep -q -- --int8; then
    log "embedding, int8: ours (embed --int8), then the peer (quantize_dynamic)"
    measure ours-embed-int8-short "$CLI" embed --int8 --model "$WORK/model-L6" --input "$WORK/sentences-32.txt" \
        --output "$WORK/short-int8.npy"
    measure ours-embed-int8 "$CLI" embed --int8 --model "$WORK/model-L6" --input "$WORK/sentences.txt" \
        --output "$WORK/all-int8.npy"
    peer peer-embed-int8 "$best" embed model-L6 0 "" --int8
fi
if [ "$BF16" = 1 ]; then
    log "bf16: ours (train --bf16), then the peer (autocast)"
    rm -rf "$WORK/ours-train6-bf16-run"
    measure ours-train6-bf16 "$CLI" train --bf16 --data "$WORK/pairs.tsv" --base "$WORK/model-L6" \
        --out "$WORK/ours-train6-bf16-run" --epochs 1 --batch-size 32 --max-steps $((WARMUP + STEPS)) \
        --train-fraction 0.9 --checkpoint-every 0 --quiet --json
    peer peer-train6-bf16 "$best" train model-L6 "$STEPS" "" --bf16
    peer peer-embed-bf16 "$best" embed model-L6 0 "" --bf16
fi
log "training, 12 layers: ours, then the peer"
ours_train ours-train12 12 "$STEPS12"
peer peer-train12 "$best" train model-L12 "$STEPS12"

if [ "${BENCH_ONLY:-}" = base ]; then
    "$PY" "$ROOT/bench/report.py" --work "$WORK" --warmup "$WARMUP" | tee "$WORK/report.txt"
    exit 0
fi

# MPNet-base (all-mpnet-base-v2's shape: 12 layers, hidden 768, relative position bias), random weights in
# its real layout from the interop reference; its own tokenizer (<s> ... </s>, ids shifted by 4).
log "training, MPNet-base shape: ours, then the peer"
rm -rf "$WORK/model-mpnet"
"$PY" "$ROOT/tests/interop/reference.py" make-mpnet-folder --out "$WORK/model-mpnet" --vocab-file "$VOCAB" \
    --layers 12 --hidden 768 --heads 12 --intermediate 3072 --normalize --max-seq-length 128 --seed 1
"$CLI" tokenize --model "$WORK/model-mpnet" --input "$WORK/pair-texts.txt" --output "$WORK/pair-ids-mpnet.jsonl"
ours_train ours-train-mpnet model-mpnet "$STEPS_MPNET"
peer peer-train-mpnet "$best" train model-mpnet "$STEPS_MPNET" pair-ids-mpnet.jsonl

modernbert_row

"$PY" "$ROOT/bench/report.py" --work "$WORK" --warmup "$WARMUP" | tee "$WORK/report.txt"
