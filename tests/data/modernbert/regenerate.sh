#!/bin/sh
# Rewrites tests/data/modernbert/tiny-modernbert: a 3-layer ModernBERT (hidden 32, 4 heads, intermediate 48,
# global attention in layer 0, sliding window local_attention 8 = +-4 keys in layers 1 and 2, 8192 positions)
# with random weights, in gte-modernbert-base's file layout and a WordPiece tokenizer, from
# tests/interop/reference.py (Debian's python3-torch). Deterministic (seed 13).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$here/tiny-modernbert"
/usr/bin/python3 "$here/../../interop/reference.py" make-modernbert-folder --out "$here/tiny-modernbert" \
  --vocab-file "$here/../bert-base-uncased-vocab.txt" --words 1000 --normalize --seed 13
