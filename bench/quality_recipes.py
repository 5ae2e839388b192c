#!/usr/bin/env python3
"""Helper of bench/quality_recipes.sh (standard library only).

  quality_recipes.py texts EVAL_PAIRS.tsv ANCHORS.txt POSITIVES.txt
      The held-out anchors and positives of a run (its eval-pairs.tsv), one text per line, for embed.
  quality_recipes.py rr ANCHORS.jsonl POSITIVES.jsonl OUT.json
      Held-out retrieval from embeddings written by `pairtune-cli embed` (one {"embedding": [...]} or bare
      list per line, rows in eval-pairs.tsv order): each anchor searches the distinct positives by cosine
      (ties: lower corpus index first, as training/eval/retrievalmetrics.h); writes every query's
      reciprocal rank within the top 10 and their mean, MRR@10.
  quality_recipes.py report WORK OUT.json
      Collects WORK/<set>/<variant>/{train.json,time.txt,rr-*.json} and WORK/<set>/mine/* into one JSON
      record and prints a Markdown table; each variant's MRR@10 is compared with the recipe alone's by a
      paired bootstrap over the held-out queries (1000 resamples, seed 42, 95 % interval).
"""

import json
import math
import os
import random
import sys

TOP_K = 10


def read_vectors(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                value = json.loads(line)
                rows.append(value["embedding"] if isinstance(value, dict) else value)
    return rows


def unit(row):
    norm = math.sqrt(sum(x * x for x in row))
    return [x / norm for x in row] if norm > 0 else row


def reciprocal_ranks(anchors, positives):
    """RR@10 per query; the corpus is the distinct positive texts (rows with equal vectors share one)."""
    corpus, corpus_index, relevant = [], {}, []
    for row in positives:
        key = tuple(row)
        if key not in corpus_index:
            corpus_index[key] = len(corpus)
            corpus.append(unit(row))
        relevant.append(corpus_index[key])
    result = []
    for query, target in zip(anchors, relevant):
        q = unit(query)
        scores = [sum(map(float.__mul__, q, d)) for d in corpus]
        target_score = scores[target]
        # rank = documents strictly better, plus equal ones with a lower index (the tie rule).
        rank = 1 + sum(1 for i, s in enumerate(scores) if s > target_score or (s == target_score and i < target))
        result.append(1.0 / rank if rank <= TOP_K else 0.0)
    return result


def command_rr(anchors_path, positives_path, out_path):
    anchors, positives = read_vectors(anchors_path), read_vectors(positives_path)
    if len(anchors) != len(positives) or not anchors:
        sys.exit("quality_recipes.py rr: %d anchors, %d positives" % (len(anchors), len(positives)))
    rr = reciprocal_ranks(anchors, positives)
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({"dim": len(anchors[0]), "queries": len(rr), "mrr@10": sum(rr) / len(rr), "rr": rr}, f)


def paired_bootstrap(base, other, resamples=1000, seed=42):
    rng = random.Random(seed)
    n = len(base)
    diffs = [o - b for b, o in zip(base, other)]
    means = sorted(sum(diffs[rng.randrange(n)] for _ in range(n)) / n for _ in range(resamples))
    return [means[int(0.025 * resamples)], means[int(0.975 * resamples) - 1]]


def held_out_pairs(eval_pairs):
    """The (anchor, positive) columns of a run's eval-pairs.tsv (a mined run's adds negative columns)."""
    with open(eval_pairs, encoding="utf-8") as f:
        return [tuple(line.rstrip("\n").split("\t")[:2]) for line in f]


def command_texts(eval_pairs, anchors_path, positives_path):
    rows = held_out_pairs(eval_pairs)[1:]
    for path, column in ((anchors_path, 0), (positives_path, 1)):
        with open(path, "w", encoding="utf-8") as f:
            f.write("".join(row[column] + "\n" for row in rows))


def read_json(path):
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def read_time(path):
    """Wall seconds and peak RSS (MiB) from /usr/bin/time -v."""
    wall, rss = None, None
    if not os.path.exists(path):
        return wall, rss
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line.startswith("Elapsed (wall clock) time"):
                parts = line.rsplit(" ", 1)[1].split(":")
                wall = sum(float(p) * 60**i for i, p in enumerate(reversed(parts)))
            elif line.startswith("Maximum resident set size"):
                rss = int(line.rsplit(" ", 1)[1]) / 1024.0
    return wall, rss


def command_report(work, out_path):
    meta = read_json(os.path.join(work, "meta.json")) or {}
    record = {"meta": meta, "sets": {}}
    lines = []
    for set_name in meta.get("sets", []):
        set_dir = os.path.join(work, set_name)
        mine_wall, mine_rss = read_time(os.path.join(set_dir, "mine", "time.txt"))
        mine_report = read_json(os.path.join(set_dir, "mine", "mined.report.json")) or {}
        base = {d: read_json(os.path.join(set_dir, "base", "rr-%s.json" % d)) for d in ("full", "quarter")}
        entry = {
            "data": meta.get("data", {}).get(set_name),
            "base_mrr@10": {d: (v or {}).get("mrr@10") for d, v in base.items()},
            "mine": {"wall_seconds": mine_wall, "peak_rss_mib": mine_rss,
                     "random_filled": mine_report.get("random_filled"), "removed": mine_report.get("removed")},
            "variants": {},
        }
        reference = read_json(os.path.join(set_dir, "recipe", "rr-full.json"))
        held_out = None
        for variant in meta.get("variants", []):
            vdir = os.path.join(set_dir, variant["name"])
            if not os.path.isdir(vdir):
                continue
            if os.path.exists(os.path.join(vdir, "unavailable.txt")):
                with open(os.path.join(vdir, "unavailable.txt"), encoding="utf-8") as f:
                    entry["variants"][variant["name"]] = {"available": False, "why": f.read().strip()}
                continue
            train = read_json(os.path.join(vdir, "train.json")) or {}
            wall, rss = read_time(os.path.join(vdir, "time.txt"))
            rr = {d: read_json(os.path.join(vdir, "rr-%s.json" % d)) for d in ("full", "quarter")}
            eval_pairs = os.path.join(vdir, "run", "eval-pairs.tsv")
            if os.path.exists(eval_pairs):
                content = held_out_pairs(eval_pairs)
                held_out = content if held_out is None else held_out
                entry.setdefault("held_out_identical", True)
                entry["held_out_identical"] = entry["held_out_identical"] and content == held_out
            after = train.get("eval_after", {})
            v = {
                "available": True,
                "flags": variant["flags"],
                "steps": train.get("steps"),
                "train_seconds": train.get("train_seconds"),
                "wall_seconds": wall,
                "peak_rss_mib": rss,
                "trainer_mrr@10": after.get("mrr@10"),
                "trainer_before_mrr@10": train.get("eval_before", {}).get("mrr@10"),
                "trainer_metrics_other": {k: after[k] for k in sorted(after) if "@" in k and "mrr" in k
                                          and k != "mrr@10"},
                "mrr@10_full": (rr["full"] or {}).get("mrr@10"),
                "mrr@10_quarter": (rr["quarter"] or {}).get("mrr@10"),
                "dims": {"full": (rr["full"] or {}).get("dim"), "quarter": (rr["quarter"] or {}).get("dim")},
            }
            if reference and rr["full"] and variant["name"] != "recipe":
                v["diff_vs_recipe_full_95ci"] = paired_bootstrap(reference["rr"], rr["full"]["rr"])
            ref_q = read_json(os.path.join(set_dir, "recipe", "rr-quarter.json"))
            if ref_q and rr["quarter"] and variant["name"] != "recipe":
                v["diff_vs_recipe_quarter_95ci"] = paired_bootstrap(ref_q["rr"], rr["quarter"]["rr"])
            entry["variants"][variant["name"]] = v
        record["sets"][set_name] = entry

        lines.append("")
        lines.append("### %s (%s)" % (set_name, entry["data"]))
        lines.append("")
        lines.append("Base model: MRR@10 %s (full), %s (1/4 size). Mining: %s s, peak RSS %s MiB." % (
            fmt(entry["base_mrr@10"]["full"]), fmt(entry["base_mrr@10"]["quarter"]), fmt(mine_wall, 1),
            fmt(mine_rss, 0)))
        lines.append("")
        lines.append("| variant | steps | MRR@10 full | vs recipe (95 % CI) | MRR@10 1/4 size | vs recipe (95 % CI)"
                     " | train s | wall s | peak RSS MiB |")
        lines.append("|---|---|---|---|---|---|---|---|---|")
        for variant in meta.get("variants", []):
            v = entry["variants"].get(variant["name"])
            if v is None:
                continue
            if not v["available"]:
                lines.append("| %s | not available: %s | | | | | | | |" % (variant["label"], v["why"]))
                continue
            lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                variant["label"], v["steps"], fmt(v["mrr@10_full"]), interval(v.get("diff_vs_recipe_full_95ci")),
                fmt(v["mrr@10_quarter"]), interval(v.get("diff_vs_recipe_quarter_95ci")),
                fmt(v["train_seconds"], 1), fmt(v["wall_seconds"], 1), fmt(v["peak_rss_mib"], 0)))
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(record, f, indent=2, sort_keys=True)
        f.write("\n")
    print("\n".join(lines))


def fmt(value, digits=4):
    return "–" if value is None else ("%.*f" % (digits, value))


def interval(ci):
    return "" if not ci else "[%+.4f, %+.4f]" % (ci[0], ci[1])


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "texts":
        command_texts(*sys.argv[2:])
    elif len(sys.argv) == 5 and sys.argv[1] == "rr":
        command_rr(*sys.argv[2:])
    elif len(sys.argv) == 4 and sys.argv[1] == "report":
        command_report(*sys.argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
