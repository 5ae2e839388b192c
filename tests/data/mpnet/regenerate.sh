#!/bin/sh
# Rewrites tests/data/mpnet/tiny-mpnet: a 2-layer MPNet (hidden 32, 4 heads, 32 relative-position buckets,
# 514 positions, max_seq_length 384) with random weights, in all-mpnet-base-v2's file layout, from
# tests/interop/reference.py (Debian's python3-torch). Deterministic (seed 13).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$here/tiny-mpnet"
/usr/bin/python3 "$here/../../interop/reference.py" make-mpnet-folder --out "$here/tiny-mpnet" \
  --vocab-file "$here/../bert-base-uncased-vocab.txt" --words 1000 --normalize --seed 13
