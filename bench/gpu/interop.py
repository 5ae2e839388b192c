#!/usr/bin/env python3
"""Checks Pairtune's model folders and token ids against the real Python stack (sentence-transformers,
transformers, tokenizers), on a machine that has it (bench/gpu/run.sh; the kit from bench/gpu/prepare.sh).

1. The WordPiece cases of tests/data/text_wordpiece (whose ids Pairtune's unit tests reproduce) through
   transformers' AutoTokenizer of the built-in folder (its tokenizer.json) and tokenizers'
   BertWordPieceTokenizer built from the same vocab.txt; transformers' ids are saved (--save) as
   hf-wordpiece-cases.jsonl, the ids Python users get.
2. For each reference model folder (built-in, fine-tuned, XLM-R): SentenceTransformer(folder) loads it
   unchanged; its own tokenization (Transformer.tokenize: strip, truncate to max_seq_length) against
   `pairtune-cli tokenize`; its embeddings on the CPU and the GPU against `pairtune-cli embed`.

Writes one JSON object (--out) and saves sentence-transformers' embeddings (--save) for later checks.
Each part reports its own error instead of stopping the others.

`interop.py folder --folder DIR --texts FILE --ours-npy NPY` compares one folder's embeddings by
sentence-transformers (on the GPU when there is one) with ours (e.g. from a CUDA build of pairtune-cli).
"""
import argparse
import json
import os
import sys
import time
import traceback

import numpy as np


def read_ids(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)["input_ids"] for line in f if line.strip()]


def read_texts(path):
    with open(path, encoding="utf-8", newline="\n") as f:
        return f.read().split("\n")[:-1]


def compare_embeddings(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return {"shape_a": list(a.shape), "shape_b": list(b.shape), "equal_shape": False}
    cos = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1) + 1e-30)
    return {"equal_shape": True, "rows": int(a.shape[0]), "max_abs_diff": float(np.abs(a - b).max()),
            "min_cosine": float(cos.min()), "mean_cosine": float(cos.mean())}


def first_mismatches(texts, ours, theirs, limit=5):
    bad = [i for i in range(len(ours)) if ours[i] != theirs[i]]
    return len(bad), [{"text": texts[i], "ours": ours[i], "theirs": theirs[i]} for i in bad[:limit]]


def wordpiece_cases(vocab, cases_path, folder, save):
    cases = [json.loads(line) for line in open(cases_path, encoding="utf-8") if line.strip()]
    texts = [c["text"] for c in cases]
    expected = [c["ids"] for c in cases]
    out = {"cases": len(cases)}
    from transformers import AutoTokenizer

    auto = AutoTokenizer.from_pretrained(folder)
    got = [auto(t)["input_ids"] for t in texts]
    n, examples = first_mismatches(texts, expected, got)
    out["transformers_AutoTokenizer"] = {"class": type(auto).__name__, "mismatches": n, "examples": examples}
    with open(os.path.join(save, "hf-wordpiece-cases.jsonl"), "w", encoding="utf-8") as f:
        for text, ids in zip(texts, got):
            f.write(json.dumps({"text": text, "ids": ids}) + "\n")
    try:
        from tokenizers import BertWordPieceTokenizer

        wp = BertWordPieceTokenizer(vocab, lowercase=True)
        got = [e.ids for e in wp.encode_batch(texts)]
        n, examples = first_mismatches(texts, expected, got)
        out["tokenizers_BertWordPieceTokenizer"] = {"mismatches": n, "examples": examples}
    except Exception as e:  # an API that moved: report it, keep the rest
        out["tokenizers_BertWordPieceTokenizer"] = {"error": repr(e)}
    return out


def st_ids(model, texts):
    ids = []
    for t in texts:
        features = model.tokenize([t])
        mask = features["attention_mask"][0].bool()
        ids.append(features["input_ids"][0][mask].tolist())
    return ids


def check_folder(name, ref, texts, save):
    from sentence_transformers import SentenceTransformer
    import torch

    folder = os.path.join(ref, name)
    out = {}
    started = time.perf_counter()
    model = SentenceTransformer(folder, device="cpu")
    out["load_seconds"] = time.perf_counter() - started
    out["tokenizer_class"] = type(model.tokenizer).__name__
    out["max_seq_length"] = model.max_seq_length
    out["modules"] = [type(m).__name__ for m in model]
    ours_ids = read_ids(os.path.join(ref, f"{name}-ids.jsonl"))
    their_ids = st_ids(model, texts)
    n, examples = first_mismatches(texts, ours_ids, their_ids)
    out["token_ids"] = {"texts": len(texts), "mismatches": n, "examples": examples}
    same = np.array([a == b for a, b in zip(ours_ids, their_ids)])
    ours = np.load(os.path.join(ref, f"{name}-cpu.npy"))
    cpu = model.encode(texts, batch_size=32, convert_to_numpy=True)
    np.save(os.path.join(save, f"{name}-st-cpu.npy"), cpu)
    out["embeddings_cpu_vs_ours_cpu"] = compare_embeddings(ours, cpu)
    # Where both sides feed the model the same ids, the model math alone is compared.
    out["embeddings_cpu_vs_ours_cpu_same_ids"] = compare_embeddings(ours[same], cpu[same])
    if torch.cuda.is_available():
        model = model.to("cuda")
        gpu = model.encode(texts, batch_size=32, convert_to_numpy=True)
        np.save(os.path.join(save, f"{name}-st-cuda.npy"), gpu)
        out["embeddings_cuda_vs_ours_cpu"] = compare_embeddings(ours, gpu)
    return out


def folder_mode(args):
    """Our embeddings of --texts (any device) against SentenceTransformer(--folder) on the GPU."""
    from sentence_transformers import SentenceTransformer
    import torch

    texts = read_texts(args.texts)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = SentenceTransformer(args.folder, device=device)
    theirs = model.encode(texts, batch_size=32, convert_to_numpy=True)
    ours = np.load(args.ours_npy)
    result = {"folder": args.folder, "st_device": device, "vs_ours": compare_embeddings(ours, theirs)}
    if args.ours_ids:
        same = np.array([a == b for a, b in zip(read_ids(args.ours_ids), st_ids(model, texts))])
        result["vs_ours_same_ids"] = compare_embeddings(ours[same], theirs[same])
    print(json.dumps(result))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "folder":
        parser = argparse.ArgumentParser(description="compare one folder's embeddings")
        parser.add_argument("mode")
        parser.add_argument("--folder", required=True)
        parser.add_argument("--texts", required=True)
        parser.add_argument("--ours-npy", required=True)
        parser.add_argument("--ours-ids", help="pairtune-cli tokenize output for --texts: also compare where ids agree")
        folder_mode(parser.parse_args())
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ref", required=True, help="the kit's ref/ folder")
    parser.add_argument("--vocab", required=True, help="tests/data/bert-base-uncased-vocab.txt")
    parser.add_argument("--cases", required=True, help="tests/data/text_wordpiece/random-fast-bert.jsonl")
    parser.add_argument("--out", required=True)
    parser.add_argument("--save", required=True, help="folder for sentence-transformers' embeddings")
    args = parser.parse_args()
    os.makedirs(args.save, exist_ok=True)
    result = {}
    try:
        import sentence_transformers, tokenizers, torch, transformers

        result["versions"] = {"sentence_transformers": sentence_transformers.__version__,
                              "transformers": transformers.__version__, "tokenizers": tokenizers.__version__,
                              "torch": torch.__version__}
    except Exception as e:
        result["versions"] = {"error": repr(e)}
    try:
        result["wordpiece_cases"] = wordpiece_cases(args.vocab, args.cases, os.path.join(args.ref, "builtin"), args.save)
    except Exception:
        result["wordpiece_cases"] = {"error": traceback.format_exc()}
    texts = read_texts(os.path.join(args.ref, "texts.txt"))
    for name in ("builtin", "tuned", "xlmr"):
        try:
            result[name] = check_folder(name, args.ref, texts, args.save)
        except Exception:
            result[name] = {"error": traceback.format_exc()}
        print(f"interop: {name} done", file=sys.stderr, flush=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1, ensure_ascii=False)
    print(json.dumps(result, ensure_ascii=False)[:4000])


if __name__ == "__main__":
    main()
