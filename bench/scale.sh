#!/bin/bash
# Scale benchmark (issue 18): generated pair files of growing size (seeded, bench/make_texts.py), each
# through `inspect` and a 50-step run of the built-in model with two evaluations (the baseline and the
# last, both of every held-out pair), under /usr/bin/time -v for wall time and peak RSS; the run also
# under bench/rss_timeline.py, whose RSS samples and timed output lines give each phase's peak.
# Usage: bench/scale.sh [PAIRS...]   (default 100000 300000 1000000)
# Env: PAIRTUNE_CLI (default build/app/pairtune-cli), SCALE_WORK (scratch, default /tmp/pairtune-scale),
#      SCALE_OUT (JSON, default docs/bench/<date>-scale.json), SCALE_EVAL_PAIRS (hold out this many
#      pairs at every size instead of the default 20%: the evaluation then costs the same everywhere).
#      Results table: docs/performance.md "Scale".
set -euo pipefail
cd "$(dirname "$0")/.."
CLI=${PAIRTUNE_CLI:-build/app/pairtune-cli}
WORK=${SCALE_WORK:-/tmp/pairtune-scale}
OUT=${SCALE_OUT:-docs/bench/$(date -u +%F)-scale.json}
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(100000 300000 1000000)
mkdir -p "$WORK"
for n in "${SIZES[@]}"; do
    dir="$WORK/n$n"
    [ -f "$dir/pairs.tsv" ] || python3 bench/make_texts.py --source resources/data/wordnet-demo-pairs.tsv \
        --out "$dir" --pairs "$n" --sentences 0 --seed 18
    /usr/bin/time -v "$CLI" inspect --data "$dir/pairs.tsv" --model builtin >"$dir/inspect.out" 2>"$dir/inspect.time"
    rm -rf "$dir/run"
    split=()
    [ -z "${SCALE_EVAL_PAIRS:-}" ] || split=(--train-fraction "$(python3 -c "print(1 - ${SCALE_EVAL_PAIRS} / $n)")")
    /usr/bin/time -v python3 bench/rss_timeline.py "$dir/train.rss" -- "$CLI" train --data "$dir/pairs.tsv" --base builtin --out "$dir/run" --max-steps 50 \
        --eval-every 0 --checkpoint-every 0 "${split[@]}" >"$dir/train.out" 2>"$dir/train.time"
done
python3 bench/scale_report.py --work "$WORK" --out "$OUT" "${SIZES[@]}"
