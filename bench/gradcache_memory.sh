#!/bin/bash
# Cached MNRL's memory and time (issue 20 part 2, training/train/gradcache.h): peak RSS and seconds per
# step of `train --grad-cache` at batch 256 with mini-batches of 32, against plain MNRL at batch 32 (the
# memory it should stay near) and plain MNRL at batch 256 (the same gradients in one pass). The model is
# a MiniLM-L6-sized BERT with random weights (`pairtune-cli create`: 6 layers, hidden 384, 12 heads),
# the data the WordNet sample; dropout on, `--threads 2`, no checkpoints, a 1 % held-out split. Peak RSS
# is the whole process's (/usr/bin/time %M), so it includes the model, AdamW's moments and the
# evaluations before and after. Not a test: numbers depend on the machine and on what else runs.
# Usage: bench/gradcache_memory.sh [STEPS] [BATCH] [MINI]   (default 4 256 32)
# Env: PAIRTUNE_CLI (default build/app/pairtune-cli), GC_WORK (scratch, default /tmp/pairtune-gradcache-bench),
#      GC_OUT (JSON, default docs/bench/<date>-gradcache-memory.json).
set -euo pipefail
cd "$(dirname "$0")/.."
CLI=$(realpath "${PAIRTUNE_CLI:-build/app/pairtune-cli}")
WORK=${GC_WORK:-/tmp/pairtune-gradcache-bench}
OUT=${GC_OUT:-docs/bench/$(date -u +%F)-gradcache-memory.json}
STEPS=${1:-4}
BATCH=${2:-256}
MINI=${3:-32}
mkdir -p "$WORK"
[ -d "$WORK/model" ] || "$CLI" create --out "$WORK/model" --vocab resources/models/builtin/vocab.txt --layers 6 \
    --hidden 384 --heads 12 --intermediate 1536 --max-seq-length 128 >/dev/null
recipe=(train --data resources/data/wordnet-demo-pairs.tsv --base "$WORK/model" --max-steps "$STEPS"
    --eval-every 0 --checkpoint-every 0 --eval-sample 1 --train-fraction 0.99 --threads 2 --quiet)
run() { # name, extra flags...
    local name=$1
    shift
    rm -rf "${WORK:?}/run-$name"
    /usr/bin/time -f %M -o "$WORK/$name.rss" "$CLI" "${recipe[@]}" --out "$WORK/run-$name" "$@" \
        >/dev/null 2>"$WORK/$name.err"
}
run plain-mini --batch-size "$MINI"
run cached --batch-size "$BATCH" --grad-cache --mini-batch-size "$MINI"
run plain-batch --batch-size "$BATCH"
run cached-auto --batch-size "$BATCH" --grad-cache
python3 - "$WORK" "$OUT" "$STEPS" "$BATCH" "$MINI" "$(nproc)" <<'EOF'
import json, re, sys
work, out, steps, batch, mini, nproc = sys.argv[1:7]
rows = []
for name, b, m in (("plain-mini", mini, None), ("cached", batch, mini), ("plain-batch", batch, None),
                   ("cached-auto", batch, "auto")):
    summary = json.load(open(f"{work}/run-{name}/summary.json"))
    row = {"run": name, "batch_size": int(b), "grad_cache": m is not None,
           "peak_rss_mb": round(int(open(f"{work}/{name}.rss").read().split()[-1]) / 1024, 1),
           "steps": summary["steps"], "train_seconds": round(summary["train_seconds"], 2),
           "seconds_per_step": round(summary["train_seconds"] / summary["steps"], 3),
           "first_loss": summary["first_loss"]}
    if m == "auto":
        for line in open(f"{work}/run-{name}/metrics.jsonl"):
            event = json.loads(line)
            if "grad cache: mini-batches of" in event.get("message", ""):
                row["auto_choice"] = event["message"]
                row["mini_batch_size"] = int(re.search(r"mini-batches of (\d+)", event["message"]).group(1))
    elif m is not None:
        row["mini_batch_size"] = int(m)
    rows.append(row)
by = {r["run"]: r for r in rows}
result = {"command": f"bench/gradcache_memory.sh {steps} {batch} {mini}", "nproc": int(nproc),
          "model": "pairtune-cli create: BERT 6 layers, hidden 384, 12 heads, intermediate 1536 (MiniLM-L6 size)",
          "data": "resources/data/wordnet-demo-pairs.tsv", "rows": rows,
          "cached_vs_plain_batch_time": round(by["cached"]["seconds_per_step"] / by["plain-batch"]["seconds_per_step"], 3),
          "cached_vs_plain_mini_rss": round(by["cached"]["peak_rss_mb"] / by["plain-mini"]["peak_rss_mb"], 3),
          "cached_vs_plain_batch_rss": round(by["cached"]["peak_rss_mb"] / by["plain-batch"]["peak_rss_mb"], 3)}
json.dump(result, open(out, "w"), indent=2)
open(out, "a").write("\n")
print(json.dumps(result, indent=2))
EOF
