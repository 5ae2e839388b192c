#!/usr/bin/env python3
"""Turn FOLDOC (Debian package dict-foldoc) into a Pairtune pair file: computing term <-> definition.

A second public pair set beside the WordNet sample (resources/data/README.md), from another domain:
jargon, acronyms, languages, hardware and standards of computing. Writes a tab-separated file with a header
"anchor<TAB>positive":

  anchor    a FOLDOC headword as the entry spells it ("Station Management", "SMT", "SuperPaint"); an entry
            with several headwords is asked by one of them, chosen by the entry's hash
  positive  the start of the entry's first paragraph: its category tag (<networking>) and cross-reference
            braces removed, whole sentences up to 60 words

Entries are taken in the order of a stable hash (SHA-256 of the entry's first headword) and the first --count
usable ones kept; every anchor (case-insensitively) and every positive occurs once, so each held-out query
has exactly one right answer. Debian's own additions to the dictionary (Dictionary.debian, under a different
licence) and the database's introduction entries are left out: they follow the "Dictionary.debian" entry in
the file, so the rule needs nothing outside /usr/share/dictd.

The output is deterministic: the same dict-foldoc files give a byte-identical file.
Standard library only; runs with any Python 3.8+.

Usage:
  scripts/make_foldoc_pairs.py --output resources/data/foldoc-pairs.tsv
The licence (GNU FDL 1.1 or later) is in resources/data/LICENSE.foldoc.
"""

import argparse
import gzip
import hashlib
import re
import sys

DICT_DIR = "/usr/share/dictd"
BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
MIN_WORDS, MAX_WORDS = 5, 60

SPACES = re.compile(r"\s+")
CATEGORY_TAG = re.compile(r"^<[^<>]*>\s*")
# {text (url)} -> text, {(url)} -> nothing, {text} -> text (innermost first, so nesting unwinds).
LINK_WITH_URL = re.compile(r"\{([^{}]*?)\s*\((?:https?|ftp|mailto|news|telnet|gopher):[^{}]*\)\}")
BARE_URL_LINK = re.compile(r"\{\s*\([^{}]*\)\s*\}")
CROSS_REFERENCE = re.compile(r"\{([^{}]*)\}")
# A sentence ends at . ! or ? followed by a space and a capital letter, digit or quote, unless the period
# ends an initial ("J. Smith"), "e.g.", "i.e." or "et al.".
SENTENCE_END = re.compile(r"(?<=[A-Za-z0-9)'][.!?])(?<![\s.][A-Za-z]\.)(?<!\bal\.)(?<!\bvs\.)\s+(?=[A-Z0-9'(])")
# A sense number ("1. "), and a parenthesis right at the start: the headword's abbreviation or an alias
# ("(JTC)", "(Or 'plain ASCII')"), which would hand the answer to a query by that abbreviation.
SENSE_NUMBER = re.compile(r"^\d+\.\s+")
LEADING_PARENTHESIS = re.compile(r"^\([^()]*\)\s*")
UNWANTED = re.compile(r"https?:|ftp:|\[|\]|\t|\bSee\b|\bsee\b|Details\?")


def base64_number(text):
    """dictd's index numbers: base 64, most significant digit first."""
    value = 0
    for ch in text:
        value = value * 64 + BASE64.index(ch)
    return value


def read_entries(dict_dir):
    """[(offset, headword lines, body lines)] for every distinct entry of the FOLDOC database."""
    with gzip.open(dict_dir + "/foldoc.dict.dz") as f:  # dictzip is gzip with an index
        data = f.read()
    offsets = {}
    debian_start = None
    with open(dict_dir + "/foldoc.index", encoding="utf-8") as f:
        for line in f:
            word, offset, length = line.rstrip("\n").split("\t")
            offset, length = base64_number(offset), base64_number(length)
            offsets[offset] = length
            if word == "dictionary.debian":
                debian_start = offset
    if debian_start is None:
        sys.exit("make_foldoc_pairs: no 'dictionary.debian' entry in %s/foldoc.index: not Debian's dict-foldoc "
                 "20230119-1?" % dict_dir)
    entries = []
    for offset in sorted(offsets):
        if offset >= debian_start:
            continue  # Debian's entries, FOLDOC's introduction, the 00-database entries
        lines = data[offset:offset + offsets[offset]].decode("utf-8").split("\n")
        blank = lines.index("") if "" in lines else len(lines)
        headwords = [SPACES.sub(" ", l).strip() for l in lines[:blank] if l.strip()]
        if headwords and not headwords[0].startswith("00-database"):
            entries.append((offset, headwords, lines[blank:]))
    return entries


def first_paragraph(body):
    paragraph = []
    for line in body:
        if line.strip():
            paragraph.append(line.strip())
        elif paragraph:
            break
    return " ".join(paragraph)


def clean_definition(paragraph):
    """The paragraph as plain text: no category tag, no braces, no URLs, single spaces."""
    if "<introduction>" in paragraph:
        return ""
    text = CATEGORY_TAG.sub("", SENSE_NUMBER.sub("", CATEGORY_TAG.sub("", paragraph)))
    for _ in range(4):
        text = LINK_WITH_URL.sub(r"\1", text)
        text = BARE_URL_LINK.sub("", text)
        text = CROSS_REFERENCE.sub(r"\1", text)
    text = SPACES.sub(" ", text.replace('"', "'")).strip()
    return LEADING_PARENTHESIS.sub("", text)


def leading_sentences(text):
    """Whole sentences from the start, as many as fit in MAX_WORDS (at least MIN_WORDS), or ""."""
    kept, words = [], 0
    for sentence in SENTENCE_END.split(text):
        count = len(sentence.split())
        if words + count > MAX_WORDS:
            break
        kept.append(sentence)
        words += count
        if words >= 12:
            break
    result = " ".join(kept)
    return result if words >= MIN_WORDS else ""


def entry_hash(headword):
    return hashlib.sha256(("foldoc:" + headword).encode("utf-8")).digest()


def make_pairs(entries, count):
    candidates = sorted(entries, key=lambda e: (entry_hash(e[1][0]), e[0]))
    pairs, anchors_seen, positives_seen = [], set(), set()
    for _, headwords, body in candidates:
        positive = leading_sentences(clean_definition(first_paragraph(body)))
        if not positive or UNWANTED.search(positive) or positive.lower() in positives_seen:
            continue
        anchor = headwords[entry_hash(headwords[0])[8] % len(headwords)]
        if "\t" in anchor or len(anchor) < 2 or anchor.lower() in anchors_seen:
            continue
        if anchor.lower() == positive.lower():
            continue
        anchors_seen.add(anchor.lower())
        positives_seen.add(positive.lower())
        pairs.append((anchor, positive))
        if len(pairs) == count:
            break
    return pairs


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", required=True, help="the pair file to write (TSV)")
    parser.add_argument("--count", type=int, default=2000, help="pairs to keep (default 2000)")
    parser.add_argument("--dict-dir", default=DICT_DIR, help="where foldoc.index and foldoc.dict.dz are")
    args = parser.parse_args()
    try:
        entries = read_entries(args.dict_dir)
    except FileNotFoundError as e:
        sys.exit("make_foldoc_pairs: %s (install Debian's dict-foldoc: apt-get install dict-foldoc)" % e)
    pairs = make_pairs(entries, args.count)
    if len(pairs) < args.count:
        sys.exit("make_foldoc_pairs: only %d usable entries, %d asked for" % (len(pairs), args.count))
    with open(args.output, "w", encoding="utf-8", newline="\n") as f:
        f.write("anchor\tpositive\n")
        for anchor, positive in pairs:
            f.write(anchor + "\t" + positive + "\n")
    print("make_foldoc_pairs: %d pairs from %d FOLDOC entries -> %s" % (len(pairs), len(entries), args.output))


if __name__ == "__main__":
    main()
