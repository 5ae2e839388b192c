#!/usr/bin/env bash
# Rebuilds tiny-bert-prompts/ (see README.md) with the independent Python reference: a 150-token
# vocabulary (specials, letters and digits with their ## continuations, punctuation, a few words),
# random weights, and prompts in config_sentence_transformers.json.
set -euo pipefail
cd "$(dirname "$0")"
vocab=$(mktemp)
/usr/bin/python3 - "$vocab" <<'PY'
import string, sys
tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
tokens += list(string.ascii_lowercase) + ["##" + c for c in string.ascii_lowercase]
tokens += list(string.digits) + ["##" + c for c in string.digits]
tokens += list(":.,?!'-;\"()")
tokens += """query passage document classify represent this sentence for searching relevant passages
the a an is of what to in and it on with capital france paris man playing guitar weather lovely today
dog dogs park children run quick brown fox jumps over lazy short one another ordinary he drove stadium
search find text word model vector close similar meaning ##ing ##ed ##er ##ly""".split()
seen = set()
with open(sys.argv[1], "w", encoding="utf-8") as f:
    for t in tokens:
        if t not in seen:
            seen.add(t)
            f.write(t + "\n")
PY
rm -rf tiny-bert-prompts
/usr/bin/python3 ../../interop/reference.py make-folder --out tiny-bert-prompts --arch bert --vocab-file "$vocab" \
    --layers 2 --hidden 16 --heads 2 --intermediate 32 --max-positions 64 --max-seq-length 32 --pooling mean \
    --normalize --seed 12 \
    --prompts '{"query": "query: ", "document": "passage: ", "classification": "Classify this sentence: "}'
rm -f "$vocab"
