#!/usr/bin/python3
"""Writes the golden model-folder fixtures of tests/data/layouts/ (docs/model-folders.md).

One tiny random BERT (2 layers, hidden 32, a 300-token WordPiece vocabulary taken from
tests/data/bert-base-uncased-vocab.txt) followed by mean Pooling, a Tanh Dense (32 -> 16) and
Normalize, written once in today's layout (today/, what sentence-transformers 5.x and Pairtune's
exporter write) and again in every other layout sentence-transformers 1.x-6.x and transformers 4.x-5.x
write, with the same weights: tst_folderlayouts checks that each embeds exactly as today/ does.

The files are written the way the researched sources write them (no sentence-transformers or
safetensors package is needed): modules.json and the module configs as SentenceTransformer.save and
Module.save_config dump them, config.json as transformers' to_json_file (sorted keys, indent 2),
safetensors by hand (8-byte header length, JSON header, raw little-endian data), pytorch_model.bin
with torch.save (Debian's python3-torch), sharded weights with an index as save_pretrained writes them.

Usage: scripts/make_layout_fixtures.py [OUT]   (default tests/data/layouts; replaces its contents)
"""

import collections
import json
import os
import shutil
import struct
import sys

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "tests", "data", "layouts")

HIDDEN, LAYERS, HEADS, INTERMEDIATE, POSITIONS, MAX_SEQ, DENSE_OUT = 32, 2, 4, 64, 32, 24, 16
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


# ------------------------------------------------------------------------------------------------
# The one base model


def small_vocab():
    """Specials, every one-character token and its ## form, then the most frequent whole words."""
    words = [line.rstrip("\n") for line in open(os.path.join(ROOT, "tests", "data", "bert-base-uncased-vocab.txt"),
                                                 encoding="utf-8")]
    singles = [w for w in words if len(w) == 1 and w.isascii()]
    continued = [w for w in words if w.startswith("##") and len(w) == 3 and w[2:].isascii()]
    frequent = [w for w in words[1996:] if w.isascii() and w.isalpha()][:300 - len(SPECIALS) - len(singles) - len(continued)]
    vocab = SPECIALS + singles + continued + frequent
    assert len(vocab) == len(set(vocab))
    return vocab


def base_weights(vocab_size, seed=20261206):
    """BertModel's state_dict order and names; values rounded to float16 so any float format holds them."""
    rng = np.random.RandomState(seed)

    def normal(*shape, scale=0.2):
        return rng.normal(0.0, scale, shape).astype(np.float16).astype(np.float32)

    def norm_weight():
        return (1.0 + normal(HIDDEN, scale=0.1)).astype(np.float16).astype(np.float32)

    w = collections.OrderedDict()
    w["embeddings.word_embeddings.weight"] = normal(vocab_size, HIDDEN)
    w["embeddings.position_embeddings.weight"] = normal(POSITIONS, HIDDEN)
    w["embeddings.token_type_embeddings.weight"] = normal(2, HIDDEN)
    w["embeddings.LayerNorm.weight"] = norm_weight()
    w["embeddings.LayerNorm.bias"] = normal(HIDDEN, scale=0.05)
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."
        for part in ("query", "key", "value"):
            w[p + f"attention.self.{part}.weight"] = normal(HIDDEN, HIDDEN)
            w[p + f"attention.self.{part}.bias"] = normal(HIDDEN, scale=0.05)
        w[p + "attention.output.dense.weight"] = normal(HIDDEN, HIDDEN)
        w[p + "attention.output.dense.bias"] = normal(HIDDEN, scale=0.05)
        w[p + "attention.output.LayerNorm.weight"] = norm_weight()
        w[p + "attention.output.LayerNorm.bias"] = normal(HIDDEN, scale=0.05)
        w[p + "intermediate.dense.weight"] = normal(INTERMEDIATE, HIDDEN)
        w[p + "intermediate.dense.bias"] = normal(INTERMEDIATE, scale=0.05)
        w[p + "output.dense.weight"] = normal(HIDDEN, INTERMEDIATE)
        w[p + "output.dense.bias"] = normal(HIDDEN, scale=0.05)
        w[p + "output.LayerNorm.weight"] = norm_weight()
        w[p + "output.LayerNorm.bias"] = normal(HIDDEN, scale=0.05)
    w["pooler.dense.weight"] = normal(HIDDEN, HIDDEN)
    w["pooler.dense.bias"] = normal(HIDDEN, scale=0.05)
    dense = collections.OrderedDict()
    dense["linear.weight"] = normal(DENSE_OUT, HIDDEN, scale=0.3)
    dense["linear.bias"] = normal(DENSE_OUT, scale=0.05)
    return w, dense


# ------------------------------------------------------------------------------------------------
# File writers


def write_text(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def write_json(path, value, indent=2, sort_keys=False, final_newline=False):
    write_text(path, json.dumps(value, indent=indent, sort_keys=sort_keys) + ("\n" if final_newline else ""))


def write_safetensors(path, tensors, metadata=None, dtype="F32"):
    """safetensors: u64 header size, JSON header (offsets into the data), then the raw bytes."""
    header, blobs, offset = {}, [], 0
    np_type = {"F32": "<f4", "F16": "<f2"}[dtype]
    for name, array in tensors.items():
        data = np.ascontiguousarray(array, dtype=np_type).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata is not None:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def torch_save(path, tensors, extra=None, legacy=False):
    state = collections.OrderedDict((k, torch.from_numpy(v.copy())) for k, v in tensors.items())
    for k, v in (extra or {}).items():
        state[k] = v
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.save(state, path, _use_new_zipfile_serialization=not legacy)


def transformers4_config(vocab_size, version="4.44.2", dtype_key="torch_dtype", extra=None):
    config = {
        "architectures": ["BertModel"], "attention_probs_dropout_prob": 0.1, "classifier_dropout": None,
        "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "hidden_size": HIDDEN, "initializer_range": 0.02,
        "intermediate_size": INTERMEDIATE, "layer_norm_eps": 1e-12, "max_position_embeddings": POSITIONS,
        "model_type": "bert", "num_attention_heads": HEADS, "num_hidden_layers": LAYERS, "pad_token_id": 0,
        "position_embedding_type": "absolute", "transformers_version": version, "type_vocab_size": 2,
        "use_cache": True, "vocab_size": vocab_size,
    }
    if dtype_key:
        config[dtype_key] = "float32"
    config.update(extra or {})
    return config


def write_tokenizer(folder, vocab, fast=True, special_map=True, vocab_txt=True, transformers5=False):
    """BertTokenizerFast.save_pretrained (transformers 4), the slow BertTokenizer's files, or
    transformers 5's (tokenizer.json and tokenizer_config.json only)."""
    ids = {t: i for i, t in enumerate(vocab)}
    added = [{"id": ids[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for t in SPECIALS]
    if fast:
        template = lambda seq: [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": seq, "type_id": 0}},
                                {"SpecialToken": {"id": "[SEP]", "type_id": 0}}]
        tokenizer = {
            "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
            "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                           "strip_accents": None, "lowercase": True},
            "pre_tokenizer": {"type": "BertPreTokenizer"},
            "post_processor": {
                "type": "TemplateProcessing", "single": template("A"),
                "pair": template("A") + [{"Sequence": {"id": "B", "type_id": 1}},
                                         {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
                "special_tokens": {t: {"id": t, "ids": [ids[t]], "tokens": [t]} for t in ("[CLS]", "[SEP]")}},
            "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
            "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                      "max_input_chars_per_word": 100, "vocab": ids},
        }
        write_json(os.path.join(folder, "tokenizer.json"), tokenizer)
    config = {"cls_token": "[CLS]", "do_basic_tokenize": True, "do_lower_case": True, "mask_token": "[MASK]",
              "model_max_length": MAX_SEQ, "never_split": None, "pad_token": "[PAD]", "sep_token": "[SEP]",
              "strip_accents": None, "tokenize_chinese_chars": True, "tokenizer_class": "BertTokenizer",
              "unk_token": "[UNK]"}
    if fast:
        config["added_tokens_decoder"] = {str(a["id"]): {k: v for k, v in a.items() if k != "id"} for a in added}
        config["clean_up_tokenization_spaces"] = True
    if transformers5:
        config["backend"] = "tokenizers"
        config.pop("do_basic_tokenize")
        config.pop("never_split")
    write_json(os.path.join(folder, "tokenizer_config.json"), config, sort_keys=True)
    if special_map:
        write_json(os.path.join(folder, "special_tokens_map.json"),
                   {"cls_token": "[CLS]", "mask_token": "[MASK]", "pad_token": "[PAD]", "sep_token": "[SEP]",
                    "unk_token": "[UNK]"})
    if vocab_txt:
        write_text(os.path.join(folder, "vocab.txt"), "".join(t + "\n" for t in vocab))


def modules_json(folder, entries):
    write_json(os.path.join(folder, "modules.json"),
               [{"idx": i, "name": str(i), "path": path, "type": kind} for i, (path, kind) in enumerate(entries)])


LEGACY_POOLING = {"word_embedding_dimension": HIDDEN, "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True,
                  "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False}
POOLING_5X = dict(LEGACY_POOLING, pooling_mode_weightedmean_tokens=False, pooling_mode_lasttoken=False,
                  include_prompt=True)
DENSE_5X = {"in_features": HIDDEN, "out_features": DENSE_OUT, "bias": True,
            "activation_function": "torch.nn.modules.activation.Tanh"}
OLD_NAMES = ["sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling",
             "sentence_transformers.models.Dense", "sentence_transformers.models.Normalize"]


def st_config(st_version, transformers_version, model_type=True, prompts=True, similarity=True):
    config = {"__version__": {"sentence_transformers": st_version, "transformers": transformers_version,
                              "pytorch": "2.5.1"}}
    if model_type:
        config["model_type"] = "SentenceTransformer"
    if prompts:
        config.update({"prompts": {"query": "", "document": ""}, "default_prompt_name": None})
    if similarity:
        config["similarity_fn_name"] = "cosine"
    return config


# ------------------------------------------------------------------------------------------------
# The layouts


def today(out, vocab, weights, dense):
    """sentence-transformers 3.x-5.3 with transformers 4.x (and Pairtune's exporter)."""
    modules_json(out, zip(["", "1_Pooling", "2_Dense", "3_Normalize"], OLD_NAMES))
    write_json(os.path.join(out, "config_sentence_transformers.json"), st_config("5.1.0", "4.44.2"), sort_keys=True)
    write_json(os.path.join(out, "config.json"), transformers4_config(len(vocab)), sort_keys=True, final_newline=True)
    write_safetensors(os.path.join(out, "model.safetensors"), weights, {"format": "pt"})
    write_json(os.path.join(out, "sentence_bert_config.json"), {"max_seq_length": MAX_SEQ, "do_lower_case": False},
               indent=4)
    write_tokenizer(out, vocab)
    write_json(os.path.join(out, "1_Pooling", "config.json"), POOLING_5X, indent=4)
    write_json(os.path.join(out, "2_Dense", "config.json"), DENSE_5X)
    write_safetensors(os.path.join(out, "2_Dense", "model.safetensors"), dense)
    os.makedirs(os.path.join(out, "3_Normalize"), exist_ok=True)


def st6(out, vocab, weights, dense):
    """sentence-transformers 6.0 with transformers 5: new module paths, embedding_dimension and a
    pooling_mode name, Dense/Normalize input and output names, the 5.4+ sentence_bert_config.json (the
    maximum length lives in tokenizer_config.json), config.json's "dtype", no vocab.txt."""
    modules_json(out, [("", "sentence_transformers.base.modules.transformer.Transformer"),
                       ("1_Pooling", "sentence_transformers.sentence_transformer.modules.pooling.Pooling"),
                       ("2_Dense", "sentence_transformers.base.modules.dense.Dense"),
                       ("3_Normalize", "sentence_transformers.base.modules.normalize.Normalize")])
    write_json(os.path.join(out, "config_sentence_transformers.json"), st_config("6.0.1", "5.17.0"), sort_keys=True)
    config = transformers4_config(len(vocab), version="5.17.0", dtype_key="dtype")
    for key in ("classifier_dropout", "position_embedding_type", "use_cache"):
        config.pop(key)  # class defaults that transformers 5's diff dict leaves out
    write_json(os.path.join(out, "config.json"), config, sort_keys=True, final_newline=True)
    write_safetensors(os.path.join(out, "model.safetensors"), weights, {"format": "pt"})
    write_json(os.path.join(out, "sentence_bert_config.json"),
               {"transformer_task": "feature-extraction",
                "modality_config": {"text": {"method": "forward", "method_output_name": "last_hidden_state"}},
                "module_output_name": "token_embeddings"}, indent=4)
    write_tokenizer(out, vocab, special_map=False, vocab_txt=False, transformers5=True)
    write_json(os.path.join(out, "1_Pooling", "config.json"),
               {"embedding_dimension": HIDDEN, "pooling_mode": "mean", "include_prompt": True}, indent=4)
    write_json(os.path.join(out, "2_Dense", "config.json"),
               dict(DENSE_5X, module_input_name="sentence_embedding", module_output_name="sentence_embedding"),
               indent=4)
    write_safetensors(os.path.join(out, "2_Dense", "model.safetensors"), dense)
    write_json(os.path.join(out, "3_Normalize", "config.json"),
               {"module_input_name": "sentence_embedding", "module_output_name": "sentence_embedding"}, indent=4)


def st2_legacy(out, vocab, weights, dense):
    """A folder sentence-transformers 1.x saved (and 2.x-6.x load): the transformer in 0_Transformer/,
    weights only as pytorch_model.bin (with the position_ids buffer old transformers kept), a slow
    tokenizer (vocab.txt, no tokenizer.json), the 5-key pooling config, Dense weights as
    pytorch_model.bin and no config_sentence_transformers.json."""
    modules_json(out, zip(["0_Transformer", "1_Pooling", "2_Dense", "3_Normalize"], OLD_NAMES))
    t = os.path.join(out, "0_Transformer")
    config = transformers4_config(len(vocab), version="4.6.1", dtype_key=None,
                                  extra={"gradient_checkpointing": False, "_name_or_path": "bert-tiny"})
    write_json(os.path.join(t, "config.json"), config, sort_keys=True, final_newline=True)
    torch_save(os.path.join(t, "pytorch_model.bin"), weights,
               extra={"embeddings.position_ids": torch.arange(POSITIONS).unsqueeze(0)})
    write_json(os.path.join(t, "sentence_bert_config.json"), {"max_seq_length": MAX_SEQ, "do_lower_case": False},
               indent=2)
    write_tokenizer(t, vocab, fast=False)
    write_json(os.path.join(out, "1_Pooling", "config.json"), LEGACY_POOLING, indent=2)
    write_json(os.path.join(out, "2_Dense", "config.json"), DENSE_5X)
    torch_save(os.path.join(out, "2_Dense", "pytorch_model.bin"), dense)
    os.makedirs(os.path.join(out, "3_Normalize"), exist_ok=True)


def write_shards(out, weights, pattern, index_name, write):
    """Two shards of the transformer's weights and the index save_pretrained writes next to them."""
    names = list(weights)
    halves = [names[: len(names) // 2], names[len(names) // 2:]]
    weight_map, total = {}, 0
    for i, part in enumerate(halves):
        file = pattern.format(i + 1, len(halves))
        write(os.path.join(out, file), collections.OrderedDict((n, weights[n]) for n in part))
        for n in part:
            weight_map[n] = file
            total += weights[n].size * 4
    write_json(os.path.join(out, index_name),
               {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}, indent=2,
               final_newline=True)


def sharded(out, vocab, weights, dense):
    """today/ with the transformer's weights in two shards and model.safetensors.index.json, as
    save_pretrained(max_shard_size=...) writes them."""
    today(out, vocab, weights, dense)
    os.remove(os.path.join(out, "model.safetensors"))
    write_shards(out, weights, "model-{:05d}-of-{:05d}.safetensors", "model.safetensors.index.json",
                 lambda path, part: write_safetensors(path, part, {"format": "pt"}))


def sharded_bin(out, vocab, weights, dense):
    """today/ as transformers before 4.35 wrote a large model: pytorch_model-0000k-of-00002.bin shards
    (torch.save) and pytorch_model.bin.index.json."""
    today(out, vocab, weights, dense)
    os.remove(os.path.join(out, "model.safetensors"))
    write_shards(out, weights, "pytorch_model-{:05d}-of-{:05d}.bin", "pytorch_model.bin.index.json", torch_save)


def vocab_txt_only(out, vocab, weights, dense):
    """today/ whose tokenizer is a slow BertTokenizer's files: vocab.txt and tokenizer_config.json."""
    today(out, vocab, weights, dense)
    for name in ("tokenizer.json", "special_tokens_map.json", "tokenizer_config.json"):
        os.remove(os.path.join(out, name))
    write_tokenizer(out, vocab, fast=False, special_map=False)


def plain_transformers5(out, vocab, weights):
    """A plain transformers 5 save_pretrained folder (no modules.json): SentenceTransformer adds mean
    pooling."""
    config = transformers4_config(len(vocab), version="5.17.0", dtype_key="dtype")
    for key in ("classifier_dropout", "position_embedding_type", "use_cache"):
        config.pop(key)
    write_json(os.path.join(out, "config.json"), config, sort_keys=True, final_newline=True)
    write_safetensors(os.path.join(out, "model.safetensors"), weights, {"format": "pt"})
    write_tokenizer(out, vocab, special_map=False, vocab_txt=False, transformers5=True)


def plain_mlm_checkpoint(out, vocab, weights):
    """A transformers 4 BertForMaskedLM checkpoint such as bert-base-uncased: "bert."-prefixed names,
    the masked-LM head, no pooler, F16 safetensors, slow tokenizer files, no modules.json."""
    config = transformers4_config(len(vocab), version="4.30.0", dtype_key="torch_dtype")
    config["architectures"] = ["BertForMaskedLM"]
    config["torch_dtype"] = "float16"
    write_json(os.path.join(out, "config.json"), config, sort_keys=True, final_newline=True)
    stored = collections.OrderedDict(("bert." + n, v) for n, v in weights.items() if not n.startswith("pooler."))
    stored["cls.predictions.bias"] = np.zeros(len(vocab), np.float32)
    stored["cls.predictions.transform.dense.weight"] = weights["pooler.dense.weight"]
    stored["cls.predictions.transform.dense.bias"] = weights["pooler.dense.bias"]
    stored["cls.predictions.transform.LayerNorm.weight"] = np.ones(HIDDEN, np.float32)
    stored["cls.predictions.transform.LayerNorm.bias"] = np.zeros(HIDDEN, np.float32)
    write_safetensors(os.path.join(out, "model.safetensors"), stored, {"format": "pt"}, dtype="F16")
    write_tokenizer(out, vocab, fast=False)


def legacy_pickle(out, vocab, weights):
    """A plain folder whose pytorch_model.bin is in torch.save's pre-1.6 format: refused, with advice."""
    write_json(os.path.join(out, "config.json"), transformers4_config(len(vocab), version="3.0.2", dtype_key=None),
               sort_keys=True, final_newline=True)
    torch_save(os.path.join(out, "pytorch_model.bin"), weights, legacy=True)
    write_tokenizer(out, vocab, fast=False, special_map=False)


class _RunsCode:
    """Pickles as a call of print(): what a malicious pytorch_model.bin would do with os.system."""

    def __reduce__(self):
        return (print, ("a pickled call ran",))


def code_pickle(out, vocab):
    """A plain folder whose pytorch_model.bin pickles a function call: refused, nothing runs."""
    write_json(os.path.join(out, "config.json"), transformers4_config(len(vocab), version="4.30.0"),
               sort_keys=True, final_newline=True)
    os.makedirs(out, exist_ok=True)
    torch.save({"embeddings.word_embeddings.weight": _RunsCode()}, os.path.join(out, "pytorch_model.bin"))
    write_tokenizer(out, vocab, fast=False, special_map=False)


def main():
    vocab = small_vocab()
    weights, dense = base_weights(len(vocab))
    if os.path.isdir(OUT):
        for entry in os.listdir(OUT):
            if entry != "README.md":
                shutil.rmtree(os.path.join(OUT, entry))
    layouts = {
        "today": lambda o: today(o, vocab, weights, dense),
        "st6": lambda o: st6(o, vocab, weights, dense),
        "st2-legacy": lambda o: st2_legacy(o, vocab, weights, dense),
        "sharded": lambda o: sharded(o, vocab, weights, dense),
        "sharded-bin": lambda o: sharded_bin(o, vocab, weights, dense),
        "vocab-txt-only": lambda o: vocab_txt_only(o, vocab, weights, dense),
        "plain-transformers5": lambda o: plain_transformers5(o, vocab, weights),
        "plain-mlm-checkpoint": lambda o: plain_mlm_checkpoint(o, vocab, weights),
        "refused-legacy-pickle": lambda o: legacy_pickle(o, vocab, weights),
        "refused-code-pickle": lambda o: code_pickle(o, vocab),
    }
    for name, write in layouts.items():
        folder = os.path.join(OUT, name)
        os.makedirs(folder, exist_ok=True)
        write(folder)
        size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(folder) for f in fs)
        print(f"{name}: {size // 1024} KiB", file=sys.stderr)


if __name__ == "__main__":
    main()
