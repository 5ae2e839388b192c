#pragma once

// Engine-private (includes torch). The post-norm encoder of transformers' BertModel, XLMRobertaModel,
// RobertaModel and DistilBertModel (docs/formats.md §3.1, §3.2): the same layer (self-attention, residual,
// LayerNorm, feed-forward, residual, LayerNorm) under each family's weight names (BertLayout).
// named_parameters() yields "embeddings.word_embeddings.weight",
// "encoder.layer.0.attention.self.query.weight", ..., "pooler.dense.bias" for BERT and
// "transformer.layer.0.attention.q_lin.weight", ... for DistilBERT.

#include "model/attentionplanimpl.h"
#include "model/encoderimpl.h"

#include <optional>
#include <vector>

namespace pairtune {

// Where a family of this shape keeps its weights (module paths below the model, as transformers names
// them) and the one place its computation differs.
struct BertLayout
{
    std::string layers; // "encoder.layer": layer i is "<layers>.<i>."
    std::string query, key, value, attentionOutput, attentionNorm, intermediate, output, outputNorm;
    bool tokenTypes = true; // embeddings.token_type_embeddings
    bool pooler = true; // pooler.dense (never used for sentence embeddings)
    // BertSelfOutput applies dropout to the attention output before the residual; DistilBERT's out_lin
    // has none.
    bool attentionOutputDropout = true;

    static BertLayout bert(); // BertModel, XLMRobertaModel, RobertaModel
    static BertLayout distilBert(); // DistilBertModel
};

class BertEncoder final : public Encoder
{
public:
    // Parameters are allocated (float32, CPU) but not initialised: load weights or call initialise().
    BertEncoder(const TransformerConfig &config, BertLayout layout);

    torch::Tensor forward(
        const torch::Tensor &ids, const torch::Tensor &mask, const torch::Tensor &typeIds) override;

    // transformers' _init_weights: Linear and Embedding weights ~ normal(0, initializer_range), the
    // padding_idx rows zero, biases 0, LayerNorm weight 1 and bias 0.
    void initialise(at::Generator &generator) override;
    // The pooler may be missing from a checkpoint (transformers initialises it fresh).
    bool isOptional(const std::string &parameterName) const override;
    void initialiseOptional(at::Generator &generator) override;

    // Fused attention over each text's own rows (fusedattentionimpl.h) is the CPU default; off puts
    // every text in one padded grid, the reference the checks compare against (encoderprobe.h).
    void setFusedAttention(bool fused) override { m_fusedAttention = fused; }

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
        Linear query, key, value, attentionOutput;
        LayerNorm attentionNorm;
        Linear intermediate, output;
        LayerNorm outputNorm;
    };

    // The tokens a forward pass works on: all B x L positions, or only the real ones (realIndex =
    // their positions in the flattened [B * L] grid). Attention regroups them (AttentionPlan).
    struct Tokens
    {
        int64_t batch = 0;
        int64_t length = 0;
        torch::Tensor realIndex; // undefined: no padding in this batch
    };

    Linear addLinear(const std::string &path, int in, int out);
    LayerNorm addLayerNorm(const std::string &path, int size);
    torch::Tensor linear(const torch::Tensor &x, const Linear &l) const;
    torch::Tensor layerNorm(const torch::Tensor &x, const LayerNorm &n) const;
    torch::Tensor activation(const torch::Tensor &x) const;
    // How attention sees the texts of one forward pass: on the CPU (fused attention on) the fused
    // kernel over each text's own rows (offsets); otherwise one padded grid (plan).
    struct AttentionLayout
    {
        std::vector<int64_t> offsets; // fused: text b's real tokens are rows offsets[b] .. offsets[b + 1]
        std::optional<AttentionPlan> plan; // not fused
    };

    // x: [T, hidden] rows of the real tokens' hidden states.
    torch::Tensor layerForward(const Layer &layer, const torch::Tensor &x, const AttentionLayout &layout);
    // The padded path: every text in the plan's one padded grid, [T, 3 * hidden] -> [T, hidden].
    torch::Tensor paddedAttention(const torch::Tensor &qkvRows, const AttentionPlan &plan) const;
    // Scaled dot-product attention of the grid, [texts, heads, length, d] each; dropout on the
    // probabilities follows is_training().
    torch::Tensor attend(const torch::Tensor &q, const torch::Tensor &k, const torch::Tensor &v,
        const torch::Tensor &scoreMask) const;
    // [T, C] -> [B * L, C] with zeros on padding.
    torch::Tensor toPadded(const torch::Tensor &x, const Tokens &tokens) const;
    void initLinear(Linear &l, at::Generator &generator);
    // DistilBERT's sinusoidal_pos_embds table (create_sinusoidal_embeddings) into m_positionEmbeddings.
    void fillSinusoidalPositions();

    BertLayout m_layout;
    bool m_fusedAttention = true;
    torch::Tensor m_wordEmbeddings, m_positionEmbeddings, m_tokenTypeEmbeddings;
    LayerNorm m_embeddingNorm;
    std::vector<Layer> m_layers;
    Linear m_pooler;
};

} // namespace pairtune
