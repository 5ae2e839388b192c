#!/usr/bin/env python3
"""The GPU benchmark's peer: real sentence-transformers, trained the way its fit() trains.

SentenceTransformer(folder) on the device, MultipleNegativesRankingLoss (dot similarity, scale 1 as
the recipe), random batches of 32 pairs tokenized batch by batch (as fit's collate function does),
AdamW with the no-decay groups (fused, the fastest torch offers on a GPU), warmup-linear schedule,
clip_grad_norm_(1.0); --bf16 wraps forward and loss in torch.autocast as the Trainer's bf16=True does.
Embedding is model.encode(batch_size=32). Time starts after the warm-up steps, with the GPU synchronised
at both ends. Prints one JSON line.
"""
import argparse
import csv
import json
import random
import time

import torch


def read_pairs(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    return [(r[0], r[1]) for r in rows[1:] if len(r) >= 2]


def to_device(features, device):
    # sentence-transformers 6 adds non-tensor entries (e.g. the text column's name) to the features.
    return {k: v.to(device) if torch.is_tensor(v) else v for k, v in features.items()}


def train(args):
    from sentence_transformers import SentenceTransformer, losses, util
    from transformers import get_linear_schedule_with_warmup

    random.seed(args.seed)
    torch.manual_seed(args.seed)
    model = SentenceTransformer(args.model, device=args.device)
    loss_fn = losses.MultipleNegativesRankingLoss(model, scale=1.0, similarity_fct=util.dot_score)
    no_decay = ["bias", "LayerNorm.bias", "LayerNorm.weight"]
    named = list(loss_fn.named_parameters())
    groups = [{"params": [p for n, p in named if not any(nd in n for nd in no_decay)], "weight_decay": 0.01},
              {"params": [p for n, p in named if any(nd in n for nd in no_decay)], "weight_decay": 0.0}]
    try:
        optimizer = torch.optim.AdamW(groups, lr=2e-5, fused=args.device.startswith("cuda"))
    except (TypeError, RuntimeError):
        optimizer = torch.optim.AdamW(groups, lr=2e-5)
    total = args.warmup + args.steps
    scheduler = get_linear_schedule_with_warmup(optimizer, 100, total)
    pairs = read_pairs(args.pairs)
    model.train()
    order = []
    start = None
    sync = torch.cuda.synchronize if args.device.startswith("cuda") else (lambda: None)
    for step in range(total):
        if step == args.warmup:
            sync()
            start = time.perf_counter()
        if len(order) < args.batch:
            order = list(range(len(pairs)))
            random.shuffle(order)
        batch = [pairs[order.pop()] for _ in range(args.batch)]
        features = [to_device(model.tokenize([p[c] for p in batch]), args.device) for c in range(2)]
        labels = torch.ones(args.batch, device=args.device)
        with torch.autocast(device_type=args.device.split(":")[0], dtype=torch.bfloat16, enabled=args.bf16):
            loss = loss_fn(features, labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(loss_fn.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
    sync()
    seconds = time.perf_counter() - start
    result = {"pairs_per_second": args.steps * args.batch / seconds, "seconds": seconds, "steps": args.steps,
              "loss": float(loss)}
    if args.device.startswith("cuda"):
        result["max_memory_allocated_mb"] = torch.cuda.max_memory_allocated() / 2**20
    return result


def embed(args):
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(args.model, device=args.device)
    with open(args.sentences, encoding="utf-8") as f:
        sentences = [line.rstrip("\n") for line in f]
    model.encode(sentences[: 4 * args.batch], batch_size=args.batch)  # untimed: first-call allocations
    sync = torch.cuda.synchronize if args.device.startswith("cuda") else (lambda: None)
    sync()
    start = time.perf_counter()
    out = model.encode(sentences, batch_size=args.batch, convert_to_numpy=True)
    sync()
    seconds = time.perf_counter() - start
    return {"sentences_per_second": len(sentences) / seconds, "seconds": seconds, "sentences": len(sentences),
            "dim": int(out.shape[1])}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=["train", "embed"])
    parser.add_argument("--model", required=True)
    parser.add_argument("--pairs", help="train: TSV with a header, anchor and positive columns")
    parser.add_argument("--sentences", help="embed: one text per line")
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--bf16", action="store_true")
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    result = train(args) if args.mode == "train" else embed(args)
    import sentence_transformers

    result.update({"torch": torch.__version__, "sentence_transformers": sentence_transformers.__version__,
                   "device": args.device, "bf16": args.bf16,
                   "gpu": torch.cuda.get_device_name() if torch.cuda.is_available() else None})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
