#pragma once

// Engine-private (includes torch). The encoder of transformers' MPNetModel (all-mpnet-base-v2,
// multi-qa-mpnet-*), as modeling_mpnet.py computes it: word + position embeddings (no token types),
// positions counted from padding_idx + 1 over the non-pad ids, post-norm layers like BERT's under
// MPNet's names, and a relative position bias added to every layer's attention scores, looked up once
// per forward in one bucketed table shared by all layers. named_parameters() yields
// "embeddings.word_embeddings.weight", "encoder.layer.0.attention.attn.q.weight", ...,
// "encoder.layer.0.attention.LayerNorm.weight", "encoder.relative_attention_bias.weight",
// "pooler.dense.weight".

#include "model/encoderimpl.h"

#include <vector>

namespace pairtune {

class AttentionPlan;

class MPNetEncoder final : public Encoder
{
public:
    // MPNetEmbeddings fixes padding_idx at 1 (it ignores config.pad_token_id): the rows of both
    // embedding tables that get no gradient, and the id whose positions do not count.
    static constexpr int64_t kPaddingIdx = 1;
    // MPNetEncoder.compute_position_bias is always called with its default num_buckets=32 (whatever
    // relative_attention_num_buckets says: that only sizes the table) and max_distance 128.
    static constexpr int64_t kBuckets = 32;
    static constexpr int64_t kMaxDistance = 128;

    // Parameters are allocated (float32, CPU) but not initialised: load weights or call initialise().
    explicit MPNetEncoder(const TransformerConfig &config);

    // typeIds is ignored: MPNet has no token types.
    torch::Tensor forward(
        const torch::Tensor &ids, const torch::Tensor &mask, const torch::Tensor &typeIds) override;

    // MPNetPreTrainedModel._init_weights: Linear and Embedding weights ~ normal(0, initializer_range),
    // the padding_idx rows zero, biases 0, LayerNorm weight 1 and bias 0.
    void initialise(at::Generator &generator) override;
    // The pooler may be missing from a checkpoint (transformers initialises it fresh).
    bool isOptional(const std::string &parameterName) const override;
    void initialiseOptional(at::Generator &generator) override;

    // relative_position_bucket for key index - query index, [length, length] int64 (CPU).
    static torch::Tensor relativeBuckets(int64_t length);

private:
    struct Linear
    {
        torch::Tensor weight; // [out, in]
        torch::Tensor bias;
    };
    struct LayerNorm
    {
        torch::Tensor weight;
        torch::Tensor bias;
    };
    struct Layer
    {
        Linear q, k, v, o;
        LayerNorm attentionNorm;
        Linear intermediate, output;
        LayerNorm outputNorm;
    };

    Linear addLinear(const std::string &path, int in, int out);
    LayerNorm addLayerNorm(const std::string &path, int size);
    torch::Tensor layerNorm(const torch::Tensor &x, const LayerNorm &n) const;
    torch::Tensor activation(const torch::Tensor &x) const;
    // x: [T, hidden] rows of the real tokens; scoreBias: [texts, heads, L, L], the padding mask plus
    // the relative position bias of the plan's grid.
    torch::Tensor layerForward(const Layer &layer, const torch::Tensor &x, const AttentionPlan &plan,
        const torch::Tensor &scoreBias);
    void initLinear(Linear &l, at::Generator &generator);

    torch::Tensor m_wordEmbeddings, m_positionEmbeddings;
    LayerNorm m_embeddingNorm;
    std::vector<Layer> m_layers;
    torch::Tensor m_relativeAttentionBias; // [relative_attention_num_buckets, heads]
    Linear m_pooler;
};

} // namespace pairtune
