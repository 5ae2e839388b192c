#!/usr/bin/env bash
# tst_exports: Pairtune's ONNX and GGUF exports checked by the real runtimes (docs/exports.md).
# Makes model folders with the CLI (the built-in model; a BERT and an XLM-R fine-tuned a few steps; a Dense
# head; CLS pooling; DistilBERT, RoBERTa, MPNet, ModernBERT), exports them with `pairtune-cli export`, and
# runs tests/export-runtimes/onnx_check.mjs (ONNX Runtime, max abs difference <= 1e-5 against
# `pairtune-cli embed`) and gguf_check.mjs (llama.cpp, cosine >= 0.9999 at f32) on each; families llama.cpp
# cannot run must be refused with a message naming them and leave no folder. Then the failures: a target
# under a regular file, an existing folder, a full disk (RLIMIT_FSIZE) and an unsupported architecture each
# fail with a clear message and leave nothing behind.
#   check_exports.sh PAIRTUNE_CLI SOURCE_DIR
# PAIRTUNE_EXPORT_BENCH_JSON=FILE also writes every check's numbers there (docs/bench/*-export-runtimes.json).
set -uo pipefail
cli=$1
src=$2
runtimes=$src/tests/export-runtimes
tricky=$src/tests/data/hf_tokenizers/tricky-strings.jsonl
sentences=$src/tests/data/interop/sentences.txt
# GGUF: the families llama.cpp runs as Pairtune writes them (training/export/ggufexport.cpp); the others
# must be refused.
gguf_families="bert xlm-roberta distilbert roberta modernbert"

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

if ! node "$runtimes/check_install.mjs" >/dev/null; then
  echo "FAIL: ONNX Runtime / llama.cpp are not installed in $runtimes/node_modules: run scripts/install_export_runtimes.sh (scripts/test.sh does)" >&2
  exit 1
fi
scratch=$(mktemp -d "${TMPDIR:-/tmp}/pairtune-exports.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
results=$scratch/results
mkdir -p "$results"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}

# Runs a command, its output kept in $scratch/last.log; prints it on failure.
run() {
  "$@" >"$scratch/last.log" 2>&1
  local status=$?
  if [ "$status" -ne 0 ]; then
    fail "$* exited with $status:"
    sed 's/^/    /' "$scratch/last.log" | tail -30 >&2
    return 1
  fi
}

onnx_check() { # label folder [fp16 mode]
  echo "--- onnx_check $1"
  run node "$runtimes/onnx_check.mjs" --cli "$cli" --model "$2" --work "$scratch/work-$1" --label "$1" \
    --texts "$tricky" --texts "$sentences" --fp16 "${3:-optional}" --json "$results/onnx-$1.json"
}

gguf_check() { # label folder type
  echo "--- gguf_check $1 $3"
  run node "$runtimes/gguf_check.mjs" --cli "$cli" --model "$2" --gguf "$2/gguf/model-$3.gguf" \
    --work "$scratch/work-$1-$3" --label "$1" --texts "$tricky" --sentences "$sentences" \
    --json "$results/gguf-$1-$3.json"
}

# The export must fail, say something matching the pattern, and leave the parent folder as it was.
expect_refusal() { # what pattern destination -- export args...
  local what=$1 pattern=$2 destination=$3
  shift 4
  local parent before after
  parent=$(dirname "$destination")
  before=$(ls -A "$parent" 2>/dev/null)
  echo "--- refusal: $what"
  if "$cli" export "$@" >"$scratch/last.log" 2>&1; then
    fail "$what: the export succeeded"
    return
  fi
  grep -Eiq "$pattern" "$scratch/last.log" ||
    fail "$what: the message does not match /$pattern/: $(cat "$scratch/last.log")"
  after=$(ls -A "$parent" 2>/dev/null)
  [ "$before" = "$after" ] || fail "$what: left files behind in $parent: before [$before] after [$after]"
  sed "s/^/    /" "$scratch/last.log"
}

export_model() { # folder-or-run destination format... (--run RUN or --model DIR given by the caller)
  run "$cli" export "$@"
}

fixtures=$scratch/fixtures
mkdir -p "$fixtures"
vocab=$src/tests/data/bert-base-uncased-vocab.txt
data=$scratch/pairs.tsv
head -241 "$src/resources/data/wordnet-demo-pairs.tsv" >"$data"
small=(--layers 2 --hidden 64 --heads 4 --intermediate 128 --max-positions 512 --max-seq-length 512)

# --- The built-in model: float32 and float16 ONNX, GGUF in all three types.
export_model --model builtin --out "$fixtures/builtin" --format onnx,gguf --onnx-fp16 --gguf-type f32 &&
  onnx_check builtin "$fixtures/builtin" required && gguf_check builtin "$fixtures/builtin" f32
for type in f16 q8_0; do
  export_model --model builtin --out "$fixtures/builtin-$type" --format gguf --gguf-type "$type" &&
    gguf_check builtin "$fixtures/builtin-$type" "$type"
done

# --- Fine-tuned BERT and XLM-R: a few steps of `train`, exported from the run.
run "$cli" create --out "$fixtures/bert-base" --arch bert --vocab "$vocab" "${small[@]}"
cut -f1,2 --output-delimiter=$'\n' "$src/resources/data/wordnet-demo-pairs.tsv" >"$scratch/spm-corpus.txt"
run "$cli" train-spm --input "$scratch/spm-corpus.txt" --output "$scratch/spm.model" --vocab-size 2000
run "$cli" create --out "$fixtures/xlmr-base" --arch xlm-roberta --spm "$scratch/spm.model" "${small[@]}"
for family in bert xlmr; do
  if run "$cli" train --base "$fixtures/$family-base" --data "$data" --out "$scratch/run-$family" \
    --max-steps 4 --batch-size 8 --warmup-steps 1 --lr 1e-3 --threads 2 --quiet; then
    export_model --run "$scratch/run-$family" --out "$fixtures/$family-tuned" --format onnx,gguf --onnx-fp16 &&
      onnx_check "$family-tuned" "$fixtures/$family-tuned" required &&
      gguf_check "$family-tuned" "$fixtures/$family-tuned" f32
  fi
done
# float16 and q8_0 GGUF of float32 weights (the built-in model's are float16 already).
for type in f16 q8_0; do
  export_model --run "$scratch/run-bert" --out "$fixtures/bert-tuned-$type" --format gguf --gguf-type "$type" &&
    gguf_check bert-tuned "$fixtures/bert-tuned-$type" "$type"
done

# --- A Dense head and CLS pooling (BERT): ONNX always; GGUF only where llama.cpp has the module.
run "$cli" create --out "$fixtures/dense-src" --arch bert --vocab "$vocab" --dense 48 "${small[@]}"
export_model --model "$fixtures/dense-src" --out "$fixtures/dense" --format onnx && onnx_check dense "$fixtures/dense"
expect_refusal "GGUF of a Dense head" "dense" "$fixtures/dense-gguf" -- \
  --model "$fixtures/dense-src" --out "$fixtures/dense-gguf" --format gguf
run "$cli" create --out "$fixtures/cls-src" --arch bert --vocab "$vocab" --pooling cls "${small[@]}"
export_model --model "$fixtures/cls-src" --out "$fixtures/cls" --format onnx,gguf &&
  onnx_check cls "$fixtures/cls" && gguf_check cls "$fixtures/cls" f32

# --- The checks themselves fail when the vectors differ: the CLS model's export with its 1_Pooling switched
# to mean afterwards, so `pairtune-cli embed` pools by mean while sentence_embedding.onnx and the GGUF
# still pool by CLS.
if [ -d "$fixtures/cls" ]; then
  cp -r "$fixtures/cls" "$fixtures/cls-switched"
  node -e '
    const fs = require("fs");
    const file = process.argv[1];
    const config = JSON.parse(fs.readFileSync(file, "utf8"));
    config.pooling_mode_cls_token = false;
    config.pooling_mode_mean_tokens = true;
    fs.writeFileSync(file, JSON.stringify(config, null, 4));' "$fixtures/cls-switched/1_Pooling/config.json"
  echo "--- the checks must fail on a model whose vectors differ"
  node "$runtimes/onnx_check.mjs" --cli "$cli" --model "$fixtures/cls-switched" --work "$scratch/work-switched" \
    --texts "$sentences" >"$scratch/last.log" 2>&1 && fail "onnx_check passed a sentence_embedding.onnx that pools by CLS against mean vectors"
  grep -q "sentence_embedding.onnx batch 1: max abs difference" "$scratch/last.log" ||
    fail "onnx_check did not name sentence_embedding.onnx: $(tail -5 "$scratch/last.log")"
  node "$runtimes/gguf_check.mjs" --cli "$cli" --model "$fixtures/cls-switched" --gguf "$fixtures/cls-switched/gguf/model-f32.gguf" \
    --work "$scratch/work-switched-gguf" --sentences "$sentences" >"$scratch/last.log" 2>&1 &&
    fail "gguf_check passed a GGUF that pools by CLS against mean vectors"
  grep -q "cosine below 0.9999 with pairtune's ids" "$scratch/last.log" ||
    fail "gguf_check did not report the cosine: $(tail -5 "$scratch/last.log")"
fi

# --- The other families, from `create`.
run "$cli" create --out "$fixtures/distilbert-src" --arch distilbert --vocab "$vocab" "${small[@]}"
run "$cli" create --out "$fixtures/roberta-src" --arch roberta --tokenizer "$src/tests/data/text_bpe/roberta" "${small[@]}"
run "$cli" create --out "$fixtures/mpnet-src" --arch mpnet --tokenizer "$src/tests/data/mpnet/tiny-mpnet" "${small[@]}"
run "$cli" create --out "$fixtures/modernbert-src" --arch modernbert --tokenizer "$src/tests/data/text_bpe/modernbert" \
  --layers 3 --hidden 64 --heads 4 --intermediate 128 --max-positions 512 --max-seq-length 512
for family in distilbert roberta mpnet modernbert; do
  export_model --model "$fixtures/$family-src" --out "$fixtures/$family" --format onnx &&
    onnx_check "$family" "$fixtures/$family"
  if [[ " $gguf_families " == *" $family "* ]]; then
    export_model --model "$fixtures/$family-src" --out "$fixtures/$family-gguf" --format gguf &&
      gguf_check "$family" "$fixtures/$family-gguf" f32
  else
    # An unsupported architecture: the message names the family, nothing is written.
    expect_refusal "GGUF of $family" "$family" "$fixtures/$family-gguf" -- \
      --model "$fixtures/$family-src" --out "$fixtures/$family-gguf" --format gguf
  fi
done

# --- Bad targets: under a regular file, an existing folder (left as it was, empty).
touch "$scratch/a-file"
expect_refusal "target under a regular file" "a-file" "$scratch/a-file/out" -- \
  --model builtin --out "$scratch/a-file/out" --format onnx
mkdir -p "$scratch/existing"
expect_refusal "existing target folder" "existing|exists" "$scratch/existing/x" -- \
  --model builtin --out "$scratch/existing" --format onnx
[ -z "$(ls -A "$scratch/existing")" ] || fail "the existing folder was written into"

# --- A full disk: RLIMIT_FSIZE with SIGXFSZ ignored, so a write past it fails with EFBIG. 6 MiB lets the
# copy of a float16 folder through (3.9 MB of weights) and stops the float32 ONNX graph (7.9 MB); 1 MiB
# stops the copy itself.
run "$cli" export --run "$scratch/run-bert" --out "$fixtures/bert-f16" --float16
for limit in 6144 1024; do
  mkdir -p "$scratch/full-$limit"
  echo "--- refusal: full disk (ulimit -f $limit)"
  if (trap '' XFSZ && ulimit -f "$limit" && exec "$cli" export --model "$fixtures/bert-f16" \
    --out "$scratch/full-$limit/out" --format onnx,gguf) >"$scratch/last.log" 2>&1; then
    fail "full disk: the export succeeded under ulimit -f $limit"
  else
    grep -Eiq "disk|space|too large" "$scratch/last.log" ||
      fail "full disk: unclear message: $(cat "$scratch/last.log")"
    [ -z "$(ls -A "$scratch/full-$limit")" ] || fail "full disk: left $(ls -A "$scratch/full-$limit") behind"
    sed "s/^/    /" "$scratch/last.log"
  fi
done

if [ -n "${PAIRTUNE_EXPORT_BENCH_JSON:-}" ]; then
  node -e '
    const fs = require("fs");
    const dir = process.argv[1];
    const all = fs.readdirSync(dir).sort().map((f) => JSON.parse(fs.readFileSync(`${dir}/${f}`, "utf8")));
    fs.writeFileSync(process.argv[2], JSON.stringify(all, null, 2) + "\n");' "$results" "$PAIRTUNE_EXPORT_BENCH_JSON"
fi
# A one-line summary per check.
for f in "$results"/*.json; do
  [ -e "$f" ] || continue
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    if (r.graphs) for (const g of r.graphs)
      console.log(`${r.label.padEnd(16)} ${g.graph.padEnd(36)} batch ${String(g.batch_size).padEnd(3)} max|d| ${g.max_abs_difference.toExponential(2)} min cos ${g.min_cosine.toFixed(7)}`);
    else console.log(`${r.label.padEnd(16)} ${r.gguf.padEnd(36)} min cos ${r.min_cosine_pairtune_ids.toFixed(7)} (own tokenizer, agreeing texts ${r.min_cosine_own_tokenizer_agreeing.toFixed(7)}), ${r.tokenizer_disagreements.length} tokenizer disagreements`);' "$f"
done
if [ "$failures" -gt 0 ]; then
  echo "tst_exports: $failures failure(s)" >&2
  exit 1
fi
echo "tst_exports: all checks passed"
