#pragma once

// Engine-private (includes torch). The BERT / XLM-RoBERTa encoder as transformers' BertModel and
// XLMRobertaModel compute it (format-spec §3.1, §3.2). Parameters are registered under the exact
// Hugging Face names, so named_parameters() yields "embeddings.word_embeddings.weight",
// "encoder.layer.0.attention.self.query.weight", ..., "pooler.dense.bias".

#include "model/attentionplanimpl.h"
#include "model/modelconfig.h"

#include <ATen/core/Generator.h>
#include <torch/nn/module.h>

#include <optional>
#include <vector>

namespace pairtune {

class TransformerModel : public torch::nn::Module
{
public:
    // Parameters are allocated (float32, CPU) but not initialised: load weights or call initialise().
    explicit TransformerModel(const TransformerConfig &config);

    // last_hidden_state [B, L, hidden] from ids / attention mask / token type ids (int64 [B, L];
    // typeIds may be undefined = all zeros), zeros at padding positions. Dropout follows is_training().
    torch::Tensor forward(const torch::Tensor &ids, const torch::Tensor &mask, const torch::Tensor &typeIds);

    // transformers' _init_weights: Linear and Embedding weights ~ normal(0, initializer_range), the
    // padding_idx rows zero, biases 0, LayerNorm weight 1 and bias 0. initialisePooler() does the
    // pooler only (for checkpoints that lack it).
    void initialise(at::Generator &generator);
    void initialisePooler(at::Generator &generator);

    const TransformerConfig &config() const { return m_config; }
    // Fused attention over each text's own rows (fusedattentionimpl.h) is the CPU default; off puts
    // every text in one padded grid, the reference the checks compare against (encoderprobe.h).
    void setFusedAttention(bool fused) { m_fusedAttention = fused; }
    torch::Device device() const { return m_wordEmbeddings.device(); }

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

    static Linear addLinear(torch::nn::Module &parent, const std::string &name, int in, int out);
    static LayerNorm addLayerNorm(torch::nn::Module &parent, int size);
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

    TransformerConfig m_config;
    bool m_fusedAttention = true;
    torch::Tensor m_wordEmbeddings, m_positionEmbeddings, m_tokenTypeEmbeddings;
    LayerNorm m_embeddingNorm;
    std::vector<Layer> m_layers;
    Linear m_pooler;
};

} // namespace pairtune
