#!/bin/bash
# Data-parallel scaling on this machine's CPUs (issue 19, docs/distributed.md "Scaling"): the same global
# batch trained by 1 process (1 and 2 compute threads) and by 2 processes × 1 thread under Debian's
# torchrun, each `--max-steps STEPS` without evaluations or checkpoints; pairs/s from summary.json. The
# step's all-reduce is timed apart (bench/distributed_allreduce.py: Gloo, the flat gradient buffer of the
# model's size), so a 2-process step splits into all-reduce and the rest (forward, backward, the
# embeddings' all_gather, AdamW). The 2-process run is repeated with the gradients' all-reduce in one
# flat buffer after backward (PAIRTUNE_DIST_BUCKET_MB=0) and in 1 MiB buckets, against the default 25 MiB
# buckets overlapped with backward (dist/gradientreducer.h): what overlap gains here.
# Not a test: numbers depend on the machine and on what else runs.
# Usage: bench/distributed_scaling.sh [GLOBAL_BATCH] [STEPS]   (default 32 30)
# Env: PAIRTUNE_CLI (default build/app/pairtune-cli), DIST_WORK (scratch, default /tmp/pairtune-dist-bench),
#      DIST_BASE (the model trained: builtin, or a folder; DIST_BASE=minilm-l6 creates a randomly initialised
#      MiniLM-L6-shaped BERT, 6 layers × 384, in the scratch folder, as bench/run.sh does),
#      DIST_OUT (JSON, default docs/bench/<date>-distributed.json), PAIRTUNE_PYTHON (python3 with torch).
set -euo pipefail
cd "$(dirname "$0")/.."
CLI=$(realpath "${PAIRTUNE_CLI:-build/app/pairtune-cli}")
WORK=${DIST_WORK:-/tmp/pairtune-dist-bench}
OUT=${DIST_OUT:-docs/bench/$(date -u +%F)-distributed.json}
PY=${PAIRTUNE_PYTHON:-/usr/bin/python3}
BASE=${DIST_BASE:-builtin}
START_LOAD=$(cut -d" " -f1-3 /proc/loadavg)
BATCH=${1:-32}
STEPS=${2:-30}
mkdir -p "$WORK"
[ -f "$WORK/pairs.tsv" ] || python3 bench/make_texts.py --source resources/data/wordnet-demo-pairs.tsv \
    --out "$WORK" --pairs 4000 --sentences 0 --seed 19 >/dev/null
if [ "$BASE" = minilm-l6 ]; then
    # The built-in model is too small for 2 cores to share (hidden 128): the shape users fine-tune shows
    # what data parallelism does to a real step.
    [ -d "$WORK/model-L6" ] || "$CLI" create --out "$WORK/model-L6" --arch bert \
        --vocab tests/data/bert-base-uncased-vocab.txt --layers 6 --hidden 384 --heads 12 --intermediate 1536 >/dev/null
    BASE="$WORK/model-L6"
fi
weights=resources/models/builtin/model.safetensors
[ "$BASE" = builtin ] || weights="$BASE/model.safetensors"
port() { "$PY" -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"; }
torchrun() { "$PY" -m torch.distributed.run --nproc_per_node 2 -r 2 -t 2 --master_addr 127.0.0.1 \
    --master_port "$(port)" "$@"; }
recipe=(train --data "$WORK/pairs.tsv" --base "$BASE" --max-steps "$STEPS" --eval-every 0 --checkpoint-every 0
    --eval-sample 1 --quiet)
rm -rf "$WORK"/run-*
"$CLI" "${recipe[@]}" --out "$WORK/run-1x1" --batch-size "$BATCH" --threads 1 >/dev/null
"$CLI" "${recipe[@]}" --out "$WORK/run-1x2" --batch-size "$BATCH" --threads 2 >/dev/null
torchrun --no_python "$CLI" "${recipe[@]}" --out "$WORK/run-2x1" --batch-size $((BATCH / 2)) --threads 1 \
    >/dev/null 2>"$WORK/torchrun.err"
PAIRTUNE_DIST_BUCKET_MB=0 torchrun --no_python "$CLI" "${recipe[@]}" --out "$WORK/run-2x1-flat" \
    --batch-size $((BATCH / 2)) --threads 1 >/dev/null 2>>"$WORK/torchrun.err"
PAIRTUNE_DIST_BUCKET_MB=1 torchrun --no_python "$CLI" "${recipe[@]}" --out "$WORK/run-2x1-1mb" \
    --batch-size $((BATCH / 2)) --threads 1 >/dev/null 2>>"$WORK/torchrun.err"
params=$("$PY" -c "
import json, struct, sys
f = open(sys.argv[1], 'rb'); n = struct.unpack('<Q', f.read(8))[0]
h = json.loads(f.read(n)); total = 0
for k, v in h.items():
    if k != '__metadata__':
        c = 1
        for d in v['shape']: c *= d
        total += c
print(total)" "$weights")
torchrun bench/distributed_allreduce.py "$params" "$WORK/allreduce.json" 20 >/dev/null 2>>"$WORK/torchrun.err"
"$PY" - "$WORK" "$OUT" "$BATCH" "$STEPS" "$params" "$BASE" "$START_LOAD" <<'PYEOF'
import json, os, platform, sys
work, out, batch, steps, params = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
base = sys.argv[6]
start_load = [float(x) for x in sys.argv[7].split()]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")),
           platform.machine())
def summary(name):
    s = json.load(open(os.path.join(work, name, "summary.json")))
    return {"pairs_per_second": s["pairs_per_second"], "seconds_per_step": s["train_seconds"] / s["steps"],
            "steps": s["steps"]}
runs = {"1 process x 1 thread": summary("run-1x1"), "1 process x 2 threads": summary("run-1x2"),
        "2 processes x 1 thread": summary("run-2x1"),
        "2 processes x 1 thread, one flat all-reduce after backward": summary("run-2x1-flat"),
        "2 processes x 1 thread, 1 MiB buckets": summary("run-2x1-1mb")}
allreduce = json.load(open(os.path.join(work, "allreduce.json")))
two = runs["2 processes x 1 thread"]["seconds_per_step"]
result = {
    "what": "global batch %d, %s, %d steps, no evaluation; the all-reduce timed apart" % (
        batch, "built-in model" if base == "builtin" else os.path.basename(base), steps),
    "cpu": cpu, "load_average_at_start": start_load, "cores": os.cpu_count(),
    "load_average_at_end": os.getloadavg(),
    "model_parameters": params, "gradient_bytes": params * 4, "runs": runs,
    "allreduce_2_processes": allreduce,
    "two_process_step_split": {"seconds_per_step": two, "allreduce_seconds": allreduce["median_seconds"],
                               "rest_seconds": two - allreduce["median_seconds"],
                               "allreduce_share": allreduce["median_seconds"] / two},
    "speedup_2_processes_vs_1x1": runs["2 processes x 1 thread"]["pairs_per_second"] / runs["1 process x 1 thread"]["pairs_per_second"],
    "speedup_2_processes_vs_1x2": runs["2 processes x 1 thread"]["pairs_per_second"] / runs["1 process x 2 threads"]["pairs_per_second"],
    "overlapped_buckets_vs_flat_after_backward": runs["2 processes x 1 thread"]["pairs_per_second"] / runs["2 processes x 1 thread, one flat all-reduce after backward"]["pairs_per_second"],
}
os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
json.dump(result, open(out, "w"), indent=2)
print(json.dumps(result, indent=2))
PYEOF
