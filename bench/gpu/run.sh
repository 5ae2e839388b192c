#!/usr/bin/env bash
# On a CUDA machine with PyTorch and sentence-transformers (and no package registry): builds the
# engine and pairtune-cli against the LibTorch inside the CUDA PyTorch wheel (PAIRTUNE_BUILD_GUI=OFF),
# checks our folders and token ids against sentence-transformers / transformers / tokenizers, and
# benchmarks `pairtune-cli train|embed --device "$DEVICE"` against sentence-transformers on the same GPU.
#
# Usage: bench/gpu/run.sh [--kit DIR] [--out DIR] [--work DIR] [--steps N]
#   --kit   what bench/gpu/prepare.sh packed on a Debian machine (default .gpu-kit)
#   --out   where the logs and JSON go (default $OUT, else ./gpu-results)
# Prints a table; writes OUT/summary.json, OUT/interop.json, OUT/build.log, OUT/log.txt, and Hugging Face's
# behaviour as test data: OUT/hf-wordpiece-cases.jsonl (ids) and OUT/hf-bert-unicode.json (per code point).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KIT=$ROOT/.gpu-kit
RESULTS=${OUT:-$ROOT/gpu-results}
WORK=/tmp/pairtune-gpu
STEPS=100
WARMUP=10
DEVICE=${PAIRTUNE_GPU_DEVICE:-cuda} # cpu: a dry run of this script on a machine without a GPU
while [ $# -gt 0 ]; do
    case "$1" in
    --kit) KIT=$2; shift ;;
    --out) RESULTS=$2; shift ;;
    --work) WORK=$2; shift ;;
    --steps) STEPS=$2; shift ;;
    -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
mkdir -p "$RESULTS" "$WORK"
exec > >(tee -a "$RESULTS/log.txt") 2>&1
PY=${PYTHON:-python3}
export PYTHONUNBUFFERED=1
SECONDS=0
log() { echo "[gpu ${SECONDS}s] $*"; }

log "machine"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
nproc; g++ --version | head -n 1; cmake --version | head -n 1; ninja --version
$PY -c 'import torch, sys; print("torch", torch.__version__, "cuda", torch.version.cuda, sys.executable)'

log "interop checks (background)"
$PY "$ROOT/bench/gpu/interop.py" --ref "$KIT/ref" --vocab "$ROOT/tests/data/bert-base-uncased-vocab.txt" \
    --cases "$ROOT/tests/data/text_wordpiece/random-fast-bert.jsonl" --out "$RESULTS/interop.json" \
    --save "$WORK/st" >"$WORK/interop.log" 2>&1 &
INTEROP=$!
$PY "$ROOT/bench/gpu/hf_unicode_dump.py" "$RESULTS/hf-bert-unicode.json" >"$WORK/unicode.log" 2>&1 &
UNICODE_DUMP=$!

log "configure and build pairtune-cli against the wheel's LibTorch"
TORCH_PREFIX=$($PY -c 'import torch; print(torch.utils.cmake_prefix_path)')
[ -d /usr/local/cuda/bin ] && export PATH=/usr/local/cuda/bin:$PATH
BUILD=$WORK/build
{
    cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPAIRTUNE_BUILD_GUI=OFF \
        -DPAIRTUNE_BUILD_TESTS=OFF -DCMAKE_PREFIX_PATH="$TORCH_PREFIX;$KIT/deps" \
        -DCMAKE_CUDA_ARCHITECTURES=native -DTORCH_CUDA_ARCH_LIST=9.0 \
        -DCMAKE_POLICY_VERSION_MINIMUM=3.5 ${PAIRTUNE_GPU_CMAKE_ARGS:-} &&
        ninja -C "$BUILD" -k 0 pairtune-cli
} >"$RESULTS/build.log" 2>&1
BUILD_RC=$?
CLI=$BUILD/app/pairtune-cli
log "build exit $BUILD_RC"
[ $BUILD_RC = 0 ] || grep -E "error|Error|CMake Error" "$RESULTS/build.log" | head -n 40

wait $INTEROP $UNICODE_DUMP
log "interop checks and the Unicode dump done"
tail -n 3 "$WORK/interop.log" "$WORK/unicode.log"
cp "$WORK/st/hf-wordpiece-cases.jsonl" "$RESULTS/" 2>/dev/null

summary() { # key json-value: appends to the summary
    $PY - "$RESULTS/summary.json" "$1" "$2" <<'PY'
import json, os, sys
path, key, value = sys.argv[1:]
data = json.load(open(path)) if os.path.exists(path) else {}
try:
    data[key] = json.loads(value)
except json.JSONDecodeError:
    data[key] = value
json.dump(data, open(path, "w"), indent=1)
PY
}
summary build_exit "$BUILD_RC"
summary gpu "\"$(nvidia-smi --query-gpu=name --format=csv,noheader | head -n 1)\""
[ $BUILD_RC = 0 ] || exit 1

log "our CUDA build against sentence-transformers: reference folders embedded on the GPU"
for model in builtin tuned xlmr; do
    "$CLI" embed --device "$DEVICE" --model "$KIT/ref/$model" --input "$KIT/ref/texts.txt" --output "$WORK/$model-ours-cuda.npy" &&
        summary "interop_$model" "$($PY "$ROOT/bench/gpu/interop.py" folder --folder "$KIT/ref/$model" \
            --texts "$KIT/ref/texts.txt" --ours-npy "$WORK/$model-ours-cuda.npy" --ours-ids "$KIT/ref/$model-ids.jsonl" | tail -n 1)"
done

log "workload"
$PY "$ROOT/bench/make_texts.py" --source "$ROOT/resources/data/wordnet-demo-pairs.tsv" --out "$WORK" \
    --pairs 6000 --sentences 10000
head -n 32 "$WORK/sentences.txt" >"$WORK/sentences-32.txt"
for layers in 6 12; do
    rm -rf "$WORK/model-L$layers"
    "$CLI" create --out "$WORK/model-L$layers" --arch bert --vocab "$ROOT/tests/data/bert-base-uncased-vocab.txt" \
        --layers $layers --hidden 384 --heads 12 --intermediate 1536 >/dev/null
done

ours_train() { # name layers [extra flags]
    local name=$1 layers=$2
    shift 2
    rm -rf "$WORK/$name-run"
    "$CLI" train --device "$DEVICE" --data "$WORK/pairs.tsv" --base "$WORK/model-L$layers" --out "$WORK/$name-run" \
        --epochs 1 --batch-size 32 --max-steps $((WARMUP + STEPS)) --train-fraction 0.95 --checkpoint-every 0 \
        --quiet --json "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || { tail -n 5 "$WORK/$name.err"; return 1; }
    $PY - "$WORK/$name-run/metrics.jsonl" "$WARMUP" <<'PY'
import json, sys
steps = sorted((e["step"], e["elapsed_seconds"]) for e in map(json.loads, open(sys.argv[1])) if e.get("type") == "step")
warmup = int(sys.argv[2])
first = next(t for s, t in steps if s == warmup)
print(json.dumps({"pairs_per_second": (steps[-1][0] - warmup) * 32 / (steps[-1][1] - first), "steps": steps[-1][0] - warmup}))
PY
}
peer_train() { # layers [--bf16]
    local layers=$1
    shift
    $PY "$ROOT/bench/gpu/st_peer.py" train --model "$WORK/model-L$layers" --pairs "$WORK/pairs.tsv" --device "$DEVICE" \
        --steps "$STEPS" --warmup "$WARMUP" "$@" 2>"$WORK/peer.err" | tail -n 1 || tail -n 5 "$WORK/peer.err"
}
ours_embed() { # sentences/s from two runs (all, 32 sentences): start-up and model load cancel out
    local t0 t1 t2
    t0=$(date +%s.%N)
    "$CLI" embed --device "$DEVICE" --model "$WORK/model-L6" --input "$WORK/sentences-32.txt" --output "$WORK/e32.npy" || return 1
    t1=$(date +%s.%N)
    "$CLI" embed --device "$DEVICE" --model "$WORK/model-L6" --input "$WORK/sentences.txt" --output "$WORK/eall.npy" || return 1
    t2=$(date +%s.%N)
    $PY -c "import json,sys; a,b,c=map(float,sys.argv[1:4]); n=int(sys.argv[4]); print(json.dumps({'sentences_per_second': (n-32)/((c-b)-(b-a)), 'wall_all': c-b, 'wall_32': b-a}))" \
        "$t0" "$t1" "$t2" "$(wc -l <"$WORK/sentences.txt")"
}

train_pair() { # name layers [--bf16]: ours, then sentence-transformers
    local name=$1 layers=$2
    shift 2
    log "training $name: ours, then sentence-transformers"
    summary "ours_$name" "$(ours_train "ours-$name" "$layers" "$@" | tail -n 1)"
    summary "st_$name" "$(peer_train "$layers" "$@")"
}
# Most telling first, in case the machine's time runs out.
train_pair train6 6
log "embedding: ours, then sentence-transformers"
summary ours_embed6 "$(ours_embed | tail -n 1)"
summary st_embed6 "$($PY "$ROOT/bench/gpu/st_peer.py" embed --model "$WORK/model-L6" --sentences "$WORK/sentences.txt" \
    --device "$DEVICE" 2>"$WORK/peer.err" | tail -n 1)"

log "a folder fine-tuned on the GPU, loaded by sentence-transformers"
"$CLI" export --run "$WORK/ours-train6-run" --out "$WORK/gpu-tuned" >/dev/null &&
    "$CLI" embed --device "$DEVICE" --model "$WORK/gpu-tuned" --input "$KIT/ref/texts.txt" --output "$WORK/gpu-tuned.npy" &&
    summary interop_gpu_tuned "$($PY "$ROOT/bench/gpu/interop.py" folder --folder "$WORK/gpu-tuned" \
        --texts "$KIT/ref/texts.txt" --ours-npy "$WORK/gpu-tuned.npy" --ours-ids "$KIT/ref/builtin-ids.jsonl" | tail -n 1)"
summary ours_run_config "$(cat "$WORK/ours-train6-run/config.json" 2>/dev/null || echo null)"

# Issue 19: `--device cuda` under torchrun joins ProcessGroupNCCL on GPU LOCAL_RANK. With one GPU, one
# process joins a group of its own (PAIRTUNE_DIST_JOIN_ALONE=1; NCCL refuses two ranks on one GPU); with
# two or more, 2 processes. The same steps without torchrun, dropout off: the losses must agree.
log "torchrun: the NCCL process group on the GPU"
GPUS=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | wc -l)
NPROC=$((GPUS >= 2 ? 2 : 1))
dist_recipe=(train --device "$DEVICE" --data "$WORK/pairs.tsv" --base builtin --max-steps 20 --eval-every 10
    --checkpoint-every 0 --eval-sample 200 --no-dropout --quiet)
rm -rf "$WORK/dist-plain" "$WORK/dist-nccl"
"$CLI" "${dist_recipe[@]}" --batch-size 32 --out "$WORK/dist-plain" >"$WORK/dist-plain.log" 2>&1
PAIRTUNE_DIST_JOIN_ALONE=1 PAIRTUNE_DIST_TIMEOUT=120 $PY -m torch.distributed.run --nproc_per_node "$NPROC" \
    --master_addr 127.0.0.1 --master_port 29519 --no_python "$CLI" "${dist_recipe[@]}" \
    --batch-size $((32 / NPROC)) --out "$WORK/dist-nccl" >"$WORK/dist-nccl.log" 2>&1
DIST_RC=$?
tail -n 5 "$WORK/dist-nccl.log"
summary torchrun_nccl "$($PY - "$WORK" "$NPROC" "$DIST_RC" <<'PY'
import json, os, sys
work, nproc, rc = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def run(name):
    try:
        s = json.load(open(os.path.join(work, name, "summary.json")))
        c = json.load(open(os.path.join(work, name, "config.json")))
        return {"last_loss": s["last_loss"], "pairs_per_second": s["pairs_per_second"],
                "processes": c.get("processes"), "eval_after": s.get("eval_after")}
    except (OSError, KeyError, ValueError) as e:
        return {"error": str(e)}
plain, nccl = run("dist-plain"), run("dist-nccl")
out = {"exit": rc, "processes": nproc, "plain": plain, "torchrun": nccl,
       "log_tail": open(os.path.join(work, "dist-nccl.log")).read()[-2000:]}
if "last_loss" in plain and "last_loss" in nccl:
    out["last_loss_difference"] = abs(plain["last_loss"] - nccl["last_loss"])
print(json.dumps(out))
PY
)"

train_pair train6_bf16 6 --bf16
train_pair train12 12
train_pair train12_bf16 12 --bf16
log "ours again, for the run-to-run spread"
summary ours_train6_repeat "$(ours_train ours-train6-repeat 6 | tail -n 1)"
summary ours_train6_bf16_repeat "$(ours_train ours-train6-bf16-repeat 6 --bf16 | tail -n 1)"

log "report"
$PY - "$RESULTS/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"GPU: {s.get('gpu')}")
print(f"{'workload':<22}{'pairtune':>12}{'sent-transf':>14}{'ratio':>8}")
for key, unit in [("train6", "pairs_per_second"), ("train6_bf16", "pairs_per_second"), ("train12", "pairs_per_second"),
                  ("train12_bf16", "pairs_per_second"), ("embed6", "sentences_per_second")]:
    ours, st = s.get(f"ours_{key}"), s.get(f"st_{key}")
    try:
        a, b = ours[unit], st[unit]
        print(f"{key:<22}{a:>12.1f}{b:>14.1f}{a / b:>8.2f}")
        s[f"ratio_{key}"] = a / b
    except (TypeError, KeyError):
        print(f"{key:<22}{'?':>12}{'?':>14}   ours={ours} st={st}")
json.dump(s, open(sys.argv[1], "w"), indent=1)
PY
log "done"
