#!/usr/bin/env python3
"""Turn WordNet (Debian package wordnet-base) into Pairtune pair files.

Writes two tab-separated files with a header "anchor<TAB>positive":

  pretrain  a large set for pretraining the built-in base model, several pair kinds (--pretrain-kinds):
              usage example   <-> definition
              term            <-> synonym          (lemmas of the same synset)
              usage example   <-> term             (the example uses the term)
              term            <-> hypernym term    (what it is a kind or an instance of)
              definition      <-> hypernym definition
            and, only if asked for, term <-> definition (left out by default: it is the demo's task)
  demo      a small dictionary-style set for the fine-tuning demo, one pair per synset:
              lookup query ("define glissade", "glissade meaning", ...) <-> definition, or
              usage example <-> definition
  general   the do-no-harm check's set (--general): usage example <-> definition, one pair per synset,
            evaluated before and after every training run to show whether tuning damaged general
            English (train/generalcheck.h)

Synsets are split into two disjoint parts by a stable hash of "pos:offset" (SHA-256), so no synset, and
therefore no definition or usage example, of the demo set is ever seen in pretraining. Every pair whose
text equals a demo definition or demo example is dropped from the pretraining set as well (WordNet
repeats a few glosses in different synsets). Within the demo set every anchor and every positive text
is unique, so each held-out query has exactly one right answer.

The general set comes from the same set-aside synsets as the demo, after the demo has taken its own: none of
its texts occurs in the demo set or anywhere in the pretraining set (a candidate whose definition or usage
example WordNet repeats elsewhere is skipped instead, so asking for it leaves the pretraining set unchanged).

The output is deterministic: the same WordNet files and options give byte-identical files.
Standard library only; runs with any Python 3.8+.

Usage:
  scripts/make_sample_data.py --demo resources/data/wordnet-demo-pairs.tsv --pretrain build/pretrain.tsv \
      --general resources/data/general-check-pairs.tsv
The WordNet data format is described in `man 5 wndb`; the licence is in resources/data/LICENSE.wordnet.
"""

import argparse
import hashlib
import os
import re
import sys

POS_FILES = [("noun", "n"), ("verb", "v"), ("adj", "a"), ("adv", "r")]
ADJ_MARKER = re.compile(r"\((a|p|ip)\)$")
SPACES = re.compile(r"\s+")


class Synset:
    __slots__ = ("key", "pos", "terms", "definition", "examples", "hypernyms", "bucket")

    def __init__(self, key, pos, terms, definition, examples, hypernyms):
        self.key = key
        self.pos = pos
        self.hypernyms = hypernyms  # keys of the synsets this one is a kind / an instance of
        self.terms = terms
        self.definition = definition
        self.examples = examples
        # A stable number in [0, 1) per synset: decides demo membership and orders demo candidates.
        digest = hashlib.sha256(key.encode("ascii")).digest()
        self.bucket = int.from_bytes(digest[:8], "big") / 2.0**64


def clean(text):
    """One line of plain text: WordNet's ` and '' quoting as ', no double quotes, single spaces."""
    text = text.replace("``", "'").replace("''", "'").replace("`", "'").replace('"', "'")
    return SPACES.sub(" ", text).strip()


def clean_term(word):
    word = ADJ_MARKER.sub("", word)
    return clean(word.replace("_", " "))


def split_gloss(gloss):
    """Splits a gloss at the semicolons outside double quotes; returns (definition, examples).

    A part that starts with a quote is a usage example (an attribution after the closing quote,
    like '- Shakespeare', is dropped); every other part belongs to the definition."""
    parts, current, quoted = [], [], False
    for ch in gloss:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    definition, examples = [], []
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if part.startswith('"'):
            end = part.find('"', 1)
            example = part[1:end] if end > 0 else part[1:]
            examples.append(clean(example))
        else:
            definition.append(part)
    return clean("; ".join(definition)), [e for e in examples if e]


def parse_data_file(path, pos):
    synsets = []
    with open(path, encoding="latin-1") as handle:  # WordNet 3.0 is ASCII; latin-1 never fails
        for line in handle:
            if line.startswith("  "):  # licence header
                continue
            head, sep, gloss = line.partition(" | ")
            if not sep:
                continue
            fields = head.split()
            offset, count = fields[0], int(fields[3], 16)
            words = [clean_term(fields[4 + 2 * i]) for i in range(count)]
            terms = []
            for word in words:
                if word and word not in terms:
                    terms.append(word)
            # After the words: a 3-digit pointer count, then (symbol, offset, pos, source/target) each.
            at = 4 + 2 * count
            hypernyms = []
            for i in range(int(fields[at])):
                symbol, target, target_pos = fields[at + 1 + 4 * i : at + 4 + 4 * i]
                if symbol in ("@", "@i"):
                    hypernyms.append(("a" if target_pos == "s" else target_pos) + ":" + target)
            definition, examples = split_gloss(gloss.strip())
            synsets.append(Synset(pos + ":" + offset, pos, terms, definition, examples, hypernyms))
    return synsets


def words(text):
    return len(text.split())


def usable_definition(text, args):
    return args.min_definition_words <= words(text) <= args.max_words and re.search("[a-z]", text)


def usable_example(text, args):
    return args.min_example_words <= words(text) <= args.max_words and not text.startswith("...")


def usable_term(text):
    # Single letters and numerals make poor queries ("a", "5").
    return len(text) >= 2 and re.search("[A-Za-z]{2}", text) is not None


class PairWriter:
    """Collects unique pairs with two different sides, in insertion order."""

    def __init__(self):
        self.pairs = []
        self.seen = set()

    def add(self, anchor, positive):
        if not anchor or not positive or anchor.lower() == positive.lower():
            return False
        key = (anchor, positive)
        if key in self.seen:
            return False
        self.seen.add(key)
        self.pairs.append(key)
        return True

    def write(self, path):
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)
        temporary = path + ".tmp"
        with open(temporary, "w", encoding="utf-8", newline="\n") as out:
            out.write("anchor\tpositive\n")
            for anchor, positive in self.pairs:
                out.write(anchor + "\t" + positive + "\n")
        os.replace(temporary, path)


def in_demo_part(synset, args):
    """Whether a synset belongs to the part kept out of pretraining."""
    return synset.bucket < args.demo_fraction


# How people type a dictionary lookup into a search box. The demo asks with these rather than with the
# bare term: the pretraining pairs never phrase a term this way, which is the kind of gap between a base
# model and one's own data that fine-tuning closes (docs/builtin-model.md).
QUERY_TEMPLATES = ["what does {} mean", "{} meaning", "define {}", "meaning of {}", "{} definition",
                   "definition of {}", "what is meant by {}"]
POS_QUERY_TEMPLATES = {"n": ["what is {}"], "v": ["what does it mean to {}"], "a": ["what does {} mean"],
                       "r": ["what does {} mean"]}


def lookup_query(term, synset):
    templates = QUERY_TEMPLATES + POS_QUERY_TEMPLATES[synset.pos]
    # Another slice of the synset's hash than the one that orders and splits the synsets.
    return templates[int(synset.bucket * 2.0**40) % len(templates)].format(term)


def build_demo(synsets, args):
    """One pair per demo synset, unique terms, anchors and positives, the first --demo-size by hash order."""
    demo = PairWriter()
    terms_used, anchors, positives, unseen = set(), set(), set(), set()
    candidates = sorted((s for s in synsets if in_demo_part(s, args)), key=lambda s: s.bucket)
    for synset in candidates:
        if len(demo.pairs) >= args.demo_size:
            break
        definition = synset.definition
        if not usable_definition(definition, args) or definition.lower() in positives:
            continue
        examples = [e for e in synset.examples if usable_example(e, args)]
        terms = [t for t in synset.terms if usable_term(t) and t.lower() not in terms_used]
        # Half of the synsets that have a usage example ask with it, the others with a lookup query
        # for their first term; the choice comes from the hash, not from the order of the input files.
        use_example = bool(examples) and (synset.bucket * 1e6) % 2 < 1
        if use_example:
            anchor = examples[0]
        elif terms:
            anchor = lookup_query(terms[0], synset)
        else:
            continue
        if anchor.lower() in anchors:
            continue
        if demo.add(anchor, definition):
            anchors.add(anchor.lower())
            positives.add(definition.lower())
            if not use_example:
                terms_used.add(terms[0].lower())
            # The demo's definitions, usage examples and queries must stay unseen in pretraining; the
            # terms themselves are words that recur across synsets and may appear there in other senses.
            unseen.add(definition.lower())
            unseen.add(anchor.lower())
    return demo, unseen


PRETRAIN_KINDS = ["term-definition", "example-definition", "term-synonym", "example-term", "term-hypernym",
                  "definition-hypernym"]
# term-definition is left out on purpose: looking a term's definition up is the demo's task, so the demo
# shows what fine-tuning on a task the model was not trained for adds (docs/builtin-model.md).
DEFAULT_PRETRAIN_KINDS = [k for k in PRETRAIN_KINDS if k != "term-definition"]


def build_pretrain(synsets, unseen, args):
    """Pairs of the kinds in args.pretrain_kinds from every synset outside the demo part."""
    pretrain = PairWriter()
    by_key = {s.key: s for s in synsets}
    kinds = args.pretrain_kinds

    def add(anchor, positive):
        if anchor.lower() not in unseen and positive.lower() not in unseen:
            pretrain.add(anchor, positive)

    for synset in synsets:
        if in_demo_part(synset, args):
            continue
        terms = [t for t in synset.terms if usable_term(t)]
        examples = [e for e in synset.examples if usable_example(e, args)][: args.examples_per_synset]
        definition = synset.definition if usable_definition(synset.definition, args) else ""
        # Hypernyms in the demo part are skipped too, so no demo text reaches pretraining through them.
        parents = [by_key[k] for k in synset.hypernyms if k in by_key and not in_demo_part(by_key[k], args)]
        if definition and "term-definition" in kinds:
            for term in terms[: args.terms_per_synset]:
                add(term, definition)
        if definition and "example-definition" in kinds:
            for example in examples:
                add(example, definition)
        if terms and "term-synonym" in kinds:
            for other in terms[1 : 1 + args.synonyms_per_synset]:
                add(terms[0], other)
        if terms and "example-term" in kinds:
            for example in examples:
                add(example, terms[0])
        for parent in parents[:1]:
            parent_terms = [t for t in parent.terms if usable_term(t)]
            if terms and parent_terms and "term-hypernym" in kinds:
                add(terms[0], parent_terms[0])
            if definition and usable_definition(parent.definition, args) and "definition-hypernym" in kinds:
                add(definition, parent.definition)
    return pretrain


def build_general(synsets, unseen, pretrain, args):
    """Usage example <-> definition pairs of set-aside synsets whose texts occur neither in the demo set
    (unseen) nor in the pretraining set, unique on both sides, the first --general-size by hash order."""
    pretrain_texts = set()
    for anchor, positive in pretrain.pairs:
        pretrain_texts.add(anchor.lower())
        pretrain_texts.add(positive.lower())
    general = PairWriter()
    taken = set()
    candidates = sorted((s for s in synsets if in_demo_part(s, args)), key=lambda s: s.bucket)
    for synset in candidates:
        if len(general.pairs) >= args.general_size:
            break
        definition = synset.definition
        examples = [e for e in synset.examples if usable_example(e, args)]
        if not usable_definition(definition, args) or not examples:
            continue
        anchor = examples[0]
        texts = (anchor.lower(), definition.lower())
        if any(t in unseen or t in pretrain_texts or t in taken for t in texts):
            continue
        if general.add(anchor, definition):
            taken.update(texts)
    return general


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wordnet", default="/usr/share/wordnet", help="folder with data.noun, data.verb, ...")
    parser.add_argument("--demo", help="demo pair file to write (TSV)")
    parser.add_argument("--pretrain", help="pretraining pair file to write (TSV)")
    parser.add_argument("--general", help="do-no-harm check pair file to write (TSV)")
    parser.add_argument("--general-size", type=int, default=500, help="pairs in the general set")
    parser.add_argument("--demo-fraction", type=float, default=0.04, help="share of synsets kept out of pretraining")
    parser.add_argument("--demo-size", type=int, default=2000, help="pairs in the demo set")
    parser.add_argument("--pretrain-kinds", default=",".join(DEFAULT_PRETRAIN_KINDS),
                        help="pair kinds of the pretraining set, comma separated: " + ", ".join(PRETRAIN_KINDS))
    parser.add_argument("--terms-per-synset", type=int, default=3)
    parser.add_argument("--examples-per-synset", type=int, default=2)
    parser.add_argument("--synonyms-per-synset", type=int, default=3)
    parser.add_argument("--min-definition-words", type=int, default=3)
    parser.add_argument("--min-example-words", type=int, default=3)
    parser.add_argument("--max-words", type=int, default=60, help="longer texts are dropped, not cut")
    args = parser.parse_args(argv)
    args.pretrain_kinds = {k.strip() for k in args.pretrain_kinds.split(",") if k.strip()}
    unknown = args.pretrain_kinds - set(PRETRAIN_KINDS)
    if unknown:
        parser.error("unknown pair kinds: " + ", ".join(sorted(unknown)))
    if not args.demo and not args.pretrain and not args.general:
        parser.error("nothing to do: give --demo FILE, --pretrain FILE and/or --general FILE")

    synsets = []
    for name, pos in POS_FILES:
        path = os.path.join(args.wordnet, "data." + name)
        if not os.path.isfile(path):
            sys.exit("error: %s not found; install the Debian package wordnet-base (or pass --wordnet DIR)" % path)
        synsets.extend(parse_data_file(path, pos))

    demo, unseen = build_demo(synsets, args)
    if args.demo:
        demo.write(args.demo)
        print("%s: %d pairs" % (args.demo, len(demo.pairs)), file=sys.stderr)
    if args.pretrain or args.general:
        pretrain = build_pretrain(synsets, unseen, args)
    if args.pretrain:
        pretrain.write(args.pretrain)
        print("%s: %d pairs from %d synsets" % (args.pretrain, len(pretrain.pairs), len(synsets)), file=sys.stderr)
    if args.general:
        general = build_general(synsets, unseen, pretrain, args)
        if len(general.pairs) < args.general_size:
            sys.exit("error: only %d general pairs; raise --demo-fraction" % len(general.pairs))
        general.write(args.general)
        print("%s: %d pairs" % (args.general, len(general.pairs)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
