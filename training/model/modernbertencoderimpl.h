#pragma once

// Engine-private (includes torch). The encoder of transformers' ModernBertModel (gte-modernbert-base,
// modernbert-embed-base), as modeling_modernbert.py computes it on its eager/sdpa path: token
// embeddings + LayerNorm (no position table, no token types), pre-norm layers (layer 0 has no
// attn_norm) with one fused Wqkv projection, rotary position embeddings (one base for global layers,
// another for local ones), global attention in every global_attn_every_n_layers-th layer and a
// sliding window of local_attention / 2 keys either side in the others, a GeGLU MLP
// (Wo(act(input) * gate) with input | gate = Wi(x)) and a final LayerNorm. Biases only where the config's
// attention_bias / mlp_bias / norm_bias say so. named_parameters() yields
// "embeddings.tok_embeddings.weight", "embeddings.norm.weight", "layers.0.attn.Wqkv.weight",
// "layers.1.attn_norm.weight", "layers.0.mlp.Wi.weight", ..., "final_norm.weight".

#include "model/encoderimpl.h"

#include <vector>

namespace pairtune {

class AttentionPlan;

class ModernBertEncoder final : public Encoder
{
public:
    // Parameters are allocated (float32, CPU) but not initialised: load weights or call initialise().
    explicit ModernBertEncoder(const TransformerConfig &config);

    // typeIds is ignored: ModernBERT has no token types.
    torch::Tensor forward(
        const torch::Tensor &ids, const torch::Tensor &mask, const torch::Tensor &typeIds) override;

    // ModernBertPreTrainedModel._init_weights: truncated normal (at +-initializer_cutoff_factor std)
    // with std initializer_range for the token embeddings, Wqkv and Wi, and initializer_range /
    // sqrt(2 * layers) for both Wo; biases 0, LayerNorm weight 1 and bias 0.
    void initialise(at::Generator &generator) override;

    // Global layers may run in the fused CPU kernel (each text's own rows); local layers always use the
    // padded grid, because the fused kernel has no sliding window.
    void setFusedAttention(bool fused) override { m_fused = fused; }

    // cos and sin [positions.size(0), head_dim] of ModernBertRotaryEmbedding with base theta, in
    // float32 as transformers computes them (inverse frequencies and angles in float32).
    static std::pair<torch::Tensor, torch::Tensor> rotary(
        const torch::Tensor &positions, int64_t headDim, double theta);

private:
    struct Linear
    {
        torch::Tensor weight; // [out, in]
        torch::Tensor bias; // undefined without bias
    };
    struct LayerNorm
    {
        torch::Tensor weight;
        torch::Tensor bias; // undefined when norm_bias is false
    };
    struct Layer
    {
        LayerNorm attnNorm; // undefined in layer 0 (nn.Identity there)
        Linear wqkv, wo;
        LayerNorm mlpNorm;
        Linear wi, mlpWo;
        bool global = true;
    };
    struct Rotary
    {
        torch::Tensor cos, sin; // [T, 1, head_dim], one row per real token
    };

    Linear addLinear(const std::string &path, int in, int out, bool bias);
    LayerNorm addLayerNorm(const std::string &path, int size);
    torch::Tensor layerNorm(const torch::Tensor &x, const LayerNorm &n) const;
    torch::Tensor activation(const torch::Tensor &x) const;
    // x: [T, hidden] rows of the real tokens.
    torch::Tensor attention(const Layer &layer, const torch::Tensor &x, const Rotary &rotary,
        const AttentionPlan &plan, const std::vector<int64_t> &offsets, const torch::Tensor &globalMask,
        const torch::Tensor &localMask);

    torch::Tensor m_tokEmbeddings;
    LayerNorm m_embeddingNorm;
    std::vector<Layer> m_layers;
    LayerNorm m_finalNorm;
    bool m_fused = true;
};

} // namespace pairtune
