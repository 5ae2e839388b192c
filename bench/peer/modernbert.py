"""The benchmark peer's ModernBERT: transformers' eager ModernBertModel (4.48+, the attention path a CPU without
scaled_dot_product_attention takes: torch 1.13 has none) in plain PyTorch, for bench/peer/peer.py.

Per layer, as modeling_modernbert.py does it: attn_norm (the identity in layer 0), one Wqkv projection, rotary
embeddings recomputed in each layer (ModernBertRotaryEmbedding's cos/sin of positions x inverse frequencies;
global_rope_theta in layers i % global_attn_every_n_layers == 0, local_rope_theta elsewhere), scores scaled by
head_dim^-0.5 plus the padding mask, in local layers also the sliding-window mask (|i - j| > local_attention // 2),
softmax, Wo, residual; mlp_norm, Wi split into input and gate, Wo(act(input) * gate), residual; final_norm.
LayerNorms without bias, Linear layers without bias (attention_bias, mlp_bias, norm_bias false, as
ModernBERT-base and gte-modernbert-base ship). Written from the modelling code, not from Pairtune's."""
import math

import torch
from torch import nn


class Norm(nn.Module):
    """nn.LayerNorm(bias=False), which torch 1.13 lacks."""

    def __init__(self, h, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(h))
        self.eps = eps

    def forward(self, x):
        return nn.functional.layer_norm(x, self.weight.shape, self.weight, None, self.eps)


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Layer(nn.Module):
    def __init__(self, c, index):
        super().__init__()
        h, i = c["hidden_size"], c["intermediate_size"]
        self.heads = c["num_attention_heads"]
        self.is_global = index % c.get("global_attn_every_n_layers", 3) == 0
        self.theta = c.get("global_rope_theta", 160000.0) if self.is_global else c.get("local_rope_theta", 10000.0)
        self.attn_norm = Norm(h, c["norm_eps"]) if index else nn.Identity()
        self.Wqkv = nn.Linear(h, 3 * h, bias=False)
        self.attn_Wo = nn.Linear(h, h, bias=False)
        self.mlp_norm = Norm(h, c["norm_eps"])
        self.Wi = nn.Linear(h, 2 * i, bias=False)
        self.mlp_Wo = nn.Linear(i, h, bias=False)

    def rotary(self, length, d, dtype):
        inv_freq = 1.0 / (self.theta ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))
        freqs = torch.arange(length).float()[:, None] * inv_freq[None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos().to(dtype), emb.sin().to(dtype)

    def forward(self, x, global_mask, sliding_mask):
        b, length, h = x.shape
        d = h // self.heads
        qkv = self.Wqkv(self.attn_norm(x)).view(b, length, 3, self.heads, d)
        q, k, v = qkv.transpose(3, 1).unbind(dim=2)  # [B, heads, L, d]
        cos, sin = self.rotary(length, d, x.dtype)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        scores = torch.matmul(q, k.transpose(2, 3)) * d**-0.5
        scores = scores + (global_mask if self.is_global else sliding_mask)
        probs = nn.functional.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
        context = torch.matmul(probs, v).transpose(1, 2).contiguous().view(b, length, h)
        x = x + self.attn_Wo(context)
        inputs, gate = self.Wi(self.mlp_norm(x)).chunk(2, dim=-1)
        return x + self.mlp_Wo(nn.functional.gelu(inputs) * gate)


class ModernBert(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c["hidden_size"]
        self.pad_id = c.get("pad_token_id", 50283)
        self.local_attention = c.get("local_attention", 128)
        self.tok_embeddings = nn.Embedding(c["vocab_size"], h, padding_idx=self.pad_id)
        self.norm = Norm(h, c["norm_eps"])
        self.layers = nn.ModuleList(Layer(c, i) for i in range(c["num_hidden_layers"]))
        self.final_norm = Norm(h, c["norm_eps"])

    def load(self, w):
        with torch.no_grad():
            self.tok_embeddings.weight.copy_(w["embeddings.tok_embeddings.weight"])
            self.norm.weight.copy_(w["embeddings.norm.weight"])
            self.final_norm.weight.copy_(w["final_norm.weight"])
            names = {"Wqkv": "attn.Wqkv", "attn_Wo": "attn.Wo", "mlp_norm": "mlp_norm", "Wi": "mlp.Wi",
                     "mlp_Wo": "mlp.Wo"}
            for i, layer in enumerate(self.layers):
                if i:
                    layer.attn_norm.weight.copy_(w[f"layers.{i}.attn_norm.weight"])
                for ours, theirs in names.items():
                    getattr(layer, ours).weight.copy_(w[f"layers.{i}.{theirs}.weight"])

    def forward(self, ids, mask):
        x = self.norm(self.tok_embeddings(ids))
        length = ids.shape[1]
        lowest = torch.finfo(x.dtype).min
        global_mask = (1.0 - mask[:, None, None, :].to(x.dtype)) * lowest
        position = torch.arange(length)
        outside = (position[None, :] - position[:, None]).abs() > self.local_attention // 2
        sliding_mask = global_mask.masked_fill(outside, lowest)
        for layer in self.layers:
            x = layer(x, global_mask, sliding_mask)
        return self.final_norm(x)
