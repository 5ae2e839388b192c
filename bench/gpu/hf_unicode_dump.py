#!/usr/bin/env python3
"""Dumps what Hugging Face tokenizers' BERT normalizer and pre-tokenizer do with every code point.

The Rust library classifies characters with its own Unicode tables (accents, punctuation, "other"),
which are older than the Unicode version of utf8proc or Python's unicodedata, so characters added to
Unicode later are treated differently. This records the library's behaviour, code point by code point,
for Pairtune's tests (tests/data/text_wordpiece/hf-bert-unicode.json):
  "uncased": BertNormalizer(clean_text, handle_chinese_chars, lowercase, strip accents) of the character
  "cased":   the same without lowercasing and accent stripping
  "split":   BertPreTokenizer on "a" + c + "a": 3 pieces = punctuation, 2 = whitespace
Entries are only written where the output is not the character itself (or not one piece); runs of
consecutive code points with the same kind of output are stored as ranges:
  [first, last, kind] with kind "drop" (removed), "space" (a space), "cjk" (" c "), "punct", "ws";
  explicit mappings as [cp, "output"].
"""
import json
import sys

from tokenizers import __version__ as tokenizers_version
from tokenizers.normalizers import BertNormalizer
from tokenizers.pre_tokenizers import BertPreTokenizer


def kind_of(c, out):
    if out == c:
        return None
    if out == "":
        return "drop"
    if out == " ":
        return "space"
    if out == f" {c} ":
        return "cjk"
    return out


def add(ranges, explicit, cp, kind):
    if kind is None:
        return
    if kind in ("drop", "space", "cjk", "punct", "ws"):
        if ranges and ranges[-1][2] == kind and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp, kind])
    else:
        explicit.append([cp, kind])


def main():
    uncased = BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=True, lowercase=True)
    cased = BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=False, lowercase=False)
    pre = BertPreTokenizer()
    tables = {name: ([], []) for name in ("uncased", "cased", "split")}
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        for name, normalizer in (("uncased", uncased), ("cased", cased)):
            add(*tables[name], cp, kind_of(c, normalizer.normalize_str(c)))
        pieces = len(pre.pre_tokenize_str("a" + c + "a"))
        add(*tables["split"], cp, {3: "punct", 2: "ws"}.get(pieces))
    out = {"tokenizers": tokenizers_version,
           "about": "bench/gpu/hf_unicode_dump.py: Hugging Face tokenizers' BERT normalizer and pre-tokenizer per code point"}
    for name, (ranges, explicit) in tables.items():
        out[name] = {"ranges": ranges, "mappings": explicit}
    json.dump(out, open(sys.argv[1], "w", encoding="utf-8"), ensure_ascii=True, separators=(",", ":"))
    print(json.dumps({name: [len(r), len(e)] for name, (r, e) in tables.items()}))


if __name__ == "__main__":
    main()
