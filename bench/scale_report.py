#!/usr/bin/python3
"""Summarises bench/scale.sh: per size the wall time and peak RSS of `inspect` and of the 50-step run,
the run's phases from its metrics.jsonl (first evaluation, 50 steps, last evaluation), and the growth
exponent of each phase between consecutive sizes (log(t2/t1) / log(n2/n1): 1 = linear, 2 = quadratic),
and from bench/rss_timeline.py's samples the peak RSS of each phase of the run: setup (model, reading and
tokenising the pairs, until the CLI says "training on"), the first evaluation, the steps, and the rest
(the last evaluation and the export)."""
import argparse
import json
import math
import os
import re


def time_v(path):
    text = open(path, encoding="utf-8").read()
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text).group(1)
    seconds = 0.0
    for part in wall.split(":"):
        seconds = seconds * 60 + float(part)
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    return seconds, rss_kb / 1024.0


def phases(run):
    events = [json.loads(line) for line in open(os.path.join(run, "metrics.jsonl"), encoding="utf-8")]
    evals = [e for e in events if e["type"] == "evaluation"]
    steps = [e for e in events if e["type"] == "step"]
    first, last = evals[0], evals[-1]
    return {
        "first_eval_s": first["elapsed_seconds"],
        "first_eval_pairs": first.get("eval_pairs"),
        "steps": len(steps),
        "steps_s": steps[-1]["elapsed_seconds"] - first["elapsed_seconds"],
        "last_eval_s": last["elapsed_seconds"] - steps[-1]["elapsed_seconds"],
        "evaluations": len(evals),
        "mrr@10_before": first["metrics"].get("mrr@10"),
        "mrr@10_after": last["metrics"].get("mrr@10"),
    }


def phase_rss(path):
    samples, marks = [], {}
    for line in open(path, encoding="utf-8"):
        t, kind, value = line.rstrip("\n").split("\t", 2)
        if kind == "rss":
            samples.append((float(t), float(value)))
        elif value.startswith("training on") and "setup" not in marks:
            marks["setup"] = float(t)
        elif value.startswith("eval at step 0") and "first_eval" not in marks:
            marks["first_eval"] = float(t)
        elif re.search(r"step (\d+)/\1 ", value):
            marks["steps"] = float(t)
    bounds = [("setup", marks.get("setup")), ("first_eval", marks.get("first_eval")),
              ("steps", marks.get("steps")), ("rest", float("inf"))]
    result, begin = {}, 0.0
    for name, end in bounds:
        if end is None:
            continue
        inside = [mb for t, mb in samples if begin <= t <= end]
        result[f"rss_{name}_mb"] = max(inside) if inside else None
        begin = end
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("sizes", nargs="+", type=int)
    args = parser.parse_args()
    rows = []
    for n in args.sizes:
        d = os.path.join(args.work, f"n{n}")
        inspect_s, inspect_mb = time_v(os.path.join(d, "inspect.time"))
        train_s, train_mb = time_v(os.path.join(d, "train.time"))
        row = {"pairs": n, "inspect_s": inspect_s, "inspect_peak_rss_mb": inspect_mb,
               "train_wall_s": train_s, "train_peak_rss_mb": train_mb}
        row.update(phases(os.path.join(d, "run")))
        if os.path.exists(os.path.join(d, "train.rss")):
            row.update(phase_rss(os.path.join(d, "train.rss")))
        rows.append(row)
    growth = []
    for a, b in zip(rows, rows[1:]):
        ratio = math.log(b["pairs"] / a["pairs"])
        growth.append({"from": a["pairs"], "to": b["pairs"], **{
            key: round(math.log(b[key] / a[key]) / ratio, 2)
            for key in ("inspect_s", "inspect_peak_rss_mb", "first_eval_s", "steps_s", "last_eval_s",
                        "train_wall_s", "train_peak_rss_mb") if a[key] > 0 and b[key] > 0}})
    result = {"command": "bench/scale.sh " + " ".join(map(str, args.sizes)), "nproc": os.cpu_count(),
              "rows": rows, "growth_exponents": growth}
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
