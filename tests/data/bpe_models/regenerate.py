#!/usr/bin/python3
"""Rewrites tests/data/bpe_models: a tiny RoBERTa and a tiny ModernBERT with random weights in the real
weight-name / config layout (written by tests/interop/reference.py, independent of the engine), each with a
real byte-level BPE tokenizer.json from tests/data/text_bpe (merges learned by Hugging Face tokenizers 0.23.2):

  tiny-roberta-bpe/     all-distilroberta-v1's layout: RobertaModel weights, config with pad 1 / bos 0 /
                        eos 2, vocab_size = the tokenizer's 1,761 tokens, RobertaTokenizer files
                        (ByteLevel, RobertaProcessing "<s> A </s>"), max_seq_length 512, mean pooling,
                        Normalize.
  tiny-modernbert-bpe/  gte-modernbert-base's layout: ModernBertModel weights, NFC + ByteLevel tokenizer with
                        TemplateProcessing "[CLS] A [SEP]", the specials after the vocabulary ([CLS] 1759,
                        [SEP] 1760, [PAD] 1761) and, as in the real model (50,368 rows for 50,285 tokens), an
                        embedding matrix padded past the tokenizer to a multiple of 64 (1,792 rows).

Deterministic (seeds 21 and 22). Needs Debian's python3-numpy (reference.py's folder writers).
Run: /usr/bin/python3 tests/data/bpe_models/regenerate.py
"""
import importlib.util
import json
import os
import shutil
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.dirname(HERE)
REFERENCE = os.path.join(DATA, "..", "interop", "reference.py")


def load_reference():
    spec = importlib.util.spec_from_file_location("reference", REFERENCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def reference(*args):
    subprocess.run([sys.executable, REFERENCE, *args], check=True)


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def write_json(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=2, ensure_ascii=False)
        f.write("\n")


def tokenizer_size(tokenizer):
    ids = list(tokenizer["model"]["vocab"].values()) + [t["id"] for t in tokenizer["added_tokens"]]
    return max(ids) + 1


def use_tokenizer(out, source, remove):
    for name in remove:
        path = os.path.join(out, name)
        if os.path.exists(path):
            os.remove(path)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copyfile(os.path.join(source, name), os.path.join(out, name))


def make_roberta():
    out = os.path.join(HERE, "tiny-roberta-bpe")
    shutil.rmtree(out, ignore_errors=True)
    source = os.path.join(DATA, "text_bpe", "roberta")
    tokenizer = read_json(os.path.join(source, "tokenizer.json"))
    size = tokenizer_size(tokenizer)
    # make-folder's non-WordPiece branch writes RoBERTa's fairseq special ids (<s> 0, <pad> 1, </s> 2), the
    # ids the RoBERTa BPE tokenizer has too; it never reads the stand-in sentencepiece file it is given.
    reference("make-folder", "--out", out, "--arch", "roberta", "--vocab-size", str(size), "--spm-model",
              REFERENCE, "--max-seq-length", "512", "--hidden", "32", "--intermediate", "64", "--normalize", "--seed", "21")
    use_tokenizer(out, source, ["sentencepiece.bpe.model"])
    config = read_json(os.path.join(out, "tokenizer_config.json"))
    specials = {k: config[k] for k in ("bos_token", "eos_token", "unk_token", "sep_token", "pad_token",
                                       "cls_token", "mask_token")}
    write_json(os.path.join(out, "special_tokens_map.json"), specials)


def make_modernbert(ref):
    out = os.path.join(HERE, "tiny-modernbert-bpe")
    shutil.rmtree(out, ignore_errors=True)
    source = os.path.join(DATA, "text_bpe", "modernbert")
    tokenizer = read_json(os.path.join(source, "tokenizer.json"))
    added = {t["content"]: t["id"] for t in tokenizer["added_tokens"]}
    rows = (tokenizer_size(tokenizer) + 63) // 64 * 64
    reference("make-modernbert-folder", "--out", out, "--vocab-file",
              os.path.join(DATA, "bert-base-uncased-vocab.txt"), "--words", "1000", "--normalize", "--seed", "22")
    use_tokenizer(out, source, ["vocab.txt"])
    # The WordPiece folder's ids and weights, redone for the BPE tokenizer's specials and size.
    config = read_json(os.path.join(out, "config.json"))
    config.update({"vocab_size": rows, "bos_token_id": added["[CLS]"], "cls_token_id": added["[CLS]"],
                   "eos_token_id": added["[SEP]"], "sep_token_id": added["[SEP]"],
                   "pad_token_id": added["[PAD]"]})
    write_json(os.path.join(out, "config.json"), config)
    rng = np.random.default_rng(22)
    weights = ref.random_modernbert_weights(rng, rows, config["hidden_size"], config["num_hidden_layers"],
                                            config["intermediate_size"], added["[PAD]"], False)
    ref.write_safetensors(os.path.join(out, "model.safetensors"), {k: ("F32", v) for k, v in weights.items()},
                          {"format": "pt"})
    write_json(os.path.join(out, "special_tokens_map.json"),
               {k: read_json(os.path.join(source, "tokenizer_config.json"))[k]
                for k in ("cls_token", "sep_token", "pad_token", "mask_token", "unk_token")})


if __name__ == "__main__":
    make_roberta()
    make_modernbert(load_reference())
