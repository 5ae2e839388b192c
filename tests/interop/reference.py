#!/usr/bin/python3
"""Independent reference for Pairtune's interop tests.

Written from the project's format notes (the "docs/formats.md §N" cited below: folders, safetensors, encoders), not from the sentence-transformers,
transformers or safetensors code, and sharing nothing with the C++ engine. It needs only Debian's
python3-torch and python3-numpy (run it with /usr/bin/python3).

Subcommands:
  embed        embed token ids (JSONL from `pairtune-cli tokenize`) with a sentence-transformers folder
  make-folder  write a sentence-transformers folder with random weights (BERT, XLM-R, RoBERTa or DistilBERT)
  make-mpnet-folder  the same for MPNet (all-mpnet-base-v2's layout and tokenizer files)
  make-modernbert-folder  the same for ModernBERT (gte-modernbert-base's layout, a WordPiece tokenizer)
  mutate       copy a folder, rewriting its model.safetensors (dtype, key prefix, extra tensors)
  selfcheck    cross-check `embed` against a naive unbatched numpy forward, and the safetensors round trip

See tests/interop/README.md.
"""

import argparse
import json
import math
import os
import shutil
import struct
import sys
import tempfile

import numpy as np
import torch

# ---------------------------------------------------------------------------------------------------------------
# safetensors (docs/formats.md §2)

# dtype name -> (numpy dtype of the stored bytes, bytes per element). BF16 is stored as raw uint16 and
# widened by hand, because numpy has no bfloat16.
_ST_DTYPES = {
    "BOOL": (np.bool_, 1),
    "U8": (np.uint8, 1),
    "I8": (np.int8, 1),
    "I16": (np.int16, 2),
    "U16": (np.uint16, 2),
    "F16": (np.float16, 2),
    "BF16": (np.uint16, 2),
    "I32": (np.int32, 4),
    "U32": (np.uint32, 4),
    "F32": (np.float32, 4),
    "F64": (np.float64, 8),
    "I64": (np.int64, 8),
    "U64": (np.uint64, 8),
}
# The writer orders tensors by dtype, descending in the enum order, then by name (docs/formats.md §2).
_ST_ENUM_ORDER = ["BOOL", "U8", "I8", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]
_MAX_HEADER = 100_000_000


class FormatError(Exception):
    pass


def bf16_bits_to_f32(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


def f32_to_bf16_bits(values):
    """Round to nearest even, as a float32 -> bfloat16 cast does (NaN kept as a quiet NaN)."""
    u = np.ascontiguousarray(values, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)
    nan = np.isnan(values)
    rounded[nan] = ((u[nan] >> 16) | 0x40).astype(np.uint16)
    return rounded


def read_safetensors(path):
    """Returns ({name: (dtype, numpy array)}, metadata). Floats keep their stored precision except BF16,
    which comes back as float32 (exactly)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise FormatError(f"{path}: shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", data[:8])
    if n > _MAX_HEADER or 8 + n > len(data):
        raise FormatError(f"{path}: header length {n} is impossible for a file of {len(data)} bytes")
    header_bytes = data[8 : 8 + n]
    if not header_bytes.startswith(b"{"):
        raise FormatError(f"{path}: header does not start with '{{'")
    header = json.loads(header_bytes.decode("utf-8"))
    buffer = memoryview(data)[8 + n :]
    metadata = header.pop("__metadata__", None)
    entries = sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0])
    expected_begin = 0
    tensors = {}
    for name, info in entries:
        dtype = info["dtype"]
        if dtype not in _ST_DTYPES:
            raise FormatError(f"{path}: tensor {name} has unsupported dtype {dtype}")
        np_dtype, size = _ST_DTYPES[dtype]
        shape = [int(s) for s in info["shape"]]
        begin, end = info["data_offsets"]
        numel = int(np.prod(shape)) if shape else 1
        if begin != expected_begin or end - begin != numel * size:
            raise FormatError(f"{path}: tensor {name} offsets {begin}..{end} do not tile the buffer")
        expected_begin = end
        array = np.frombuffer(buffer[begin:end], dtype=np.dtype(np_dtype).newbyteorder("<")).reshape(shape)
        if dtype == "BF16":
            array = bf16_bits_to_f32(array)
        tensors[name] = (dtype, array.copy())
    if expected_begin != len(buffer):
        raise FormatError(f"{path}: {len(buffer) - expected_begin} bytes after the last tensor")
    return tensors, metadata


def write_safetensors(path, tensors, metadata=None):
    """tensors: {name: (dtype, numpy array)}. BF16 arrays are float32 values, rounded here."""
    prepared = []
    for name, (dtype, array) in tensors.items():
        if dtype == "BF16":
            raw = f32_to_bf16_bits(np.asarray(array, dtype=np.float32))
        else:
            raw = np.ascontiguousarray(array, dtype=np.dtype(_ST_DTYPES[dtype][0]).newbyteorder("<"))
        prepared.append((name, dtype, list(np.shape(array)), raw.tobytes()))
    prepared.sort(key=lambda t: (-_ST_ENUM_ORDER.index(t[1]), t[0]))
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    offset = 0
    for name, dtype, shape, raw in prepared:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * ((8 - len(header_bytes) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header_bytes)))
        f.write(header_bytes)
        for _, _, _, raw in prepared:
            f.write(raw)


# ---------------------------------------------------------------------------------------------------------------
# Reading a sentence-transformers folder (docs/formats.md §1)


def _read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _module_kind(type_string):
    last = type_string.rsplit(".", 1)[-1]
    if last not in ("Transformer", "Pooling", "Dense", "Normalize"):
        raise FormatError(f"modules.json: module type {type_string} is not covered by the reference")
    return last


def _load_torch_weights(folder):
    """{name: float64 tensor} from model.safetensors (or pytorch_model.bin), prefixes and legacy names fixed."""
    st_path = os.path.join(folder, "model.safetensors")
    if os.path.exists(st_path):
        raw, _ = read_safetensors(st_path)
        weights = {k: torch.from_numpy(np.asarray(a, dtype=np.float64)) for k, (d, a) in raw.items()
                   if d in ("F16", "BF16", "F32", "F64")}
    else:
        bin_path = os.path.join(folder, "pytorch_model.bin")
        if not os.path.exists(bin_path):
            raise FormatError(f"{folder}: no model.safetensors or pytorch_model.bin")
        state = torch.load(bin_path, map_location="cpu")
        weights = {k: v.to(torch.float64) for k, v in state.items() if v.is_floating_point()}
    fixed = {}
    for key, value in weights.items():
        key = key.replace("LayerNorm.gamma", "LayerNorm.weight").replace("LayerNorm.beta", "LayerNorm.bias")
        fixed[key] = value
    return fixed


# The BERT-shaped families: where each keeps a layer's weights, as transformers names its modules.
#   BERT / XLM-R / RoBERTa: modeling_bert.py, modeling_xlm_roberta.py, modeling_roberta.py (RoBERTa: the same
#     layer as BERT, positions from padding_idx + 1 as XLM-R, RobertaConfig defaults pad 1, bos 0, eos 2).
#   DistilBERT: modeling_distilbert.py (transformers v4.28, commit 00b326f4) and configuration_distilbert.py
#     (commit 06053b84): Embeddings = word + position (no token types), LayerNorm eps 1e-12 everywhere;
#     TransformerBlock = sa_layer_norm(out_lin(attention) + x) [no dropout after out_lin], then
#     output_layer_norm(dropout(lin2(act(lin1(.)))) + .); config keys dim, n_layers, n_heads, hidden_dim,
#     activation; DistilBertModel has no pooler, DistilBertForMaskedLM prefixes it with "distilbert.".
_LAYOUTS = {
    "bert": {"layers": "encoder.layer", "query": "attention.self.query", "key": "attention.self.key",
             "value": "attention.self.value", "attention_output": "attention.output.dense",
             "attention_norm": "attention.output.LayerNorm", "intermediate": "intermediate.dense",
             "output": "output.dense", "output_norm": "output.LayerNorm"},
    "distilbert": {"layers": "transformer.layer", "query": "attention.q_lin", "key": "attention.k_lin",
                   "value": "attention.v_lin", "attention_output": "attention.out_lin",
                   "attention_norm": "sa_layer_norm", "intermediate": "ffn.lin1", "output": "ffn.lin2",
                   "output_norm": "output_layer_norm"},
}
_PREFIXES = {"bert": "bert.", "xlm-roberta": "roberta.", "roberta": "roberta.", "distilbert": "distilbert."}
_ROBERTA_POSITIONS = ("xlm-roberta", "roberta")


def layout(model_type):
    return _LAYOUTS["distilbert" if model_type == "distilbert" else "bert"]


def sinusoidal_table(positions, dim):
    """DistilBERT's sinusoidal_pos_embds table, from transformers' modeling_distilbert.py
    _create_sinusoidal_embeddings (v4.28, commit 00b326f4; _init_weights calls it for a missing table in later
    releases, e.g. v4.46): angle pos / 10000^(2 * (j // 2) / dim) in float64 (numpy), sin in the even
    columns, cos in the odd ones, stored as a float32 tensor (torch.FloatTensor)."""
    angles = np.array([[pos / np.power(10000, 2 * (j // 2) / dim) for j in range(dim)] for pos in range(positions)])
    table = np.empty((positions, dim), dtype=np.float32)
    table[:, 0::2] = np.sin(angles[:, 0::2]).astype(np.float32)
    table[:, 1::2] = np.cos(angles[:, 1::2]).astype(np.float32)
    return torch.from_numpy(table)


class Encoder:
    """BERT / XLM-R / RoBERTa / DistilBERT encoder in float64 torch ops, docs/formats.md §3.1-3.2."""

    def __init__(self, folder):
        self.folder = folder
        self.config = _read_json(os.path.join(folder, "config.json"))
        self.model_type = self.config.get("model_type", "bert")
        if self.model_type not in _PREFIXES:
            raise FormatError(f"{folder}/config.json: model_type {self.model_type} not covered")
        weights = _load_torch_weights(folder)
        prefix = _PREFIXES[self.model_type]
        if "embeddings.word_embeddings.weight" not in weights and prefix + "embeddings.word_embeddings.weight" in weights:
            weights = {k[len(prefix):]: v for k, v in weights.items() if k.startswith(prefix)}
        self.w = weights
        self.names = layout(self.model_type)
        c = self.config
        self.frozen = set()  # names transformers keeps out of training (requires_grad False)
        if self.model_type == "distilbert":  # DistilBertConfig's own keys and defaults
            if c.get("sinusoidal_pos_embds", False):
                # The fixed table: the checkpoint's when it has one (from_pretrained loads it over the
                # computed one), computed when missing (_init_weights), never trained.
                if "embeddings.position_embeddings.weight" not in self.w:
                    self.w["embeddings.position_embeddings.weight"] = sinusoidal_table(
                        int(c.get("max_position_embeddings", 512)), int(c.get("dim", 768))).to(torch.float64)
                self.frozen.add("embeddings.position_embeddings.weight")
            self.layers = int(c.get("n_layers", 6))
            self.hidden = int(c.get("dim", 768))
            self.heads = int(c.get("n_heads", 12))
            self.eps = 1e-12
            self.act_name = c.get("activation", "gelu")
            self.pad_id = int(c.get("pad_token_id", 0))
        else:
            self.layers = int(c["num_hidden_layers"])
            self.hidden = int(c["hidden_size"])
            self.heads = int(c["num_attention_heads"])
            self.eps = float(c.get("layer_norm_eps", 1e-12))
            self.act_name = c.get("hidden_act", "gelu")
            self.pad_id = int(c.get("pad_token_id", 0 if self.model_type == "bert" else 1))
        self.vocab_size = self.w["embeddings.word_embeddings.weight"].shape[0]
        self.max_positions = self.w["embeddings.position_embeddings.weight"].shape[0]
        for i in range(self.layers):
            if f"{self.names['layers']}.{i}.{self.names['output_norm']}.weight" not in self.w:
                raise FormatError(f"{folder}: weights for layer {i} are missing")
        sbert = os.path.join(folder, "sentence_bert_config.json")
        self.max_seq_length = _read_json(sbert).get("max_seq_length") if os.path.exists(sbert) else None

    def _linear(self, x, name):
        return x @ self.w[name + ".weight"].T + self.w[name + ".bias"]

    def _layer_norm(self, x, name):
        mean = x.mean(dim=-1, keepdim=True)
        var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
        return (x - mean) / torch.sqrt(var + self.eps) * self.w[name + ".weight"] + self.w[name + ".bias"]

    def _act(self, x):
        if self.act_name == "gelu":
            return x * 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0)))
        if self.act_name in ("gelu_new", "gelu_pytorch_tanh"):
            return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)))
        if self.act_name == "relu":
            return torch.clamp(x, min=0.0)
        raise FormatError(f"hidden_act {self.act_name} not covered by the reference")

    def position_ids(self, ids):
        if self.model_type in _ROBERTA_POSITIONS:
            real = (ids != self.pad_id).long()
            return torch.cumsum(real, dim=1) * real + self.pad_id
        return torch.arange(ids.shape[1]).unsqueeze(0).expand_as(ids)

    def forward(self, ids, mask, type_ids):
        """ids, type_ids: int64 [B,L]; mask: float64 [B,L]. Returns last_hidden_state [B,L,H] in float64."""
        batch, length = ids.shape
        pos = self.position_ids(ids)
        if int(pos.max()) >= self.max_positions:
            raise FormatError(f"position {int(pos.max())} exceeds the {self.max_positions} position embeddings")
        x = self.w["embeddings.word_embeddings.weight"][ids] + self.w["embeddings.position_embeddings.weight"][pos]
        if "embeddings.token_type_embeddings.weight" in self.w:  # DistilBERT has no token types
            x = x + self.w["embeddings.token_type_embeddings.weight"][type_ids]
        x = self._layer_norm(x, "embeddings.LayerNorm")
        additive = (1.0 - mask[:, None, None, :]) * float(np.finfo(np.float32).min)
        d = self.hidden // self.heads
        n = self.names
        for i in range(self.layers):
            p = f"{n['layers']}.{i}."

            def heads(t):
                return t.reshape(batch, length, self.heads, d).permute(0, 2, 1, 3)

            q = heads(self._linear(x, p + n["query"]))
            k = heads(self._linear(x, p + n["key"]))
            v = heads(self._linear(x, p + n["value"]))
            scores = q @ k.transpose(-1, -2) / math.sqrt(d) + additive
            scores = scores - scores.max(dim=-1, keepdim=True).values
            probs = torch.exp(scores)
            probs = probs / probs.sum(dim=-1, keepdim=True)
            context = (probs @ v).permute(0, 2, 1, 3).reshape(batch, length, self.hidden)
            attn = self._layer_norm(self._linear(context, p + n["attention_output"]) + x, p + n["attention_norm"])
            inner = self._act(self._linear(attn, p + n["intermediate"]))
            x = self._layer_norm(self._linear(inner, p + n["output"]) + attn, p + n["output_norm"])
        return x


# ---------------------------------------------------------------------------------------------------------------
# MPNet (sentence-transformers/all-mpnet-base-v2, multi-qa-mpnet-*), written from Hugging Face transformers'
# src/transformers/models/mpnet/modeling_mpnet.py and configuration_mpnet.py as of commit 00099b9f (main, late
# 2025; the MPNet code is unchanged in substance since transformers 4.x): MPNetEmbeddings, MPNetSelfAttention,
# MPNetEncoder.compute_position_bias / relative_position_bucket, MPNetModel. Nothing here comes from Pairtune.


def mpnet_relative_position_bucket(relative_position, num_buckets=32, max_distance=128):
    """MPNetEncoder.relative_position_bucket: half the buckets per direction (keys after the query get the
    upper half), exact distances below num_buckets // 4, logarithmic ones up to max_distance, clamped.
    The logarithm is taken in float32, as transformers does whatever the model's dtype."""
    n = -relative_position
    half = num_buckets // 2
    bucket = (n < 0).to(torch.long) * half
    n = torch.abs(n)
    max_exact = half // 2
    large = max_exact + (torch.log(n.float() / max_exact) / math.log(max_distance / max_exact)
                         * (half - max_exact)).to(torch.long)
    large = torch.min(large, torch.full_like(large, half - 1))
    return bucket + torch.where(n < max_exact, n, large)


class MPNetEncoder:
    """MPNetModel's last_hidden_state in float64 torch ops. Differences from BERT: word and position
    embeddings only (no token types), positions counted from padding_idx + 1 over the non-pad ids with
    padding_idx fixed at 1 (MPNetEmbeddings ignores config.pad_token_id), attention under attention.attn.{q,k,v,o}
    with its LayerNorm at attention.LayerNorm, and a relative position bias added to every layer's scores: one
    table encoder.relative_attention_bias.weight [relative_attention_num_buckets, heads], looked up once per
    forward with 32 buckets (compute_position_bias is called with its default num_buckets=32, whatever the
    config says) from key index - query index over the padded length."""

    PADDING_IDX = 1

    def __init__(self, folder):
        self.folder = folder
        self.config = _read_json(os.path.join(folder, "config.json"))
        self.model_type = "mpnet"
        weights = _load_torch_weights(folder)
        # MPNetForMaskedLM checkpoints carry the base model under base_model_prefix "mpnet."
        if "embeddings.word_embeddings.weight" not in weights and "mpnet.embeddings.word_embeddings.weight" in weights:
            weights = {k[len("mpnet."):]: v for k, v in weights.items() if k.startswith("mpnet.")}
        self.w = weights
        self.layers = int(self.config.get("num_hidden_layers", 12))
        self.hidden = int(self.config.get("hidden_size", 768))
        self.heads = int(self.config.get("num_attention_heads", 12))
        self.eps = float(self.config.get("layer_norm_eps", 1e-12))
        self.act_name = self.config.get("hidden_act", "gelu")
        self.pad_id = self.PADDING_IDX
        self.vocab_size = self.w["embeddings.word_embeddings.weight"].shape[0]
        self.max_positions = self.w["embeddings.position_embeddings.weight"].shape[0]
        buckets = int(self.config.get("relative_attention_num_buckets", 32))
        table = self.w["encoder.relative_attention_bias.weight"]
        if tuple(table.shape) != (buckets, self.heads):
            raise FormatError(f"{folder}: encoder.relative_attention_bias.weight is {tuple(table.shape)}, "
                              f"expected ({buckets}, {self.heads})")
        if buckets < 32:
            raise FormatError(f"{folder}: relative_attention_num_buckets {buckets} < the 32 buckets MPNet looks up")
        for i in range(self.layers):
            if f"encoder.layer.{i}.output.LayerNorm.weight" not in self.w:
                raise FormatError(f"{folder}: weights for layer {i} are missing")
        sbert = os.path.join(folder, "sentence_bert_config.json")
        self.max_seq_length = _read_json(sbert).get("max_seq_length") if os.path.exists(sbert) else None

    _linear = Encoder._linear
    _layer_norm = Encoder._layer_norm
    _act = Encoder._act

    def position_ids(self, ids):
        """create_position_ids_from_input_ids(input_ids, padding_idx=1)."""
        real = (ids != self.PADDING_IDX).long()
        return torch.cumsum(real, dim=1) * real + self.PADDING_IDX

    def position_bias(self, length):
        """[1, heads, L, L]: table[bucket(key - query)], transposed to heads first."""
        query = torch.arange(length, dtype=torch.long)[:, None]
        key = torch.arange(length, dtype=torch.long)[None, :]
        buckets = mpnet_relative_position_bucket(key - query, num_buckets=32)
        return self.w["encoder.relative_attention_bias.weight"][buckets].permute(2, 0, 1).unsqueeze(0)

    def forward(self, ids, mask, type_ids=None):
        """ids: int64 [B,L]; mask: float [B,L]; type_ids ignored (MPNet has none). last_hidden_state [B,L,H]."""
        batch, length = ids.shape
        pos = self.position_ids(ids)
        if int(pos.max()) >= self.max_positions:
            raise FormatError(f"position {int(pos.max())} exceeds the {self.max_positions} position embeddings")
        x = self.w["embeddings.word_embeddings.weight"][ids] + self.w["embeddings.position_embeddings.weight"][pos]
        x = self._layer_norm(x, "embeddings.LayerNorm")
        additive = (1.0 - mask[:, None, None, :]) * float(np.finfo(np.float32).min)
        bias = self.position_bias(length)
        d = self.hidden // self.heads
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def heads(t):
                return t.reshape(batch, length, self.heads, d).permute(0, 2, 1, 3)

            q = heads(self._linear(x, p + "attention.attn.q"))
            k = heads(self._linear(x, p + "attention.attn.k"))
            v = heads(self._linear(x, p + "attention.attn.v"))
            scores = q @ k.transpose(-1, -2) / math.sqrt(d) + bias + additive
            scores = scores - scores.max(dim=-1, keepdim=True).values
            probs = torch.exp(scores)
            probs = probs / probs.sum(dim=-1, keepdim=True)
            context = (probs @ v).permute(0, 2, 1, 3).reshape(batch, length, self.hidden)
            attn = self._layer_norm(self._linear(context, p + "attention.attn.o") + x, p + "attention.LayerNorm")
            inner = self._act(self._linear(attn, p + "intermediate.dense"))
            x = self._layer_norm(self._linear(inner, p + "output.dense") + attn, p + "output.LayerNorm")
        return x

    def special_ids(self):
        """all_special_ids of MPNetTokenizer: the tokens special_tokens_map.json names, by the vocabulary's ids."""
        tokenizer_json = os.path.join(self.folder, "tokenizer.json")
        if os.path.exists(tokenizer_json):
            vocab = _read_json(tokenizer_json)["model"]["vocab"]
        else:
            with open(os.path.join(self.folder, "vocab.txt"), encoding="utf-8") as f:
                vocab = {line.rstrip("\n"): i for i, line in enumerate(f)}
        tokens = _read_json(os.path.join(self.folder, "special_tokens_map.json")).values()
        return {vocab[t if isinstance(t, str) else t["content"]] for t in tokens}


# ---------------------------------------------------------------------------------------------------------------
# ModernBERT (Alibaba-NLP/gte-modernbert-base, nomic-ai/modernbert-embed-base), written from Hugging Face
# transformers' src/transformers/models/modernbert/modeling_modernbert.py (commit 000c33fd, main late 2025,
# transformers 5.0 development) and configuration_modernbert.py (commit 001f85b3); the eager attention path
# (eager_attention_forward with _update_attention_mask's global and sliding-window masks), which the sdpa path
# equals and the flash-attention path equals on real tokens. Nothing here comes from Pairtune.


class ModernBertEncoder:
    """ModernBertModel's last_hidden_state in float64 torch ops: tok_embeddings -> norm (no positions, no token
    types); per layer x += Wo(attention(attn_norm(x))) with attn_norm the identity in layer 0, Wqkv one
    projection (query | key | value, heads contiguous), rotary embeddings on query and key (base
    global_rope_theta in layers i % global_attn_every_n_layers == 0, local_rope_theta elsewhere), scores scaled
    by head_dim^-0.5, global layers masking padding keys, local layers also every key with |i - j| >
    local_attention // 2; x += mlp.Wo(act(a) * g) with a | g = mlp.Wi(mlp_norm(x)); final_norm. Biases only where
    attention_bias / mlp_bias / norm_bias are true (all false by default)."""

    def __init__(self, folder):
        self.folder = folder
        c = _read_json(os.path.join(folder, "config.json"))
        self.config = c
        self.model_type = "modernbert"
        weights = _load_torch_weights(folder)
        # ModernBertForMaskedLM keeps the base model under base_model_prefix "model."
        if "embeddings.tok_embeddings.weight" not in weights and "model.embeddings.tok_embeddings.weight" in weights:
            weights = {k[len("model."):]: v for k, v in weights.items() if k.startswith("model.")}
        self.w = weights
        self.layers = int(c.get("num_hidden_layers", 22))
        self.hidden = int(c.get("hidden_size", 768))
        self.heads = int(c.get("num_attention_heads", 12))
        self.eps = float(c.get("norm_eps", 1e-5))
        self.act_name = c.get("hidden_activation", "gelu")
        self.pad_id = int(c.get("pad_token_id", 50283))
        self.every = int(c.get("global_attn_every_n_layers", 3))
        self.local_attention = int(c.get("local_attention", 128))
        rope = c.get("rope_parameters") or {}
        self.global_theta = float((rope.get("full_attention") or {}).get("rope_theta", c.get("global_rope_theta", 160000.0)))
        local = c.get("local_rope_theta", 10000.0)
        self.local_theta = float((rope.get("sliding_attention") or {}).get(
            "rope_theta", self.global_theta if local is None else local))
        self.vocab_size = self.w["embeddings.tok_embeddings.weight"].shape[0]
        for i in range(self.layers):
            if f"layers.{i}.mlp.Wo.weight" not in self.w:
                raise FormatError(f"{folder}: weights for layer {i} are missing")
        if "layers.0.attn_norm.weight" in self.w:
            raise FormatError(f"{folder}: layer 0 has no attn_norm in ModernBERT")
        sbert = os.path.join(folder, "sentence_bert_config.json")
        self.max_seq_length = _read_json(sbert).get("max_seq_length") if os.path.exists(sbert) else None

    _act = Encoder._act

    def _linear(self, x, name):
        bias = self.w.get(name + ".bias")
        y = x @ self.w[name + ".weight"].T
        return y if bias is None else y + bias

    def _norm(self, x, name):
        mean = x.mean(dim=-1, keepdim=True)
        var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
        y = (x - mean) / torch.sqrt(var + self.eps) * self.w[name + ".weight"]
        bias = self.w.get(name + ".bias")
        return y if bias is None else y + bias

    def rotary(self, length, theta, dtype):
        """ModernBertRotaryEmbedding: inverse frequencies and angles in float32 (transformers forces float32
        there, whatever the model's dtype), then cos and sin of cat(freqs, freqs) [L, head_dim]."""
        d = self.hidden // self.heads
        inv_freq = 1.0 / (theta ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))
        freqs = torch.arange(length).float()[:, None] * inv_freq[None, :]
        emb = torch.cat((freqs, freqs), dim=-1).to(dtype)
        return emb.cos(), emb.sin()

    @staticmethod
    def _rotate_half(x):
        half = x.shape[-1] // 2
        return torch.cat((-x[..., half:], x[..., :half]), dim=-1)

    def forward(self, ids, mask, type_ids=None):
        """ids: int64 [B,L]; mask: float [B,L]; type_ids ignored (ModernBERT has none). last_hidden_state [B,L,H]."""
        batch, length = ids.shape
        dtype = self.w["embeddings.tok_embeddings.weight"].dtype
        x = self._norm(self.w["embeddings.tok_embeddings.weight"][ids], "embeddings.norm")
        lowest = float(np.finfo(np.float32).min)
        global_mask = (1.0 - mask[:, None, None, :]) * lowest  # 0 or finfo.min, like masked_fill
        position = torch.arange(length)
        outside = (position[None, :] - position[:, None]).abs() > self.local_attention // 2
        sliding_mask = global_mask.expand(batch, 1, length, length).masked_fill(outside, lowest)
        ropes = {True: self.rotary(length, self.global_theta, dtype), False: self.rotary(length, self.local_theta, dtype)}
        d = self.hidden // self.heads
        for i in range(self.layers):
            p = f"layers.{i}."
            is_global = i % self.every == 0
            h = x if i == 0 else self._norm(x, p + "attn_norm")
            qkv = self._linear(h, p + "attn.Wqkv").reshape(batch, length, 3, self.heads, d)
            q, k, v = qkv.permute(2, 0, 3, 1, 4)  # [B, heads, L, d] each
            cos, sin = ropes[is_global]
            q = q * cos + self._rotate_half(q) * sin
            k = k * cos + self._rotate_half(k) * sin
            scores = q @ k.transpose(-1, -2) * d ** -0.5 + (global_mask if is_global else sliding_mask)
            scores = scores - scores.max(dim=-1, keepdim=True).values
            probs = torch.exp(scores)
            probs = probs / probs.sum(dim=-1, keepdim=True)
            context = (probs @ v).permute(0, 2, 1, 3).reshape(batch, length, self.hidden)
            x = x + self._linear(context, p + "attn.Wo")
            a, g = self._linear(self._norm(x, p + "mlp_norm"), p + "mlp.Wi").chunk(2, dim=-1)
            x = x + self._linear(self._act(a) * g, p + "mlp.Wo")
        return self._norm(x, "final_norm")


def make_encoder(folder):
    """The encoder class for the folder's config.json model_type."""
    model_type = _read_json(os.path.join(folder, "config.json")).get("model_type", "bert")
    if model_type == "mpnet":
        return MPNetEncoder(folder)
    if model_type == "modernbert":
        return ModernBertEncoder(folder)
    return Encoder(folder)


_POOLING_ORDER = ["cls_token", "max_tokens", "mean_tokens", "mean_sqrt_len_tokens", "weightedmean_tokens", "lasttoken"]


def pooling_modes(config):
    """Enabled modes in concatenation order (docs/formats.md §1.5: a missing mean key means True)."""
    defaults = {"mean_tokens": True}
    return [m for m in _POOLING_ORDER if config.get("pooling_mode_" + m, defaults.get(m, False))]


def pool(tokens, mask, modes):
    """tokens [B,L,H] float64, mask [B,L] float64 -> [B, len(modes)*H] (docs/formats.md §3.3)."""
    m = mask.unsqueeze(-1)
    count = torch.clamp(m.sum(dim=1), min=1e-9)
    parts = []
    for mode in modes:
        if mode == "cls_token":
            parts.append(tokens[:, 0])
        elif mode == "max_tokens":
            parts.append(torch.where(m > 0, tokens, torch.full_like(tokens, -1e9)).max(dim=1).values)
        elif mode == "mean_tokens":
            parts.append((tokens * m).sum(dim=1) / count)
        elif mode == "mean_sqrt_len_tokens":
            parts.append((tokens * m).sum(dim=1) / torch.sqrt(count))
        elif mode == "weightedmean_tokens":
            weights = torch.arange(1, tokens.shape[1] + 1, dtype=tokens.dtype).view(1, -1, 1) * m
            parts.append((tokens * weights).sum(dim=1) / torch.clamp(weights.sum(dim=1), min=1e-9))
        elif mode == "lasttoken":
            positions = torch.arange(tokens.shape[1]).unsqueeze(0).expand(mask.shape)
            last = torch.where(mask > 0, positions, torch.full_like(positions, -1)).max(dim=1).values.clamp(min=0)
            parts.append(tokens[torch.arange(tokens.shape[0]), last])
    return torch.cat(parts, dim=1)


_ACTIVATIONS = {
    "torch.nn.modules.activation.Tanh": torch.tanh,
    "torch.nn.modules.linear.Identity": lambda x: x,
    "torch.nn.modules.activation.ReLU": lambda x: torch.clamp(x, min=0.0),
    "torch.nn.modules.activation.Sigmoid": lambda x: 1.0 / (1.0 + torch.exp(-x)),
}


class Dense:
    def __init__(self, folder):
        config = _read_json(os.path.join(folder, "config.json"))
        weights = _load_torch_weights(folder)
        self.weight = weights["linear.weight"]
        self.bias = weights.get("linear.bias") if config.get("bias", True) else None
        name = config.get("activation_function", "torch.nn.modules.activation.Tanh")
        if name not in _ACTIVATIONS:
            raise FormatError(f"{folder}/config.json: activation {name} not covered by the reference")
        self.act = _ACTIVATIONS[name]
        if tuple(self.weight.shape) != (config["out_features"], config["in_features"]):
            raise FormatError(f"{folder}: linear.weight shape {tuple(self.weight.shape)} disagrees with config.json")

    def __call__(self, x):
        y = x @ self.weight.T
        if self.bias is not None:
            y = y + self.bias
        return self.act(y)


def normalize(x):
    return x / torch.clamp(torch.sqrt((x * x).sum(dim=1, keepdim=True)), min=1e-12)


class SentenceModel:
    def __init__(self, folder):
        modules = sorted(_read_json(os.path.join(folder, "modules.json")), key=lambda m: m["idx"])
        self.encoder = None
        self.pooling_modes = None
        self.include_prompt = True
        self.folder = folder
        self.after = []  # callables applied after pooling, in modules.json order
        for module in modules:
            kind = _module_kind(module["type"])
            path = os.path.join(folder, module.get("path", ""))
            if kind == "Transformer":
                self.encoder = make_encoder(path)
            elif kind == "Pooling":
                config = _read_json(os.path.join(path, "config.json"))
                self.pooling_modes = pooling_modes(config)
                self.include_prompt = bool(config.get("include_prompt", True))
                if int(config["word_embedding_dimension"]) != self.encoder.hidden:
                    raise FormatError(f"{path}: word_embedding_dimension disagrees with hidden_size")
            elif kind == "Dense":
                self.after.append(Dense(path))
            else:
                self.after.append(normalize)
        if self.encoder is None or self.pooling_modes is None:
            raise FormatError(f"{folder}: modules.json needs a Transformer and a Pooling module")

    def to(self, dtype):
        """Computes in another float type (float64 by default; float32 shows float32's own rounding)."""
        self.encoder.w = {k: v.to(dtype) for k, v in self.encoder.w.items()}
        for step in self.after:
            if isinstance(step, Dense):
                step.weight = step.weight.to(dtype)
                step.bias = step.bias.to(dtype) if step.bias is not None else None
        self.dtype = dtype
        return self

    def special_ids(self):
        """The ids of the tokenizer's special tokens (transformers' all_special_ids), from
        special_tokens_map.json and vocab.txt (BERT) or the fairseq ids (XLM-R, docs/formats.md §4.3)."""
        enc = self.encoder
        if hasattr(enc, "special_ids"):
            return enc.special_ids()
        if not os.path.exists(os.path.join(enc.folder, "vocab.txt")):  # sentencepiece (fairseq ids)
            return {0, 1, 2, 3, enc.vocab_size - 1}
        tdir = enc.folder
        with open(os.path.join(tdir, "vocab.txt"), encoding="utf-8") as f:
            vocab = {line.rstrip("\n"): i for i, line in enumerate(f)}
        tokens = _read_json(os.path.join(tdir, "special_tokens_map.json")).values()
        return {vocab[t if isinstance(t, str) else t["content"]] for t in tokens}

    def prompt_length(self, prompt_ids):
        """sentence-transformers' _get_prompt_length: the prompt tokenized alone (special tokens and
        all), less one when its last token is a special one (the EOS/[SEP] the template appends)."""
        length = len(prompt_ids)
        if length and prompt_ids[-1] in self.special_ids():
            length -= 1
        return length

    def embed_batch(self, batch, prompt_length=0):
        """batch: list of {"input_ids": [...], optional "token_type_ids"}. float64 [B, dim].
        prompt_length: leading tokens Pooling leaves out when its include_prompt is false."""
        length = max(len(item["input_ids"]) for item in batch)
        enc = self.encoder
        ids = torch.full((len(batch), length), enc.pad_id, dtype=torch.int64)
        types = torch.zeros((len(batch), length), dtype=torch.int64)
        mask = torch.zeros((len(batch), length), dtype=getattr(self, "dtype", torch.float64))
        for row, item in enumerate(batch):
            n = len(item["input_ids"])
            if n == 0:
                raise FormatError("an empty input_ids list")
            ids[row, :n] = torch.tensor(item["input_ids"], dtype=torch.int64)
            if "token_type_ids" in item and enc.model_type == "bert":
                types[row, :n] = torch.tensor(item["token_type_ids"], dtype=torch.int64)
            mask[row, :n] = 1.0
        if int(ids.max()) >= enc.vocab_size or int(ids.min()) < 0:
            raise FormatError(f"token id outside the vocabulary of {enc.vocab_size}")
        pool_mask = mask
        if not self.include_prompt and prompt_length > 0:
            pool_mask = mask.clone()  # the encoder still sees the prompt; only pooling skips it
            pool_mask[:, :prompt_length] = 0.0
        x = pool(enc.forward(ids, mask, types), pool_mask, self.pooling_modes)
        for step in self.after:
            x = step(x)
        return x

    def embed(self, items, batch_size, prompt_length=0):
        out = [self.embed_batch(items[i : i + batch_size], prompt_length) for i in range(0, len(items), batch_size)]
        return torch.cat(out, dim=0)


def read_ids(path):
    items = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                item = json.loads(line)
                if "input_ids" not in item:
                    raise FormatError(f"{path}:{number}: no input_ids")
                items.append(item)
    return items


def cmd_embed(args):
    torch.set_grad_enabled(False)
    model = SentenceModel(args.model).to(torch.float32 if args.compute == "float32" else torch.float64)
    items = read_ids(args.ids)
    limit = model.encoder.max_seq_length
    if limit is not None and any(len(item["input_ids"]) > limit for item in items):
        print(f"reference: warning: some inputs are longer than max_seq_length {limit}", file=sys.stderr)
    prompt_length = 0
    if args.prompt_ids:
        prompt_items = read_ids(args.prompt_ids)
        if len(prompt_items) != 1:
            raise FormatError(f"{args.prompt_ids}: expected the ids of one prompt")
        prompt_length = model.prompt_length(prompt_items[0]["input_ids"])
        print(f"reference: prompt length {prompt_length}, include_prompt {model.include_prompt}", file=sys.stderr)
    result = model.embed(items, args.batch_size, prompt_length).to(torch.float32).numpy()
    np.save(args.output, result)
    print(f"reference: embedded {result.shape[0]} inputs into {result.shape[1]} dimensions", file=sys.stderr)


# ---------------------------------------------------------------------------------------------------------------
# Writing folders with random weights (docs/formats.md §1, §2)


def _count_spm_pieces(path):
    """Number of `pieces` (field 1) in a sentencepiece ModelProto, read from the protobuf wire format."""
    with open(path, "rb") as f:
        data = f.read()

    def varint(pos):
        value, shift = 0, 0
        while True:
            byte = data[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return value, pos

    pos, pieces = 0, 0
    while pos < len(data):
        key, pos = varint(pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            _, pos = varint(pos)
        elif wire == 1:
            pos += 8
        elif wire == 2:
            size, pos = varint(pos)
            pos += size
            pieces += field == 1
        elif wire == 5:
            pos += 4
        else:
            raise FormatError(f"{path}: not a sentencepiece model (wire type {wire})")
    if pieces == 0:
        raise FormatError(f"{path}: no pieces in this sentencepiece model")
    return pieces


def _write_json(path, value, indent=2):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=indent, ensure_ascii=False)
        f.write("\n")


def random_encoder_weights(rng, arch, vocab_size, hidden, layers, intermediate, positions, type_vocab, pooler,
                           pad_id=1):
    """Spread-out random weights so that attention, positions and every LayerNorm matter, under the family's
    names (type_vocab 0: no token type table)."""

    def normal(shape, std):
        return rng.normal(0.0, std, size=shape).astype(np.float32)

    w = {
        "embeddings.word_embeddings.weight": normal((vocab_size, hidden), 0.5),
        "embeddings.position_embeddings.weight": normal((positions, hidden), 0.5),
    }
    if type_vocab:
        w["embeddings.token_type_embeddings.weight"] = normal((type_vocab, hidden), 0.5)
    w["embeddings.LayerNorm.weight"] = 1.0 + normal((hidden,), 0.1)
    w["embeddings.LayerNorm.bias"] = normal((hidden,), 0.1)
    if arch in _ROBERTA_POSITIONS:  # padding_idx row, as a fresh nn.Embedding has it
        w["embeddings.position_embeddings.weight"][pad_id] = 0.0
    n = layout(arch)
    for i in range(layers):
        p = f"{n['layers']}.{i}."
        shapes = {n["query"]: (hidden, hidden), n["key"]: (hidden, hidden),
                  n["value"]: (hidden, hidden), n["attention_output"]: (hidden, hidden),
                  n["intermediate"]: (intermediate, hidden), n["output"]: (hidden, intermediate)}
        for name, shape in shapes.items():
            w[p + name + ".weight"] = normal(shape, 1.0 / math.sqrt(shape[1]) * 1.5)
            w[p + name + ".bias"] = normal((shape[0],), 0.1)
        for name in (n["attention_norm"], n["output_norm"]):
            w[p + name + ".weight"] = 1.0 + normal((hidden,), 0.1)
            w[p + name + ".bias"] = normal((hidden,), 0.1)
    if pooler:
        w["pooler.dense.weight"] = normal((hidden, hidden), 0.02)
        w["pooler.dense.bias"] = np.zeros(hidden, dtype=np.float32)
    return w


def add_extra_heads(tensors, arch, prefix, max_positions, vocab_size):
    """Tensors a loader must ignore: an MLM head bias and the old non-persistent position_ids buffer."""
    head = {"bert": "cls.predictions.bias", "distilbert": "vocab_projector.bias"}.get(arch, "lm_head.bias")
    tensors[head] = ("F32", np.linspace(-1.0, 1.0, vocab_size, dtype=np.float32))
    tensors[prefix + "embeddings.position_ids"] = ("I64", np.arange(max_positions, dtype=np.int64).reshape(1, -1))


def cmd_make_folder(args):
    out = args.out
    # --legacy-layout: the Transformer in 0_Transformer/ (older sentence-transformers) instead of the root
    tdir = os.path.join(out, "0_Transformer") if args.legacy_layout else out
    os.makedirs(tdir, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    family = args.arch
    # WordPiece (vocab.txt) for BERT and DistilBERT, sentencepiece for XLM-R; RoBERTa takes either here (the
    # encoder does not care which tokenizer made the ids).
    bert = family in ("bert", "distilbert") or (family == "roberta" and bool(args.vocab_file))
    if bert:
        if not args.vocab_file:
            raise SystemExit(f"make-folder --arch {family} needs --vocab-file")
        with open(args.vocab_file, encoding="utf-8") as f:
            vocab_lines = sum(1 for _ in f)
        vocab_size = args.vocab_size or vocab_lines
        if vocab_size != vocab_lines:
            raise SystemExit(f"--vocab-size {vocab_size} but {args.vocab_file} has {vocab_lines} tokens")
        shutil.copyfile(args.vocab_file, os.path.join(tdir, "vocab.txt"))
    else:
        if not args.spm_model:
            raise SystemExit(f"make-folder --arch {family} needs --spm-model (or --vocab-file for roberta)")
        # fairseq ids: <s> <pad> </s> <unk>, then spm ids + 1, then <mask> (docs/formats.md §4.3)
        vocab_size = args.vocab_size or _count_spm_pieces(args.spm_model) + 2
        shutil.copyfile(args.spm_model, os.path.join(tdir, "sentencepiece.bpe.model"))
    pad_id = 0 if bert else 1  # [PAD] / <pad>
    positions = args.max_positions + (pad_id + 1 if family in _ROBERTA_POSITIONS else 0)
    type_vocab = {"bert": 2, "distilbert": 0}.get(family, 1)
    eps = args.layer_norm_eps if args.layer_norm_eps is not None else (1e-5 if family in _ROBERTA_POSITIONS else 1e-12)
    if args.hidden % args.heads:
        raise SystemExit("--hidden must be a multiple of --heads")

    dtype_name = {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}[args.dtype]
    if family == "distilbert":
        if args.layer_norm_eps is not None:
            raise SystemExit("DistilBERT's LayerNorm eps is fixed at 1e-12")
        # DistilBertConfig as save_pretrained writes it (sentence-transformers/msmarco-distilbert-base-v4's keys)
        config = {
            "activation": args.hidden_act, "architectures": ["DistilBertModel"], "attention_dropout": 0.1,
            "dim": args.hidden, "dropout": 0.1, "hidden_dim": args.intermediate, "initializer_range": 0.02,
            "max_position_embeddings": positions, "model_type": "distilbert", "n_heads": args.heads,
            "n_layers": args.layers, "pad_token_id": pad_id, "qa_dropout": 0.1, "seq_classif_dropout": 0.2,
            "sinusoidal_pos_embds": args.sinusoidal, "tie_weights_": True, "torch_dtype": dtype_name,
            "transformers_version": "4.44.2", "vocab_size": vocab_size,
        }
    else:
        config = {
            "architectures": [{"bert": "BertModel", "xlm-roberta": "XLMRobertaModel", "roberta": "RobertaModel"}[family]],
            "attention_probs_dropout_prob": 0.1,
            "classifier_dropout": None,
            "hidden_act": args.hidden_act,
            "hidden_dropout_prob": 0.1,
            "hidden_size": args.hidden,
            "initializer_range": 0.02,
            "intermediate_size": args.intermediate,
            "layer_norm_eps": eps,
            "max_position_embeddings": positions,
            "model_type": family,
            "num_attention_heads": args.heads,
            "num_hidden_layers": args.layers,
            "pad_token_id": pad_id,
            "position_embedding_type": "absolute",
            "torch_dtype": dtype_name,
            "transformers_version": "4.44.2",
            "type_vocab_size": type_vocab,
            "use_cache": True,
            "vocab_size": vocab_size,
        }
        if family in _ROBERTA_POSITIONS:
            config.update({"bos_token_id": 0, "eos_token_id": 2})
    _write_json(os.path.join(tdir, "config.json"), config)

    weights = random_encoder_weights(rng, family, vocab_size, args.hidden, args.layers, args.intermediate,
                                     positions, type_vocab, not args.no_pooler and family != "distilbert", pad_id)
    if args.sinusoidal:  # the table save_pretrained writes, or none (--no-position-table: computed on load)
        if family != "distilbert":
            raise SystemExit("--sinusoidal is DistilBERT's sinusoidal_pos_embds")
        weights["embeddings.position_embeddings.weight"] = sinusoidal_table(positions, args.hidden).numpy()
        if args.no_position_table:
            del weights["embeddings.position_embeddings.weight"]
    tensors = {args.prefix + k: (args.dtype, v) for k, v in weights.items()}
    if args.extra_heads:
        add_extra_heads(tensors, args.arch, args.prefix, positions, vocab_size)
    write_safetensors(os.path.join(tdir, "model.safetensors"), tensors, {"format": "pt"})

    _write_json(os.path.join(tdir, "sentence_bert_config.json"),
                {"max_seq_length": args.max_seq_length, "do_lower_case": False}, indent=4)
    _write_json(os.path.join(out, "config_sentence_transformers.json"),
                {"__version__": {"sentence_transformers": "3.0.1", "transformers": "4.44.2", "pytorch": "2.4.0"},
                 "prompts": json.loads(args.prompts), "default_prompt_name": args.default_prompt_name,
                 "similarity_fn_name": "cosine"})
    if bert:
        _write_json(os.path.join(tdir, "tokenizer_config.json"),
                    {"tokenizer_class": "DistilBertTokenizer" if family == "distilbert" else "BertTokenizer",
                     "do_lower_case": True, "strip_accents": None,
                     "tokenize_chinese_chars": True, "model_max_length": args.max_positions,
                     "cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]", "unk_token": "[UNK]",
                     "mask_token": "[MASK]", "clean_up_tokenization_spaces": True})
        _write_json(os.path.join(tdir, "special_tokens_map.json"),
                    {"cls_token": "[CLS]", "mask_token": "[MASK]", "pad_token": "[PAD]", "sep_token": "[SEP]",
                     "unk_token": "[UNK]"})
    else:
        _write_json(os.path.join(tdir, "tokenizer_config.json"),
                    {"tokenizer_class": "XLMRobertaTokenizer", "model_max_length": args.max_positions,
                     "bos_token": "<s>", "cls_token": "<s>", "eos_token": "</s>", "sep_token": "</s>",
                     "pad_token": "<pad>", "unk_token": "<unk>", "mask_token": "<mask>",
                     "clean_up_tokenization_spaces": True})

    modes = [m.strip() for m in args.pooling.split(",") if m.strip()]
    aliases = {"cls": "cls_token", "mean": "mean_tokens", "max": "max_tokens", "mean_sqrt_len": "mean_sqrt_len_tokens",
               "weightedmean": "weightedmean_tokens"}
    modes = [aliases.get(m, m) for m in modes]
    for mode in modes:
        if mode not in _POOLING_ORDER:
            raise SystemExit(f"unknown pooling mode {mode}")
    modules = [{"idx": 0, "name": "0", "path": "0_Transformer" if args.legacy_layout else "",
                "type": "sentence_transformers.models.Transformer"},
               {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]
    os.makedirs(os.path.join(out, "1_Pooling"), exist_ok=True)
    pooling_config = {"word_embedding_dimension": args.hidden}
    if args.legacy_layout:
        # Older files have only the first five keys; weightedmean and lasttoken then default to off.
        legacy = _POOLING_ORDER[:4]
        if any(m not in legacy for m in modes):
            raise SystemExit("--legacy-layout cannot express pooling " + ",".join(modes))
        pooling_config.update({"pooling_mode_" + m: m in modes for m in legacy})
    else:
        pooling_config.update({"pooling_mode_" + m: m in modes for m in _POOLING_ORDER})
        pooling_config["include_prompt"] = not args.exclude_prompt
    _write_json(os.path.join(out, "1_Pooling", "config.json"), pooling_config, indent=4)
    pooled = args.hidden * len(modes)
    if args.dense:
        idx = len(modules)
        folder = f"{idx}_Dense"
        os.makedirs(os.path.join(out, folder), exist_ok=True)
        _write_json(os.path.join(out, folder, "config.json"),
                    {"in_features": pooled, "out_features": args.dense, "bias": True,
                     "activation_function": "torch.nn.modules.activation.Tanh"})
        dense = {"linear.weight": ("F32", rng.normal(0.0, 1.0 / math.sqrt(pooled), (args.dense, pooled)).astype(np.float32)),
                 "linear.bias": ("F32", rng.normal(0.0, 0.1, args.dense).astype(np.float32))}
        write_safetensors(os.path.join(out, folder, "model.safetensors"), dense)
        modules.append({"idx": idx, "name": str(idx), "path": folder, "type": "sentence_transformers.models.Dense"})
    if args.normalize:
        idx = len(modules)
        os.makedirs(os.path.join(out, f"{idx}_Normalize"), exist_ok=True)
        modules.append({"idx": idx, "name": str(idx), "path": f"{idx}_Normalize",
                        "type": "sentence_transformers.models.Normalize"})
    _write_json(os.path.join(out, "modules.json"), modules)


def cmd_mutate(args):
    if os.path.abspath(args.input) == os.path.abspath(args.out):
        raise SystemExit("mutate: --in and --out must differ")
    shutil.copytree(args.input, args.out, dirs_exist_ok=True)
    modules = _read_json(os.path.join(args.out, "modules.json"))
    transformer = [m for m in modules if _module_kind(m["type"]) == "Transformer"][0]
    tdir = os.path.join(args.out, transformer.get("path", ""))
    path = os.path.join(tdir, "model.safetensors")
    tensors, metadata = read_safetensors(path)
    config = _read_json(os.path.join(tdir, "config.json"))
    arch = config.get("model_type", "bert")
    result = {}
    for name, (dtype, array) in tensors.items():
        if args.dtype and dtype in ("F16", "BF16", "F32", "F64"):
            dtype, array = args.dtype, np.asarray(array, dtype=np.float32)
        if args.prefix and not name.startswith(args.prefix):
            name = args.prefix + name
        result[name] = (dtype, array)
    if args.extra_heads:
        add_extra_heads(result, arch, args.prefix or "", int(config["max_position_embeddings"]),
                        int(config["vocab_size"]))
    if args.dtype:
        config["torch_dtype"] = {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}[args.dtype]
        _write_json(os.path.join(tdir, "config.json"), config)
    write_safetensors(path, result, metadata if metadata is not None else {"format": "pt"})


# ---------------------------------------------------------------------------------------------------------------
# Writing MPNet folders with random weights, in the layout sentence-transformers/all-mpnet-base-v2 ships:
# config.json of an MPNetConfig (architectures MPNetForMaskedLM, as that repo keeps it), unprefixed MPNetModel
# weights, and the tokenizer transformers' MPNetConverter writes: WordPiece over vocab.txt with <s> <pad> </s>
# <unk> in front of BERT's vocabulary and <mask> last, BertNormalizer, BertPreTokenizer, and a
# TemplateProcessing "<s> $A </s>" / "<s> $A </s> </s> $B </s>" post-processor.

_MPNET_FRONT = ["<s>", "<pad>", "</s>", "<unk>"]


def mpnet_vocab(bert_vocab_path, words):
    """MPNetTokenizer's vocab.txt from a BERT vocab.txt. words > 0 keeps it small: the special [..] tokens
    other than [unusedN], every single-character token and its ## form, and the first `words` longer tokens."""
    with open(bert_vocab_path, encoding="utf-8") as f:
        bert = [line.rstrip("\n") for line in f]
    if words > 0:
        kept, longer = [], 0
        for token in bert:
            body = token[2:] if token.startswith("##") else token
            if token.startswith("[unused"):
                continue
            if (token.startswith("[") and token.endswith("]")) or len(body) == 1:
                kept.append(token)
            elif longer < words and not token.startswith("##"):
                kept.append(token)
                longer += 1
        bert = kept
    return _MPNET_FRONT + bert + ["<mask>"]


def random_mpnet_weights(rng, vocab_size, hidden, layers, heads, intermediate, positions, buckets):
    def normal(shape, std):
        return rng.normal(0.0, std, size=shape).astype(np.float32)

    w = {
        "embeddings.word_embeddings.weight": normal((vocab_size, hidden), 0.5),
        "embeddings.position_embeddings.weight": normal((positions, hidden), 0.5),
        "embeddings.LayerNorm.weight": 1.0 + normal((hidden,), 0.1),
        "embeddings.LayerNorm.bias": normal((hidden,), 0.1),
        # Spread out (std 1) so that the bias visibly moves attention, differently per head and distance.
        "encoder.relative_attention_bias.weight": normal((buckets, heads), 1.0),
        "pooler.dense.weight": normal((hidden, hidden), 0.02),
        "pooler.dense.bias": np.zeros(hidden, dtype=np.float32),
    }
    w["embeddings.position_embeddings.weight"][MPNetEncoder.PADDING_IDX] = 0.0  # nn.Embedding's padding_idx row
    for i in range(layers):
        p = f"encoder.layer.{i}."
        shapes = {"attention.attn.q": (hidden, hidden), "attention.attn.k": (hidden, hidden),
                  "attention.attn.v": (hidden, hidden), "attention.attn.o": (hidden, hidden),
                  "intermediate.dense": (intermediate, hidden), "output.dense": (hidden, intermediate)}
        for name, shape in shapes.items():
            w[p + name + ".weight"] = normal(shape, 1.0 / math.sqrt(shape[1]) * 1.5)
            w[p + name + ".bias"] = normal((shape[0],), 0.1)
        for name in ("attention.LayerNorm", "output.LayerNorm"):
            w[p + name + ".weight"] = 1.0 + normal((hidden,), 0.1)
            w[p + name + ".bias"] = normal((hidden,), 0.1)
    return w


def _mpnet_tokenizer_json(vocab):
    ids = {token: i for i, token in enumerate(vocab)}

    def added(token, lstrip=False):
        return {"id": ids[token], "content": token, "single_word": False, "lstrip": lstrip, "rstrip": False,
                "normalized": False, "special": True}

    def special(token, type_id=0):
        return {"SpecialToken": {"id": token, "type_id": type_id}}

    def sequence(name, type_id=0):
        return {"Sequence": {"id": name, "type_id": type_id}}

    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added("<s>"), added("<pad>"), added("</s>"), added("<unk>"), added("[UNK]"),
                         added("<mask>", lstrip=True)],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [special("<s>"), sequence("A"), special("</s>")],
            "pair": [special("<s>"), sequence("A"), special("</s>"), special("</s>"), sequence("B", 1),
                     special("</s>", 1)],
            "special_tokens": {"</s>": {"id": "</s>", "ids": [ids["</s>"]], "tokens": ["</s>"]},
                               "<s>": {"id": "<s>", "ids": [ids["<s>"]], "tokens": ["<s>"]}},
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": ids},
    }


def cmd_make_mpnet_folder(args):
    out = args.out
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    vocab = mpnet_vocab(args.vocab_file, args.words)
    positions = args.max_positions + 2  # positions count from padding_idx + 1 = 2, as in mpnet-base's 514
    if args.hidden % args.heads:
        raise SystemExit("--hidden must be a multiple of --heads")
    config = {
        "_name_or_path": "microsoft/mpnet-base",
        "architectures": ["MPNetForMaskedLM"],
        "attention_probs_dropout_prob": 0.1,
        "bos_token_id": 0,
        "eos_token_id": 2,
        "hidden_act": args.hidden_act,
        "hidden_dropout_prob": 0.1,
        "hidden_size": args.hidden,
        "initializer_range": 0.02,
        "intermediate_size": args.intermediate,
        "layer_norm_eps": 1e-05,
        "max_position_embeddings": positions,
        "model_type": "mpnet",
        "num_attention_heads": args.heads,
        "num_hidden_layers": args.layers,
        "pad_token_id": 1,
        "relative_attention_num_buckets": args.buckets,
        "torch_dtype": {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}[args.dtype],
        "transformers_version": "4.44.2",
        "vocab_size": len(vocab),
    }
    _write_json(os.path.join(out, "config.json"), config)
    weights = random_mpnet_weights(rng, len(vocab), args.hidden, args.layers, args.heads, args.intermediate,
                                   positions, args.buckets)
    tensors = {args.prefix + k: (args.dtype, v) for k, v in weights.items()}
    write_safetensors(os.path.join(out, "model.safetensors"), tensors, {"format": "pt"})

    with open(os.path.join(out, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("".join(token + "\n" for token in vocab))
    _write_json(os.path.join(out, "tokenizer.json"), _mpnet_tokenizer_json(vocab))
    specials = {"bos_token": "<s>", "cls_token": "<s>", "eos_token": "</s>", "mask_token": "<mask>",
                "pad_token": "<pad>", "sep_token": "</s>", "unk_token": "[UNK]"}
    _write_json(os.path.join(out, "special_tokens_map.json"), specials)
    _write_json(os.path.join(out, "tokenizer_config.json"),
                dict(specials, tokenizer_class="MPNetTokenizer", do_lower_case=True, strip_accents=None,
                     tokenize_chinese_chars=True, model_max_length=args.max_positions,
                     clean_up_tokenization_spaces=True))
    _write_json(os.path.join(out, "sentence_bert_config.json"),
                {"max_seq_length": args.max_seq_length, "do_lower_case": False}, indent=4)
    _write_json(os.path.join(out, "config_sentence_transformers.json"),
                {"__version__": {"sentence_transformers": "3.0.1", "transformers": "4.44.2", "pytorch": "2.4.0"},
                 "prompts": {}, "default_prompt_name": None, "similarity_fn_name": "cosine"})
    modes = [{"cls": "cls_token", "mean": "mean_tokens", "max": "max_tokens"}.get(m, m)
             for m in args.pooling.split(",") if m]
    os.makedirs(os.path.join(out, "1_Pooling"), exist_ok=True)
    pooling_config = {"word_embedding_dimension": args.hidden}
    pooling_config.update({"pooling_mode_" + m: m in modes for m in _POOLING_ORDER})
    pooling_config["include_prompt"] = True
    _write_json(os.path.join(out, "1_Pooling", "config.json"), pooling_config, indent=4)
    modules = [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
               {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]
    if args.normalize:
        os.makedirs(os.path.join(out, "2_Normalize"), exist_ok=True)
        modules.append({"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"})
    _write_json(os.path.join(out, "modules.json"), modules)


# Writing ModernBERT folders with random weights, in the layout Alibaba-NLP/gte-modernbert-base ships: config.json
# of a ModernBertConfig as transformers 4.48 saves it (architectures ModernBertModel), unprefixed ModernBertModel
# weights (--prefix model. gives ModernBertForMaskedLM's names). The tokenizer is WordPiece (a vocab.txt subset,
# BertTokenizer): the encoder does not care which tokenizer made the ids.


def random_modernbert_weights(rng, vocab_size, hidden, layers, intermediate, pad_id, biases):
    def normal(shape, std):
        return rng.normal(0.0, std, size=shape).astype(np.float32)

    def norm(w, name):
        w[name + ".weight"] = 1.0 + normal((hidden,), 0.1)
        if biases:
            w[name + ".bias"] = normal((hidden,), 0.1)

    def linear(w, name, out, inp):
        w[name + ".weight"] = normal((out, inp), 1.0 / math.sqrt(inp) * 1.5)
        if biases:
            w[name + ".bias"] = normal((out,), 0.1)

    w = {"embeddings.tok_embeddings.weight": normal((vocab_size, hidden), 0.5)}
    w["embeddings.tok_embeddings.weight"][pad_id] = 0.0  # nn.Embedding(padding_idx=pad_token_id)
    norm(w, "embeddings.norm")
    for i in range(layers):
        p = f"layers.{i}."
        if i:
            norm(w, p + "attn_norm")
        linear(w, p + "attn.Wqkv", 3 * hidden, hidden)
        linear(w, p + "attn.Wo", hidden, hidden)
        norm(w, p + "mlp_norm")
        linear(w, p + "mlp.Wi", 2 * intermediate, hidden)
        linear(w, p + "mlp.Wo", hidden, intermediate)
    norm(w, "final_norm")
    return w


def cmd_make_modernbert_folder(args):
    out = args.out
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    vocab = mpnet_vocab(args.vocab_file, args.words)[len(_MPNET_FRONT):-1]  # the BERT subset alone
    ids = {token: i for i, token in enumerate(vocab)}
    if args.hidden % args.heads:
        raise SystemExit("--hidden must be a multiple of --heads")
    config = {
        "_name_or_path": "Alibaba-NLP/gte-modernbert-base",
        "architectures": ["ModernBertModel"],
        "attention_bias": args.biases, "attention_dropout": 0.0,
        "bos_token_id": ids["[CLS]"], "classifier_activation": "gelu", "classifier_bias": False,
        "classifier_dropout": 0.0, "classifier_pooling": "mean", "cls_token_id": ids["[CLS]"],
        "decoder_bias": True, "deterministic_flash_attn": False, "embedding_dropout": 0.0,
        "eos_token_id": ids["[SEP]"], "global_attn_every_n_layers": args.global_every,
        "global_rope_theta": args.global_rope_theta, "gradient_checkpointing": False,
        "hidden_activation": args.hidden_act, "hidden_size": args.hidden, "initializer_cutoff_factor": 2.0,
        "initializer_range": 0.02, "intermediate_size": args.intermediate, "layer_norm_eps": 1e-05,
        "local_attention": args.local_attention, "local_rope_theta": args.local_rope_theta,
        "max_position_embeddings": args.max_positions, "mlp_bias": args.biases, "mlp_dropout": 0.0,
        "model_type": "modernbert", "norm_bias": args.biases, "norm_eps": 1e-05,
        "num_attention_heads": args.heads, "num_hidden_layers": args.layers, "pad_token_id": ids["[PAD]"],
        "position_embedding_type": "absolute", "reference_compile": True, "repad_logits_with_grad": False,
        "sep_token_id": ids["[SEP]"], "sparse_pred_ignore_index": -100, "sparse_prediction": False,
        "torch_dtype": {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}[args.dtype],
        "transformers_version": "4.48.0", "vocab_size": len(vocab),
    }
    _write_json(os.path.join(out, "config.json"), config)
    weights = random_modernbert_weights(rng, len(vocab), args.hidden, args.layers, args.intermediate,
                                        ids["[PAD]"], args.biases)
    tensors = {args.prefix + k: (args.dtype, v) for k, v in weights.items()}
    write_safetensors(os.path.join(out, "model.safetensors"), tensors, {"format": "pt"})
    with open(os.path.join(out, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("".join(token + "\n" for token in vocab))
    _write_json(os.path.join(out, "tokenizer_config.json"),
                {"tokenizer_class": "BertTokenizer", "do_lower_case": True, "strip_accents": None,
                 "tokenize_chinese_chars": True, "model_max_length": args.max_positions,
                 "cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]", "unk_token": "[UNK]",
                 "mask_token": "[MASK]", "clean_up_tokenization_spaces": True})
    _write_json(os.path.join(out, "special_tokens_map.json"),
                {"cls_token": "[CLS]", "mask_token": "[MASK]", "pad_token": "[PAD]", "sep_token": "[SEP]",
                 "unk_token": "[UNK]"})
    _write_json(os.path.join(out, "sentence_bert_config.json"),
                {"max_seq_length": args.max_seq_length, "do_lower_case": False}, indent=4)
    _write_json(os.path.join(out, "config_sentence_transformers.json"),
                {"__version__": {"sentence_transformers": "3.3.1", "transformers": "4.48.0", "pytorch": "2.5.1"},
                 "prompts": {}, "default_prompt_name": None, "similarity_fn_name": "cosine"})
    modes = [{"cls": "cls_token", "mean": "mean_tokens", "max": "max_tokens"}.get(m, m)
             for m in args.pooling.split(",") if m]
    os.makedirs(os.path.join(out, "1_Pooling"), exist_ok=True)
    pooling_config = {"word_embedding_dimension": args.hidden}
    pooling_config.update({"pooling_mode_" + m: m in modes for m in _POOLING_ORDER})
    pooling_config["include_prompt"] = True
    _write_json(os.path.join(out, "1_Pooling", "config.json"), pooling_config, indent=4)
    modules = [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
               {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]
    if args.normalize:
        os.makedirs(os.path.join(out, "2_Normalize"), exist_ok=True)
        modules.append({"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"})
    _write_json(os.path.join(out, "modules.json"), modules)


# ---------------------------------------------------------------------------------------------------------------
# Self-check: a second, naive implementation (numpy, one sentence at a time, no padding, no mask)


def _naive_embed(folder, ids):
    model = SentenceModel(folder)  # only for the file parsing; the math below is separate
    enc = model.encoder
    w = {k: v.numpy() for k, v in enc.w.items()}
    erf = np.vectorize(math.erf)
    n = len(ids)
    if enc.model_type in _ROBERTA_POSITIONS:
        positions = np.arange(n) + enc.pad_id + 1
    else:
        positions = np.arange(n)
    names = layout(enc.model_type)

    def ln(x, name):
        mu = x.mean(axis=-1, keepdims=True)
        sd = np.sqrt(((x - mu) ** 2).mean(axis=-1, keepdims=True) + enc.eps)
        return (x - mu) / sd * w[name + ".weight"] + w[name + ".bias"]

    def lin(x, name):
        return x @ w[name + ".weight"].T + w[name + ".bias"]

    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][positions]
    if "embeddings.token_type_embeddings.weight" in w:
        x = x + w["embeddings.token_type_embeddings.weight"][0]
    x = ln(x, "embeddings.LayerNorm")
    d = enc.hidden // enc.heads
    for i in range(enc.layers):
        p = f"{names['layers']}.{i}."
        q, k, v = (lin(x, p + names[t]) for t in ("query", "key", "value"))
        ctx = np.zeros_like(x)
        for h in range(enc.heads):
            s = slice(h * d, (h + 1) * d)
            scores = q[:, s] @ k[:, s].T / math.sqrt(d)
            e = np.exp(scores - scores.max(axis=1, keepdims=True))
            ctx[:, s] = (e / e.sum(axis=1, keepdims=True)) @ v[:, s]
        a = ln(lin(ctx, p + names["attention_output"]) + x, p + names["attention_norm"])
        hmid = lin(a, p + names["intermediate"])
        assert enc.act_name == "gelu"
        hmid = hmid * 0.5 * (1.0 + erf(hmid / math.sqrt(2.0)))
        x = ln(lin(hmid, p + names["output"]) + a, p + names["output_norm"])
    weights = np.arange(1, n + 1, dtype=np.float64)[:, None]
    pooled = {"cls_token": x[0], "max_tokens": x.max(axis=0), "mean_tokens": x.mean(axis=0),
              "mean_sqrt_len_tokens": x.sum(axis=0) / math.sqrt(n),
              "weightedmean_tokens": (x * weights).sum(axis=0) / weights.sum(), "lasttoken": x[-1]}
    y = np.concatenate([pooled[m] for m in model.pooling_modes])
    for step in model.after:
        if isinstance(step, Dense):
            y = y @ step.weight.numpy().T + step.bias.numpy()
            y = np.tanh(y)
        else:
            y = y / max(np.linalg.norm(y), 1e-12)
    return y


def cmd_selfcheck(args):
    torch.set_grad_enabled(False)
    here = os.path.dirname(os.path.abspath(__file__))
    vocab = args.vocab_file or os.path.join(here, "..", "data", "bert-base-uncased-vocab.txt")
    rng = np.random.default_rng(7)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        folders = []

        def make(name, extra):
            out = os.path.join(tmp, name)
            main(["make-folder", "--out", out, "--max-seq-length", "40", "--seed", str(len(folders) + 1)] + extra)
            folders.append((name, out))
            return out

        base = make("bert-mean", ["--arch", "bert", "--vocab-file", vocab])
        make("bert-all-modes-dense-norm", ["--arch", "bert", "--vocab-file", vocab, "--normalize", "--dense", "24",
                                           "--pooling", "cls,max,mean,mean_sqrt_len_tokens,weightedmean,lasttoken"])
        make("bert-f16-prefix", ["--arch", "bert", "--vocab-file", vocab, "--dtype", "F16", "--prefix", "bert.",
                                 "--extra-heads", "--pooling", "max", "--normalize"])
        make("bert-legacy", ["--arch", "bert", "--vocab-file", vocab, "--legacy-layout", "--pooling", "cls,mean_sqrt_len"])
        # Python never tokenizes, so any file stands in for the sentencepiece model when --vocab-size is given.
        make("xlmr-bf16", ["--arch", "xlm-roberta", "--vocab-size", "300", "--spm-model", __file__, "--dtype", "BF16",
                           "--pooling", "lasttoken,mean", "--normalize", "--prefix", "roberta.", "--extra-heads"])
        make("distilbert-prefix", ["--arch", "distilbert", "--vocab-file", vocab, "--prefix", "distilbert.",
                                   "--extra-heads", "--pooling", "cls,mean", "--dense", "12"])
        make("roberta-wordpiece", ["--arch", "roberta", "--vocab-file", vocab, "--pooling", "max,mean", "--normalize"])
        make("roberta-spm", ["--arch", "roberta", "--vocab-size", "300", "--spm-model", __file__, "--prefix", "roberta.",
                             "--extra-heads"])
        for dtype in ("F16", "BF16"):
            out = os.path.join(tmp, "mutated-" + dtype)
            main(["mutate", "--in", base, "--out", out, "--dtype", dtype, "--prefix", "bert.", "--extra-heads"])
            folders.append(("mutated-" + dtype, out))

        # 1. batched + padded torch forward == naive unpadded numpy forward, for every folder
        for name, folder in folders:
            model = SentenceModel(folder)
            lengths = [1, 2, 3, 17, 40, 5, 40, 9, 2, 33]
            items = []
            for n in lengths:
                body = rng.integers(5, model.encoder.vocab_size, size=n).tolist()
                items.append({"input_ids": body})
            batched = model.embed(items, 4).numpy()
            naive = np.stack([_naive_embed(folder, np.array(item["input_ids"])) for item in items])
            diff = float(np.abs(batched - naive).max())
            ok = diff < 1e-10
            failures += not ok
            print(f"selfcheck: {name}: batched vs naive max abs diff {diff:.3g} {'ok' if ok else 'FAIL'}")

        # 2. F16/BF16 files hold exactly the rounded F32 values; prefixes and extra heads are read right
        f32, _ = read_safetensors(os.path.join(base, "model.safetensors"))
        for dtype, rounding in (("F16", lambda a: a.astype(np.float16).astype(np.float32)),
                                ("BF16", lambda a: bf16_bits_to_f32(f32_to_bf16_bits(a)))):
            mutated, meta = read_safetensors(os.path.join(tmp, "mutated-" + dtype, "model.safetensors"))
            key = "embeddings.word_embeddings.weight"
            stored_dtype, stored = mutated["bert." + key]
            expected = rounding(f32[key][1])
            ok = (stored_dtype == dtype and np.array_equal(np.asarray(stored, dtype=np.float32), expected)
                  and meta == {"format": "pt"} and "cls.predictions.bias" in mutated
                  and mutated["bert.embeddings.position_ids"][0] == "I64"
                  and not np.array_equal(expected, f32[key][1]))
            failures += not ok
            print(f"selfcheck: {dtype} round trip {'ok' if ok else 'FAIL'}")
            raw = open(os.path.join(tmp, "mutated-" + dtype, "model.safetensors"), "rb").read()
            (n,) = struct.unpack("<Q", raw[:8])
            ok = n % 8 == 0 and raw[8:9] == b"{" and raw[8:8 + n].decode().startswith('{"__metadata__"')
            failures += not ok
            print(f"selfcheck: {dtype} header layout {'ok' if ok else 'FAIL'}")

        # 3. reduced precision changes results a little, but not a lot (a sanity bound, not a tolerance)
        items = [{"input_ids": [101] + rng.integers(1000, 30000, size=12).tolist() + [102]} for _ in range(4)]
        e32 = SentenceModel(base).embed(items, 4).numpy()
        for dtype in ("F16", "BF16"):
            e = SentenceModel(os.path.join(tmp, "mutated-" + dtype)).embed(items, 4).numpy()
            diff = float(np.abs(e - e32).max())
            ok = 0.0 < diff < 0.5
            failures += not ok
            print(f"selfcheck: {dtype} vs F32 embeddings differ by {diff:.3g} {'ok' if ok else 'FAIL'}")

        # 4. hand-written pieces agree with torch's own ops and casts
        enc = SentenceModel(base).encoder
        x = torch.from_numpy(rng.normal(0.0, 3.0, size=(3, 5, enc.hidden)))
        checks = {
            "layer norm": (enc._layer_norm(x, "embeddings.LayerNorm"),
                           torch.nn.functional.layer_norm(x, (enc.hidden,), enc.w["embeddings.LayerNorm.weight"],
                                                          enc.w["embeddings.LayerNorm.bias"], enc.eps)),
            "gelu": (enc._act(x), torch.nn.functional.gelu(x)),
            "normalize": (normalize(x[0]), torch.nn.functional.normalize(x[0], p=2.0, dim=1)),
        }
        values = rng.normal(0.0, 10.0, size=1000).astype(np.float32)
        checks["bf16 cast"] = (torch.from_numpy(bf16_bits_to_f32(f32_to_bf16_bits(values))),
                               torch.from_numpy(values).to(torch.bfloat16).to(torch.float32))
        for what, (mine, theirs) in checks.items():
            diff = float((mine - theirs).abs().max())
            ok = diff < 1e-12
            failures += not ok
            print(f"selfcheck: {what} vs torch max abs diff {diff:.3g} {'ok' if ok else 'FAIL'}")

        # 5. the reader rejects a file whose offsets leave a hole
        broken = os.path.join(tmp, "broken.safetensors")
        write_safetensors(broken, {"a": ("F32", np.zeros(3, np.float32))})
        with open(broken, "ab") as f:
            f.write(b"\0\0\0\0")
        try:
            read_safetensors(broken)
            print("selfcheck: trailing bytes accepted FAIL")
            failures += 1
        except FormatError:
            print("selfcheck: trailing bytes rejected ok")
    print("selfcheck: " + ("all ok" if failures == 0 else f"{failures} FAILED"))
    return 1 if failures else 0


# ---------------------------------------------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("embed", help="embed token ids with a sentence-transformers folder")
    p.add_argument("--model", required=True)
    p.add_argument("--ids", required=True, help='JSONL, one {"input_ids": [...]} per line')
    p.add_argument("--output", required=True, help="float32 .npy, rows in input order")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--prompt-ids", help='JSONL with the {"input_ids": [...]} of the prompt alone: its '
                   "prompt_length is left out of pooling when the folder's Pooling has include_prompt false")
    p.add_argument("--compute", choices=["float64", "float32"], default="float64",
                   help="float64 (default) is the tight reference; float32 shows float32's own rounding error")
    p.set_defaults(func=cmd_embed)

    p = sub.add_parser("make-folder", help="write a sentence-transformers folder with random weights")
    p.add_argument("--out", required=True)
    p.add_argument("--arch", choices=["bert", "xlm-roberta", "roberta", "distilbert"], default="bert")
    p.add_argument("--vocab-size", type=int, default=0, help="default: from the vocab file / spm model")
    p.add_argument("--vocab-file")
    p.add_argument("--spm-model")
    p.add_argument("--pooling", default="mean", help="comma-separated: cls,max,mean,mean_sqrt_len_tokens,...")
    p.add_argument("--normalize", action="store_true")
    p.add_argument("--dense", type=int, default=0, help="add a Dense (Tanh) module with this many outputs")
    p.add_argument("--dtype", choices=["F32", "F16", "BF16"], default="F32")
    p.add_argument("--prefix", default="", help="key prefix, e.g. bert. or roberta.")
    p.add_argument("--extra-heads", action="store_true", help="add tensors a loader must ignore")
    p.add_argument("--no-pooler", action="store_true", help="leave out pooler.dense")
    p.add_argument("--sinusoidal", action="store_true", help="DistilBERT sinusoidal_pos_embds true")
    p.add_argument("--no-position-table", action="store_true",
                   help="with --sinusoidal: leave the fixed position table out of the weights")
    p.add_argument("--prompts", default="{}", help='config_sentence_transformers.json prompts, e.g. {"query": "query: "}')
    p.add_argument("--default-prompt-name")
    p.add_argument("--exclude-prompt", action="store_true", help="Pooling include_prompt false")
    p.add_argument("--legacy-layout", action="store_true",
                   help="Transformer in 0_Transformer/, Pooling config with the old five keys")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--intermediate", type=int, default=128)
    p.add_argument("--max-positions", type=int, default=512, help="usable positions (XLM-R config gets +2)")
    p.add_argument("--max-seq-length", type=int, default=128)
    p.add_argument("--hidden-act", default="gelu")
    p.add_argument("--layer-norm-eps", type=float)
    p.set_defaults(func=cmd_make_folder)

    p = sub.add_parser("make-modernbert-folder", help="write a ModernBERT sentence-transformers folder with random weights")
    p.add_argument("--out", required=True)
    p.add_argument("--vocab-file", required=True, help="a BERT vocab.txt (the fixture's tokenizer is WordPiece)")
    p.add_argument("--words", type=int, default=1000, help="keep only this many whole-word tokens (0: all)")
    p.add_argument("--pooling", default="mean", help="comma-separated: cls,max,mean,...")
    p.add_argument("--normalize", action="store_true")
    p.add_argument("--dtype", choices=["F32", "F16", "BF16"], default="F32")
    p.add_argument("--prefix", default="", help="key prefix, e.g. model. (ModernBertForMaskedLM)")
    p.add_argument("--biases", action="store_true", help="attention_bias, mlp_bias and norm_bias true")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--layers", type=int, default=3)
    p.add_argument("--hidden", type=int, default=32)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--intermediate", type=int, default=48)
    p.add_argument("--global-every", type=int, default=3, help="global_attn_every_n_layers")
    p.add_argument("--local-attention", type=int, default=8, help="sliding window: +- local_attention // 2")
    p.add_argument("--global-rope-theta", type=float, default=160000.0)
    p.add_argument("--local-rope-theta", type=float, default=10000.0)
    p.add_argument("--max-positions", type=int, default=8192)
    p.add_argument("--max-seq-length", type=int, default=8192)
    p.add_argument("--hidden-act", default="gelu")
    p.set_defaults(func=cmd_make_modernbert_folder)

    p = sub.add_parser("make-mpnet-folder", help="write an MPNet sentence-transformers folder with random weights")
    p.add_argument("--out", required=True)
    p.add_argument("--vocab-file", required=True, help="a BERT vocab.txt; MPNet's specials are added around it")
    p.add_argument("--words", type=int, default=0, help="keep only this many whole-word tokens (0: all)")
    p.add_argument("--pooling", default="mean", help="comma-separated: cls,max,mean,...")
    p.add_argument("--normalize", action="store_true")
    p.add_argument("--dtype", choices=["F32", "F16", "BF16"], default="F32")
    p.add_argument("--prefix", default="", help="key prefix, e.g. mpnet. (MPNetForMaskedLM)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--hidden", type=int, default=32)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--intermediate", type=int, default=64)
    p.add_argument("--buckets", type=int, default=32, help="relative_attention_num_buckets")
    p.add_argument("--max-positions", type=int, default=512, help="usable positions (the config gets +2)")
    p.add_argument("--max-seq-length", type=int, default=384)
    p.add_argument("--hidden-act", default="gelu")
    p.set_defaults(func=cmd_make_mpnet_folder)

    p = sub.add_parser("mutate", help="copy a folder, rewriting its model.safetensors")
    p.add_argument("--in", dest="input", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--dtype", choices=["F32", "F16", "BF16"])
    p.add_argument("--prefix", default="")
    p.add_argument("--extra-heads", action="store_true")
    p.set_defaults(func=cmd_mutate)

    p = sub.add_parser("selfcheck", help="check the reference against a naive second implementation")
    p.add_argument("--vocab-file")
    p.set_defaults(func=cmd_selfcheck)

    args = parser.parse_args(argv)
    try:
        return args.func(args) or 0
    except FormatError as e:
        print(f"reference: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
