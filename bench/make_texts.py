#!/usr/bin/python3
"""Writes the benchmark's pair file and embedding input, deterministically (fixed seed, stdlib only).

Texts are word sequences drawn from the WordNet demo pairs' vocabulary, 5-34 words each, which the
bert-base-uncased WordPiece vocabulary turns into about 10-60 tokens with [CLS] and [SEP]: the "short
texts" of issue 6. Every text is unique, so the no-duplicates sampler never has to drop records.
"""
import argparse
import os
import random
import re


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", required=True, help="resources/data/wordnet-demo-pairs.tsv")
    parser.add_argument("--out", required=True, help="folder for pairs.tsv and sentences.txt")
    parser.add_argument("--pairs", type=int, default=3000)
    parser.add_argument("--sentences", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()

    words = []
    seen = set()
    with open(args.source, encoding="utf-8") as f:
        next(f)  # header
        for line in f:
            for word in re.findall(r"[A-Za-z][A-Za-z'-]*", line):
                if word.lower() not in seen:
                    seen.add(word.lower())
                    words.append(word.lower())
    rng = random.Random(args.seed)
    texts = set()

    def text():
        while True:
            t = " ".join(rng.choice(words) for _ in range(rng.randint(5, 34)))
            if t not in texts:
                texts.add(t)
                return t

    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "pairs.tsv"), "w", encoding="utf-8") as f:
        f.write("anchor\tpositive\n")
        for _ in range(args.pairs):
            f.write(f"{text()}\t{text()}\n")
    with open(os.path.join(args.out, "sentences.txt"), "w", encoding="utf-8") as f:
        for _ in range(args.sentences):
            f.write(text() + "\n")


if __name__ == "__main__":
    main()
