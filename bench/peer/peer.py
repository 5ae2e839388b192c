#!/usr/bin/python3
"""The benchmark's peer: what sentence-transformers' fit() and encode() do, written with PyTorch only.

Run it with Debian's python3-torch (/usr/bin/python3). It loads the same sentence-transformers folder
(model.safetensors, config.json, modules.json) and the same token ids (`pairtune-cli tokenize` output,
so both sides see identical inputs; sentence-transformers tokenizes in its collate function with a
Rust tokenizer, which is not on the critical path either).

The model math is transformers' eager BertModel (or MPNetModel for an MPNet folder, ModernBertModel for a
ModernBERT one: bench/peer/modernbert.py) of the torch 1.13 era: nn.Linear q/k/v, scores / sqrt(d)
plus the extended mask, softmax, dropout, the pooler (BertModel computes it even though mean pooling
ignores it). Training is fit()'s loop: random batches of pairs, each column padded to its own longest
text, mean pooling (+ Normalize when modules.json has it), MultipleNegativesRankingLoss, AdamW with the
no-decay groups (bias, LayerNorm), warmup-linear LambdaLR, clip_grad_norm_(1.0), zero_grad().
Embedding is encode(): longest first, batch 32, no_grad, eval mode.

--bf16 runs the forward passes under torch.autocast("cpu", dtype=torch.bfloat16), as a user on a CPU with
native bf16 would; --int8 embeds with torch.ao.quantization.quantize_dynamic (nn.Linear -> int8 weights,
activations quantized per batch) on --quantized-engine, as a user would quantize for inference.

Prints one JSON line with the measured rate, the threads and the OpenBLAS kernels this process really
runs on; timing starts after --warmup steps (or batches).
"""
import argparse
import contextlib
import ctypes
import json
import math
import os
import random
import struct
import time

import numpy as np
import torch
from torch import nn

from modernbert import ModernBert

_DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I64": np.int64}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    header.pop("__metadata__", None)
    body = memoryview(data)[8 + n :]
    out = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        array = np.frombuffer(body[begin:end], dtype=_DTYPES[info["dtype"]]).reshape(info["shape"])
        out[name] = torch.from_numpy(array.astype(np.float32))
    return out


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        h, i = c["hidden_size"], c["intermediate_size"]
        self.heads = c["num_attention_heads"]
        self.query, self.key, self.value = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)
        self.attention_output = nn.Linear(h, h)
        self.attention_norm = nn.LayerNorm(h, eps=c["layer_norm_eps"])
        self.intermediate = nn.Linear(h, i)
        self.output = nn.Linear(i, h)
        self.output_norm = nn.LayerNorm(h, eps=c["layer_norm_eps"])
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])
        self.attention_dropout = nn.Dropout(c["attention_probs_dropout_prob"])

    def forward(self, x, extended_mask):
        b, length, h = x.shape
        d = h // self.heads

        def split(t):
            return t.view(b, length, self.heads, d).permute(0, 2, 1, 3)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d) + extended_mask
        probs = self.attention_dropout(nn.functional.softmax(scores, dim=-1))
        context = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous().view(b, length, h)
        a = self.attention_norm(self.dropout(self.attention_output(context)) + x)
        y = self.dropout(self.output(nn.functional.gelu(self.intermediate(a))))
        return self.output_norm(y + a)


class Bert(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c["hidden_size"]
        self.word = nn.Embedding(c["vocab_size"], h, padding_idx=c.get("pad_token_id", 0))
        self.position = nn.Embedding(c["max_position_embeddings"], h)
        self.token_type = nn.Embedding(c["type_vocab_size"], h)
        self.norm = nn.LayerNorm(h, eps=c["layer_norm_eps"])
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])
        self.layers = nn.ModuleList(Layer(c) for _ in range(c["num_hidden_layers"]))
        self.pooler = nn.Linear(h, h)

    def load(self, w):
        with torch.no_grad():
            self.word.weight.copy_(w["embeddings.word_embeddings.weight"])
            self.position.weight.copy_(w["embeddings.position_embeddings.weight"])
            self.token_type.weight.copy_(w["embeddings.token_type_embeddings.weight"])
            self.norm.weight.copy_(w["embeddings.LayerNorm.weight"])
            self.norm.bias.copy_(w["embeddings.LayerNorm.bias"])
            names = {"query": "attention.self.query", "key": "attention.self.key", "value": "attention.self.value",
                     "attention_output": "attention.output.dense", "attention_norm": "attention.output.LayerNorm",
                     "intermediate": "intermediate.dense", "output": "output.dense",
                     "output_norm": "output.LayerNorm"}
            for i, layer in enumerate(self.layers):
                for ours, theirs in names.items():
                    module = getattr(layer, ours)
                    module.weight.copy_(w[f"encoder.layer.{i}.{theirs}.weight"])
                    module.bias.copy_(w[f"encoder.layer.{i}.{theirs}.bias"])
            if "pooler.dense.weight" in w:
                self.pooler.weight.copy_(w["pooler.dense.weight"])
                self.pooler.bias.copy_(w["pooler.dense.bias"])

    def forward(self, ids, mask):
        length = ids.shape[1]
        positions = torch.arange(length).unsqueeze(0)
        x = self.word(ids) + self.token_type(torch.zeros_like(ids)) + self.position(positions)
        x = self.dropout(self.norm(x))
        extended = (1.0 - mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
        for layer in self.layers:
            x = layer(x, extended)
        torch.tanh(self.pooler(x[:, 0]))  # BertModel computes pooler_output; sentence-transformers ignores it
        return x


def mpnet_buckets(length, num_buckets=32, max_distance=128):
    """MPNetEncoder.relative_position_bucket of key - query for a length x length grid."""
    position = torch.arange(length, dtype=torch.long)
    n = -(position[None, :] - position[:, None])
    half = num_buckets // 2
    bucket = (n < 0).to(torch.long) * half
    n = torch.abs(n)
    exact = half // 2
    large = exact + (torch.log(n.float() / exact) / math.log(max_distance / exact) * (half - exact)).to(torch.long)
    large = torch.min(large, torch.full_like(large, half - 1))
    return bucket + torch.where(n < exact, n, large)


class MPNet(nn.Module):
    """transformers' eager MPNetModel: BertModel's layers under MPNet's names, no token types, positions
    counted from padding_idx 1, and a relative position bias (one table, 32 buckets) added to every layer's
    scores together with the extended mask, as MPNetSelfAttention adds position_bias before the mask."""

    pad_id = 1

    def __init__(self, c):
        super().__init__()
        h = c["hidden_size"]
        self.word = nn.Embedding(c["vocab_size"], h, padding_idx=self.pad_id)
        self.position = nn.Embedding(c["max_position_embeddings"], h, padding_idx=self.pad_id)
        self.norm = nn.LayerNorm(h, eps=c["layer_norm_eps"])
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])
        self.layers = nn.ModuleList(Layer(c) for _ in range(c["num_hidden_layers"]))
        self.relative_attention_bias = nn.Embedding(c.get("relative_attention_num_buckets", 32),
                                                    c["num_attention_heads"])
        self.pooler = nn.Linear(h, h)

    def load(self, w):
        with torch.no_grad():
            self.word.weight.copy_(w["embeddings.word_embeddings.weight"])
            self.position.weight.copy_(w["embeddings.position_embeddings.weight"])
            self.norm.weight.copy_(w["embeddings.LayerNorm.weight"])
            self.norm.bias.copy_(w["embeddings.LayerNorm.bias"])
            self.relative_attention_bias.weight.copy_(w["encoder.relative_attention_bias.weight"])
            names = {"query": "attention.attn.q", "key": "attention.attn.k", "value": "attention.attn.v",
                     "attention_output": "attention.attn.o", "attention_norm": "attention.LayerNorm",
                     "intermediate": "intermediate.dense", "output": "output.dense",
                     "output_norm": "output.LayerNorm"}
            for i, layer in enumerate(self.layers):
                for ours, theirs in names.items():
                    module = getattr(layer, ours)
                    module.weight.copy_(w[f"encoder.layer.{i}.{theirs}.weight"])
                    module.bias.copy_(w[f"encoder.layer.{i}.{theirs}.bias"])
            if "pooler.dense.weight" in w:
                self.pooler.weight.copy_(w["pooler.dense.weight"])
                self.pooler.bias.copy_(w["pooler.dense.bias"])

    def forward(self, ids, mask):
        real = ids.ne(self.pad_id).long()
        positions = torch.cumsum(real, dim=1) * real + self.pad_id
        x = self.dropout(self.norm(self.word(ids) + self.position(positions)))
        length = ids.shape[1]
        bias = self.relative_attention_bias(mpnet_buckets(length)).permute(2, 0, 1).unsqueeze(0)
        bias = bias.expand(ids.shape[0], -1, length, length).contiguous()  # compute_position_bias
        extended = bias + (1.0 - mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
        for layer in self.layers:
            x = layer(x, extended)
        torch.tanh(self.pooler(x[:, 0]))  # MPNetModel computes pooler_output too
        return x


class SentenceModel(nn.Module):
    def __init__(self, folder):
        super().__init__()
        with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
            config = json.load(f)
        family = config.get("model_type")
        self.bert = {"mpnet": MPNet, "modernbert": ModernBert}.get(family, Bert)(config)
        self.pad_id = getattr(self.bert, "pad_id", 0)
        prefix = {"mpnet": "mpnet.", "modernbert": "model."}.get(family, "bert.")
        weights = read_safetensors(os.path.join(folder, "model.safetensors"))
        self.bert.load({k[len(prefix):] if k.startswith(prefix) else k: v for k, v in weights.items()})
        with open(os.path.join(folder, "modules.json"), encoding="utf-8") as f:
            self.normalize = any(m["type"].endswith("Normalize") for m in json.load(f))

    def forward(self, ids, mask):
        tokens = self.bert(ids, mask)
        m = mask.unsqueeze(-1).to(tokens.dtype)
        x = (tokens * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return nn.functional.normalize(x, p=2, dim=1) if self.normalize else x


def pad(rows, pad_id=0):
    length = max(len(r) for r in rows)
    ids = torch.full((len(rows), length), pad_id, dtype=torch.long)
    mask = torch.zeros(len(rows), length, dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = torch.tensor(r)
        mask[i, : len(r)] = 1
    return ids, mask


def read_ids(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)["input_ids"] for line in f if line.strip()]


def precision(args):
    """The forward pass's precision context: bf16 autocast when asked, else nothing."""
    if args.bf16:
        return torch.autocast(device_type="cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def train(args, model):
    ids = read_ids(args.ids)
    pairs = [(ids[2 * i], ids[2 * i + 1]) for i in range(len(ids) // 2)]
    rng = random.Random(args.seed)
    torch.manual_seed(args.seed)
    no_decay = ["bias", "LayerNorm.bias", "LayerNorm.weight", "norm.weight", "norm.bias"]
    named = list(model.named_parameters())
    groups = [{"params": [p for n, p in named if not any(nd in n for nd in no_decay)], "weight_decay": 0.01},
              {"params": [p for n, p in named if any(nd in n for nd in no_decay)], "weight_decay": 0.0}]
    optimizer = torch.optim.AdamW(groups, lr=2e-5)
    total = args.warmup + args.steps
    warmup_steps = 100

    def factor(step):
        if step < warmup_steps:
            return step / max(1, warmup_steps)
        return max(0.0, (total - step) / max(1, total - warmup_steps))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
    model.train()
    order = []
    real_tokens = 0
    start = None
    for step in range(total):
        if step == args.warmup:
            start = time.perf_counter()
            real_tokens = 0
        if len(order) < args.batch:
            order = list(range(len(pairs)))
            rng.shuffle(order)
        batch = [pairs[order.pop()] for _ in range(args.batch)]
        embeddings = []
        for column in range(2):
            rows = [p[column] for p in batch]
            real_tokens += sum(len(r) for r in rows)
            with precision(args):
                embeddings.append(model(*pad(rows, model.pad_id)).float())
        scores = embeddings[0] @ embeddings[1].T * args.scale  # similarity dot, CLI default scale 1
        loss = nn.functional.cross_entropy(scores, torch.arange(len(batch)))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
    seconds = time.perf_counter() - start
    return {"pairs_per_second": args.steps * args.batch / seconds, "seconds": seconds, "steps": args.steps,
            "real_tokens": real_tokens, "loss": float(loss)}


def embed(args, model):
    ids = read_ids(args.ids)
    order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
    batches = [order[b : b + args.batch] for b in range(0, len(order), args.batch)]
    model.eval()
    if args.int8:
        torch.backends.quantized.engine = args.quantized_engine
        model = torch.ao.quantization.quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8)
    with torch.no_grad(), precision(args):
        for chunk in batches[: args.warmup]:  # untimed: first-call allocations
            model(*pad([ids[i] for i in chunk], model.pad_id))
        start = time.perf_counter()
        rows = [model(*pad([ids[i] for i in chunk], model.pad_id)).float().numpy() for chunk in batches]
        out = np.concatenate(rows)
    seconds = time.perf_counter() - start
    return {"sentences_per_second": len(ids) / seconds, "seconds": seconds, "sentences": len(ids),
            "real_tokens": sum(len(r) for r in ids), "dim": int(out.shape[1])}


def openblas_kernels():
    """The kernels OpenBLAS chose in this process (torch loads it through libblas.so.3; opening the same
    soname again returns the loaded library), or "not OpenBLAS"."""
    try:
        blas = ctypes.CDLL("libblas.so.3")
        blas.openblas_get_corename.restype = ctypes.c_char_p
        return f"{blas.openblas_get_corename().decode()} ({blas.openblas_get_num_threads()} threads)"
    except (OSError, AttributeError):
        return "not OpenBLAS"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=["train", "embed"])
    parser.add_argument("--model", required=True)
    parser.add_argument("--ids", required=True, help="pairtune-cli tokenize output (train: anchor, positive, ...)")
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    parser.add_argument("--steps", type=int, default=20, help="timed steps (train)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps (train) or batches (embed)")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--bf16", action="store_true", help="forward under bf16 autocast")
    parser.add_argument("--int8", action="store_true", help="embed: dynamically quantized int8 nn.Linear")
    parser.add_argument("--quantized-engine", default="onednn", help="torch.backends.quantized.engine for --int8")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model = SentenceModel(args.model)
    result = train(args, model) if args.mode == "train" else embed(args, model)
    result.update({"threads": torch.get_num_threads(), "torch": torch.__version__,
                   "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
                   "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", "default"),
                   "openblas_kernels": openblas_kernels(), "bf16": args.bf16, "int8": args.int8})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
