#!/usr/bin/env bash
# Packs what a GPU machine without a package registry needs for bench/gpu/run.sh into KIT (default
# .gpu-kit, which .gitignore leaves out):
#   deps/  the engine's small dependencies from this Debian machine: nlohmann-json and CLI11 (headers
#          and CMake files), utf8proc (header and shared library); LibTorch comes from the GPU
#          machine's own CUDA PyTorch;
#   ref/   reference outputs of this machine's CPU build, for the comparisons with Python's
#          sentence-transformers, transformers and tokenizers there: texts, our token ids and our
#          embeddings for the built-in model, a fine-tuned copy of it and a small XLM-R model.
#
# Usage: bench/gpu/prepare.sh [--build DIR] [--kit DIR]   (DIR holds a CPU build of pairtune-cli)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${PAIRTUNE_BUILD:-$ROOT/build}
KIT=$ROOT/.gpu-kit
while [ $# -gt 0 ]; do
    case "$1" in
    --build) BUILD=$2; shift ;;
    --kit) KIT=$2; shift ;;
    -h | --help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "prepare.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
CLI=$(find "$BUILD" -type f -name pairtune-cli -perm -u+x | head -n 1)
[ -n "$CLI" ] || { echo "prepare.sh: no pairtune-cli in $BUILD" >&2; exit 1; }

rm -rf "$KIT"
mkdir -p "$KIT/deps/include" "$KIT/deps/lib" "$KIT/deps/share/cmake" "$KIT/ref"
cp -r /usr/include/nlohmann /usr/include/CLI /usr/include/utf8proc.h "$KIT/deps/include/"
cp -r /usr/share/cmake/nlohmann_json /usr/share/cmake/CLI11 "$KIT/deps/share/cmake/"
cp -P /usr/lib/x86_64-linux-gnu/libutf8proc.so* "$KIT/deps/lib/"

REF=$KIT/ref
# Texts: the interop sentences and the random WordPiece cases, minus those that would not survive
# being one line of a text file (Python's line boundaries, NUL).
/usr/bin/python3 - "$ROOT" "$REF" <<'PY'
import json, sys
root, ref = sys.argv[1], sys.argv[2]
texts = [l.rstrip("\n") for l in open(f"{root}/tests/data/interop/sentences.txt", encoding="utf-8")]
for line in open(f"{root}/tests/data/text_wordpiece/random-fast-bert.jsonl", encoding="utf-8"):
    t = json.loads(line)["text"]
    if "\0" not in t and len(t.splitlines()) == 1 and t == t.splitlines()[0]:
        texts.append(t)
with open(f"{ref}/texts.txt", "w", encoding="utf-8", newline="\n") as f:
    f.write("".join(t + "\n" for t in texts))
print(f"prepare: {len(texts)} texts", file=sys.stderr)
PY

# Models: the built-in one, a fine-tuned copy (40 steps on the demo pairs; exported in float32) and a
# small XLM-R with a sentencepiece vocabulary trained here.
cp -r "$ROOT/resources/models/builtin" "$REF/builtin"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$CLI" train --data "$ROOT/resources/data/wordnet-demo-pairs.tsv" --base "$ROOT/resources/models/builtin" \
    --out "$TMP/run" --max-steps 40 --checkpoint-every 0 --quiet >/dev/null
"$CLI" export --run "$TMP/run" --out "$REF/tuned" >/dev/null
cut -f1 "$ROOT/resources/data/wordnet-demo-pairs.tsv" | tail -n +2 >"$TMP/spm-input.txt"
"$CLI" train-spm --input "$TMP/spm-input.txt" --output "$TMP/spm.model" --vocab-size 1200 >/dev/null
"$CLI" create --out "$REF/xlmr" --arch xlm-roberta --spm "$TMP/spm.model" --layers 2 --hidden 64 --heads 4 \
    --intermediate 128 --max-seq-length 64 >/dev/null
for model in builtin tuned xlmr; do
    "$CLI" tokenize --model "$REF/$model" --input "$REF/texts.txt" --output "$REF/$model-ids.jsonl"
    "$CLI" embed --model "$REF/$model" --input "$REF/texts.txt" --output "$REF/$model-cpu.npy"
done
du -sh "$KIT"
