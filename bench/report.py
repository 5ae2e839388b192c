#!/usr/bin/python3
"""bench/run.sh's report: reads WORK's outputs, prints the table, our/peer ratios and one JSON line.

FLOPs count real tokens only (no padding): per text of l tokens, a forward pass costs
2 * N_dense * l (every weight matrix of the encoder: q, k, v, attention output, intermediate, output)
plus 4 * layers * hidden * l^2 (scores and context); training costs 3x the forward (backward = 2x).
The expected value over the benchmark's texts is used for both sides, since both draw random batches
from the same texts. The embedding-table lookup and the loss add no matmul FLOPs worth counting.
"""
import argparse
import json
import os
import platform
import re


def read(work, name):
    with open(os.path.join(work, name), encoding="utf-8") as f:
        return f.read().strip()


def seconds(wall):  # /usr/bin/time's "h:mm:ss" or "m:ss.ss"
    total = 0.0
    for part in wall.split(":"):
        total = total * 60 + float(part)
    return total


def lengths(work, name):
    with open(os.path.join(work, name), encoding="utf-8") as f:
        return [len(json.loads(line)["input_ids"]) for line in f if line.strip()]


def forward_flops(config, lens):
    h, i, n = config["hidden_size"], config["intermediate_size"], config["num_hidden_layers"]
    dense = n * (4 * h * h + 2 * h * i)
    return sum(2 * dense * l + 4 * n * h * l * l for l in lens) / len(lens)


def ours_train_rate(work, name, warmup):
    steps = []
    with open(os.path.join(work, f"{name}-run", "metrics.jsonl"), encoding="utf-8") as f:
        for line in f:
            event = json.loads(line)
            if event.get("type") == "step":
                steps.append((event["step"], event["elapsed_seconds"]))
    steps.sort()
    first = next(e for s, e in steps if s == warmup)
    last_step, last = steps[-1]
    return (last_step - warmup) * 32 / (last - first)


def modernbert_forward_flops(config, lens):
    """ModernBERT's dense matrices per layer: Wqkv (3 h^2), attention Wo (h^2), mlp.Wi (2 h i, input and gate),
    mlp.Wo (h i). Every layer's scores and context cost 4 h l^2: the sliding window (+-64 tokens in the base
    model) cuts nothing on texts this short, and the eager attention computes the full grid anyway."""
    h, i, n = config["hidden_size"], config["intermediate_size"], config["num_hidden_layers"]
    dense = n * (4 * h * h + 3 * h * i)
    return sum(2 * dense * l + 4 * n * h * l * l for l in lens) / len(lens)


def family_row(w, warmup, key, label, flops_of=forward_flops):
    """A family's training row (name, unit, ours, peer, flops, RSS ours, RSS peer) when bench/run.sh ran it
    (model-KEY, pair-ids-KEY.jsonl, ours-train-KEY, peer-train-KEY in WORK). MPNet's relative position bias adds
    no matmul FLOPs worth counting."""
    if not os.path.exists(os.path.join(w, f"peer-train-{key}.out")):
        return ()
    config = json.loads(read(w, f"model-{key}/config.json"))
    flops = 3 * 2 * flops_of(config, lengths(w, f"pair-ids-{key}.jsonl"))
    peer = json.loads(read(w, f"peer-train-{key}.out"))["pairs_per_second"]
    rss = [int(read(w, f"{name}-train-{key}.rss")) / 1024 for name in ("ours", "peer")]
    return ((f"train {label} shape", "pairs/s", ours_train_rate(w, f"ours-train-{key}", warmup), peer, flops,
             rss[0], rss[1]),)


def family_rows(w, warmup):
    return (family_row(w, warmup, "mpnet", "MPNet-base")
            + family_row(w, warmup, "modernbert", "ModernBERT-base", modernbert_forward_flops))


def base_rows(w, warmup, pair_lens):
    """The MiniLM-L6 training and embedding rows and the 12-layer training row."""
    rss = {name: int(read(w, f"{name}.rss")) / 1024 for name in
           ("ours-train6", "peer-train6", "ours-embed", "peer-embed", "ours-train12", "peer-train12")}
    sentence_lens = lengths(w, "sentence-ids.jsonl")
    config6 = json.loads(read(w, "model-L6/config.json"))
    config12 = json.loads(read(w, "model-L12/config.json"))
    train_flops6 = 3 * 2 * forward_flops(config6, pair_lens)  # per pair: two texts, fwd + bwd
    train_flops12 = 3 * 2 * forward_flops(config12, pair_lens)
    embed_flops = forward_flops(config6, sentence_lens)
    peer6 = json.loads(read(w, "peer-train6.out"))
    peer12 = json.loads(read(w, "peer-train12.out"))
    peer_embed = json.loads(read(w, "peer-embed.out"))
    ours6 = ours_train_rate(w, "ours-train6", warmup)
    ours12 = ours_train_rate(w, "ours-train12", warmup)
    # Embedding: the full input's wall time minus that of a 32-sentence input (start-up, loading).
    embed_seconds = seconds(read(w, "ours-embed.wall")) - seconds(read(w, "ours-embed-short.wall"))
    ours_embed = (len(sentence_lens) - 32) / embed_seconds
    return (
        ("train MiniLM-L6 shape", "pairs/s", ours6, peer6["pairs_per_second"], train_flops6,
         rss["ours-train6"], rss["peer-train6"]),
        ("embed MiniLM-L6 shape", "sentences/s", ours_embed, peer_embed["sentences_per_second"], embed_flops,
         rss["ours-embed"], rss["peer-embed"]),
        ("train 12 layers", "pairs/s", ours12, peer12["pairs_per_second"], train_flops12,
         rss["ours-train12"], rss["peer-train12"]),
    )


def ours_embed_rate(w, name, count):
    """Sentences/s of `pairtune-cli embed`: the full input's wall time minus that of a 32-sentence input
    (start-up, loading), so the steady state including our tokenization."""
    return (count - 32) / (seconds(read(w, f"{name}.wall")) - seconds(read(w, f"{name}-short.wall")))


def variant_rows(w, warmup, pair_lens):
    """The int8 embedding row and the bf16 rows, when bench/run.sh ran them. FLOPs are the fp32 model's:
    the same work in fewer bits."""
    rows = []
    config6 = json.loads(read(w, "model-L6/config.json"))
    sentence_lens = lengths(w, "sentence-ids.jsonl")
    embed_flops = forward_flops(config6, sentence_lens)

    def rss(name):
        return int(read(w, f"{name}.rss")) / 1024

    if os.path.exists(os.path.join(w, "peer-embed-int8.out")):
        rows.append(("embed MiniLM-L6 int8", "sentences/s", ours_embed_rate(w, "ours-embed-int8", len(sentence_lens)),
                     json.loads(read(w, "peer-embed-int8.out"))["sentences_per_second"], embed_flops,
                     rss("ours-embed-int8"), rss("peer-embed-int8")))
    if os.path.exists(os.path.join(w, "peer-train6-bf16.out")):
        rows.append(("train MiniLM-L6 bf16", "pairs/s", ours_train_rate(w, "ours-train6-bf16", warmup),
                     json.loads(read(w, "peer-train6-bf16.out"))["pairs_per_second"],
                     3 * 2 * forward_flops(config6, pair_lens), rss("ours-train6-bf16"), rss("peer-train6-bf16")))
        # What each side does with no precision option: ours bf16 on this CPU (issue 17), the peer float32
        # (sentence-transformers' fit() without bf16=True). Not a like-for-like row: the two above are.
        if os.path.exists(os.path.join(w, "ours-default-precision")) and read(w, "ours-default-precision") == "bf16":
            rows.append(("train L6 defaults: bf16/fp32", "pairs/s", ours_train_rate(w, "ours-train6-bf16", warmup),
                         json.loads(read(w, "peer-train6.out"))["pairs_per_second"],
                         3 * 2 * forward_flops(config6, pair_lens), rss("ours-train6-bf16"), rss("peer-train6")))
    return tuple(rows)


def kernels(w, only):
    """Both sides' BLAS kernels and threads, as each process reported them."""
    peak = json.loads(read(w, "peak.out"))
    match = re.search(r", (\w+) kernels \((\d+) threads\), (\d+) intra-op", peak["compute"])
    peer = json.loads(read(w, "peer-train-modernbert.out" if only else "peer-train6.out"))
    trials = []
    if os.path.exists(os.path.join(w, "peer-trials")):
        for line in read(w, "peer-trials").splitlines():
            setting, rate = line.split()
            trials.append({"torch_threads:OPENBLAS_NUM_THREADS": setting, "pairs_per_second": float(rate)})
    return {
        "ours_openblas_kernels": match.group(1) if match else "not OpenBLAS",
        "ours_openblas_threads": int(match.group(2)) if match else None,
        "ours_intra_op_threads": int(match.group(3)) if match else None,
        "ours_openblas_coretype_env": os.environ.get("OPENBLAS_CORETYPE", "unset (ours chooses)"),
        "peer_openblas_coretype_env": read(w, "peer-coretype") if os.path.exists(os.path.join(w, "peer-coretype"))
        else peer.get("openblas_coretype", "default"),
        "peer_openblas_kernels": peer.get("openblas_kernels", "unknown"),
        "peer_torch_threads": peer["threads"],
        "peer_openblas_threads_env": peer["openblas_threads"],
        "peer_thread_trials": trials,
        "bf16_native": read(w, "bf16-native") == "1" if os.path.exists(os.path.join(w, "bf16-native")) else None,
        "ours_default_precision": read(w, "ours-default-precision")
        if os.path.exists(os.path.join(w, "ours-default-precision")) else "fp32",
        # ours has no bf16 embedding path yet; the peer's autocast embedding rate is kept for comparison
        "peer_embed_bf16_sentences_per_second": json.loads(read(w, "peer-embed-bf16.out"))["sentences_per_second"]
        if os.path.exists(os.path.join(w, "peer-embed-bf16.out")) else None,
    }


def cpu_name():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", required=True)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--only", choices=["modernbert"], help="bench/run.sh ran this row alone (BENCH_ONLY)")
    args = parser.parse_args()
    w = args.work
    peak = json.loads(read(w, "peak.out"))
    pair_lens = lengths(w, "pair-ids.jsonl")
    measured = family_row(w, args.warmup, "modernbert", "ModernBERT-base", modernbert_forward_flops) \
        if args.only == "modernbert" else base_rows(w, args.warmup, pair_lens) + variant_rows(w, args.warmup, pair_lens) \
        + family_rows(w, args.warmup)
    peer_torch = json.loads(read(w, "peer-train-modernbert.out" if args.only else "peer-train6.out"))["torch"]

    rows = []
    for name, unit, ours, peer, flops, ours_rss, peer_rss in measured:
        rows.append({"workload": name, "unit": unit, "ours": ours, "peer": peer, "ratio": ours / peer,
                     "ours_gflops": ours * flops / 1e9, "peer_gflops": peer * flops / 1e9,
                     "ours_peak_fraction": ours * flops / 1e9 / peak["gflops"],
                     "peer_peak_fraction": peer * flops / 1e9 / peak["gflops"],
                     "ours_rss_mb": ours_rss, "peer_rss_mb": peer_rss})

    blas = kernels(w, args.only)
    load_start = read(w, "load-start") if os.path.exists(os.path.join(w, "load-start")) else None
    print(f"machine: {cpu_name()}, {os.cpu_count()} CPUs; load average at the start: {load_start}, "
          f"at the end: {read('/proc', 'loadavg')}")
    print(f"ours: {peak['compute']}")
    print(f"peer: {peer_torch} (python), OPENBLAS_CORETYPE={blas['peer_openblas_coretype_env']} -> "
          f"{blas['peer_openblas_kernels']} kernels; best of the thread trials "
          + ", ".join(f"{t['torch_threads:OPENBLAS_NUM_THREADS']}: {t['pairs_per_second']:.2f}"
                      for t in blas["peer_thread_trials"])
          + f" (torch threads:OPENBLAS_NUM_THREADS = {read(w, 'peer-setting')})")
    if blas["bf16_native"] is False:
        print("bf16: not native, skipped")
    else:
        print(f"bf16: native; ours trains in {blas['ours_default_precision']} by default (the fp32 rows pass "
              "--fp32), the peer's bf16 rows run under torch.autocast")
    print(f"matmul peak (fp32 {peak['size']}^3, ours' kernels and threads): {peak['gflops']:.1f} GFLOP/s")
    print(f"texts: {len(pair_lens)} pair texts of {min(pair_lens)}-{max(pair_lens)} tokens "
          f"(mean {sum(pair_lens) / len(pair_lens):.1f}), batch 32\n")
    header = f"{'workload':28} {'ours':>9} {'peer':>9} {'ratio':>6} {'ours GF/s':>9} {'%peak':>6} " \
             f"{'peer GF/s':>9} {'%peak':>6} {'RSS ours':>9} {'RSS peer':>9}"
    print(header)
    print("-" * len(header))
    for r in rows:
        print(f"{r['workload']:28} {r['ours']:9.1f} {r['peer']:9.1f} {r['ratio']:5.2f}x {r['ours_gflops']:9.1f} "
              f"{100 * r['ours_peak_fraction']:5.1f}% {r['peer_gflops']:9.1f} {100 * r['peer_peak_fraction']:5.1f}% "
              f"{r['ours_rss_mb']:7.0f}MB {r['peer_rss_mb']:7.0f}MB")
    goals = {}
    if not args.only:
        train, emb = rows[0], rows[1]
        # issue 17's acceptance figures, against the fair peer (same kernels, its best threads)
        goals = {"train_ratio_ge_2": train["ratio"] >= 2.0, "embed_ratio_ge_2": emb["ratio"] >= 2.0,
                 "train_peak_fraction_ge_0.65": train["ours_peak_fraction"] >= 0.65,
                 "train_rss_le_peer": train["ours_rss_mb"] <= train["peer_rss_mb"]}
        print("\ngoals: " + ", ".join(f"{k} {'met' if v else 'NOT met'}" for k, v in goals.items()))
    result = {"machine": cpu_name(), "cpus": os.cpu_count(), "ours_compute": peak["compute"],
              "peer_torch": peer_torch, "peer_threads": read(w, "peer-setting"), **blas,
              "load_average_at_start": load_start, "load_average_at_end": read("/proc", "loadavg"),
              "peak_gflops": peak["gflops"], "workloads": rows, "goals": goals}
    line = json.dumps(result, separators=(",", ":"))
    with open(os.path.join(w, "result.json"), "w", encoding="utf-8") as f:
        f.write(line + "\n")
    print(line)


if __name__ == "__main__":
    main()
