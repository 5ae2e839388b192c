#include "model/attentionplanimpl.h"
#include "model/bertencoderimpl.h"
#include "model/dropoutimpl.h"
#include "model/fusedattentionimpl.h"
#include "model/int8linearimpl.h"
#include "model/moduletreeimpl.h"

#include <ATen/ATen.h>
#include <torch/version.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

namespace pairtune {

BertLayout BertLayout::bert()
{
    BertLayout l;
    l.layers = "encoder.layer";
    l.query = "attention.self.query";
    l.key = "attention.self.key";
    l.value = "attention.self.value";
    l.attentionOutput = "attention.output.dense";
    l.attentionNorm = "attention.output.LayerNorm";
    l.intermediate = "intermediate.dense";
    l.output = "output.dense";
    l.outputNorm = "output.LayerNorm";
    return l;
}

BertLayout BertLayout::distilBert()
{
    BertLayout l;
    l.layers = "transformer.layer";
    l.query = "attention.q_lin";
    l.key = "attention.k_lin";
    l.value = "attention.v_lin";
    l.attentionOutput = "attention.out_lin";
    l.attentionNorm = "sa_layer_norm";
    l.intermediate = "ffn.lin1";
    l.output = "ffn.lin2";
    l.outputNorm = "output_layer_norm";
    l.tokenTypes = false;
    l.pooler = false;
    l.attentionOutputDropout = false;
    return l;
}

BertEncoder::Linear BertEncoder::addLinear(const std::string &path, int in, int out)
{
    torch::nn::Module &module = moduleAt(*this, path);
    Linear l;
    l.weight = addParameter(module, "weight", { out, in });
    l.bias = addParameter(module, "bias", { out });
    return l;
}

BertEncoder::LayerNorm BertEncoder::addLayerNorm(const std::string &path, int size)
{
    torch::nn::Module &module = moduleAt(*this, path);
    LayerNorm n;
    n.weight = addParameter(module, "weight", { size });
    n.bias = addParameter(module, "bias", { size });
    return n;
}

BertEncoder::BertEncoder(const TransformerConfig &config, BertLayout layout)
    : Encoder(config)
    , m_layout(std::move(layout))
{
    const int h = config.hiddenSize;
    const int inner = config.intermediateSize;
    m_wordEmbeddings
        = addParameter(moduleAt(*this, "embeddings.word_embeddings"), "weight", { config.vocabSize, h });
    m_positionEmbeddings = addParameter(
        moduleAt(*this, "embeddings.position_embeddings"), "weight", { config.maxPositionEmbeddings, h });
    // DistilBERT's sinusoidal table is a parameter with requires_grad False: in the state dict (loaded and
    // saved under its name), never given a gradient, so AdamW never moves it (not even weight decay).
    if (config.sinusoidalPositions)
        m_positionEmbeddings.set_requires_grad(false);
    if (m_layout.tokenTypes)
        m_tokenTypeEmbeddings = addParameter(
            moduleAt(*this, "embeddings.token_type_embeddings"), "weight", { config.typeVocabSize, h });
    m_embeddingNorm = addLayerNorm("embeddings.LayerNorm", h);

    for (int i = 0; i < config.numHiddenLayers; ++i) {
        const std::string p = m_layout.layers + "." + std::to_string(i) + ".";
        Layer l;
        l.query = addLinear(p + m_layout.query, h, h);
        l.key = addLinear(p + m_layout.key, h, h);
        l.value = addLinear(p + m_layout.value, h, h);
        l.attentionOutput = addLinear(p + m_layout.attentionOutput, h, h);
        l.attentionNorm = addLayerNorm(p + m_layout.attentionNorm, h);
        l.intermediate = addLinear(p + m_layout.intermediate, h, inner);
        l.output = addLinear(p + m_layout.output, inner, h);
        l.outputNorm = addLayerNorm(p + m_layout.outputNorm, h);
        m_layers.push_back(l);
    }
    if (m_layout.pooler)
        m_pooler = addLinear("pooler.dense", h, h);
}

torch::Tensor BertEncoder::linear(const torch::Tensor &x, const Linear &l) const
{
    // at::linear, or int8 inside embed --int8's Int8Scope (int8linearimpl.h)
    return inferenceLinear(x, l.weight, [&] { return LinearWeights { l.weight, l.bias }; });
}

torch::Tensor BertEncoder::layerNorm(const torch::Tensor &x, const LayerNorm &n) const
{
    return at::layer_norm(x, { x.size(-1) }, n.weight, n.bias, m_config.layerNormEps);
}

torch::Tensor BertEncoder::activation(const torch::Tensor &x) const
{
    if (m_config.hiddenAct == "relu")
        return at::relu(x);
    if (m_config.hiddenAct == "gelu_new") // transformers' NewGELUActivation, written out the same way
        return 0.5 * x
            * (1.0 + at::tanh(std::sqrt(2.0 / std::numbers::pi) * (x + 0.044715 * at::pow(x, 3.0))));
    return at::gelu(x); // exact erf GELU
}

torch::Tensor BertEncoder::forward(
    const torch::Tensor &ids, const torch::Tensor &mask, const torch::Tensor &typeIds)
{
    const int64_t batch = ids.size(0);
    const int64_t length = ids.size(1);
    const int64_t hidden = m_config.hiddenSize;
    const int64_t pad = m_config.padTokenId;
    const bool training = is_training();

    torch::Tensor positions;
    if (m_config.positionsFromPadding()) {
        // create_position_ids_from_input_ids: real tokens count from pad+1, pads sit at pad.
        const torch::Tensor real = ids.ne(pad).to(at::kLong);
        positions = at::cumsum(real, 1).mul(real).add(pad);
    } else {
        positions = at::arange(length, ids.options().dtype(at::kLong)).unsqueeze(0).expand({ batch, length });
    }
    // XLM-R / RoBERTa take no token types: the zero buffer still adds row 0 of the type table.
    // DistilBERT has no table.
    const torch::Tensor types = !m_layout.tokenTypes ? torch::Tensor()
        : typeIds.defined()                          ? typeIds
                                                     : at::zeros_like(ids);

    // Unpadding: every layer except attention works on each token on its own, so those layers only see
    // the real tokens, [T, hidden] with T = the mask's sum, and attention scatters them back into the
    // padded [B, L] grid. Padding never changes a real token's result (masked keys get a softmax weight
    // of exactly 0), so this is the padded model's math, without the work for padding (docs/performance.md).
    Tokens tokens { batch, length, torch::Tensor() };
    torch::Tensor flatIds = ids.reshape({ -1 });
    torch::Tensor flatTypes = types.defined() ? types.reshape({ -1 }) : types;
    torch::Tensor flatPositions = positions.reshape({ -1 });
    const torch::Tensor flatMask = mask.reshape({ -1 });
    if (flatMask.ne(0).sum().item<int64_t>() < batch * length) {
        tokens.realIndex = flatMask.nonzero().squeeze(1);
        flatIds = flatIds.index_select(0, tokens.realIndex);
        if (flatTypes.defined())
            flatTypes = flatTypes.index_select(0, tokens.realIndex);
        flatPositions = flatPositions.index_select(0, tokens.realIndex);
    }

    torch::Tensor x = at::embedding(m_wordEmbeddings, flatIds, pad);
    if (flatTypes.defined())
        x = x + at::embedding(m_tokenTypeEmbeddings, flatTypes);
    x = x + at::embedding(m_positionEmbeddings, flatPositions, m_config.positionsFromPadding() ? pad : -1);
    x = layerNorm(x, m_embeddingNorm);
    x = trainingDropout(x, m_config.hiddenDropoutProb, training);

    // Attention's score mask follows get_extended_attention_mask: 0 where attended, finfo(float32).min
    // where masked (not -inf).
    // On the CPU, attention runs fused over each text's own rows (fusedattentionimpl.h): no padding,
    // no per-matrix BLAS calls. A GPU runs one padded grid in a single fused kernel (SDPA). Turning
    // fused attention off gives the padded reference that the checks compare against.
    AttentionLayout layout;
    if (m_fusedAttention && x.device().is_cpu())
        layout.offsets = textOffsets(mask);
    else
        layout.plan.emplace(mask, x.device(), x.scalar_type());
    for (const Layer &layer : m_layers)
        x = layerForward(layer, x, layout);
    // Padding positions come back as zeros: pooling masks them out.
    return toPadded(x, tokens).view({ batch, length, hidden });
}

torch::Tensor BertEncoder::attend(const torch::Tensor &q, const torch::Tensor &k, const torch::Tensor &v,
    const torch::Tensor &scoreMask) const
{
    const bool training = is_training();
#if TORCH_VERSION_MAJOR >= 2
    // The fused kernel transformers' default SDPA path uses; same math to rounding (scale 1/sqrt(d)).
    return at::scaled_dot_product_attention(
        q, k, v, scoreMask, training ? m_config.attentionProbsDropoutProb : 0.0, false);
#else
    torch::Tensor scores = at::matmul(q, k.transpose(-1, -2)) / std::sqrt(double(q.size(-1)));
    scores = scores + scoreMask;
    torch::Tensor probs = at::softmax(scores, -1);
    probs = trainingDropout(probs, m_config.attentionProbsDropoutProb, training);
    return at::matmul(probs, v);
#endif
}

torch::Tensor BertEncoder::toPadded(const torch::Tensor &x, const Tokens &tokens) const
{
    if (!tokens.realIndex.defined())
        return x;
    return at::zeros({ tokens.batch * tokens.length, x.size(1) }, x.options())
        .index_copy(0, tokens.realIndex, x);
}

torch::Tensor BertEncoder::layerForward(
    const Layer &layer, const torch::Tensor &x, const AttentionLayout &layout)
{
    const bool training = is_training();
    // Query, key and value in one matmul ([T, 3 * hidden]: fewer, larger GEMMs).
    const torch::Tensor qkvRows = inferenceLinear(x, layer.query.weight, [&] {
        return LinearWeights { at::cat({ layer.query.weight, layer.key.weight, layer.value.weight }),
            at::cat({ layer.query.bias, layer.key.bias, layer.value.bias }) };
    });
    const torch::Tensor context = layout.plan
        ? paddedAttention(qkvRows, *layout.plan)
        : fusedAttention(qkvRows, layout.offsets, m_config.numAttentionHeads,
            training ? m_config.attentionProbsDropoutProb : 0.0);

    torch::Tensor attention = linear(context, layer.attentionOutput);
    if (m_layout.attentionOutputDropout)
        attention = trainingDropout(attention, m_config.hiddenDropoutProb, training);
    // Not fusedlayersimpl.h's residualLayerNorm/splitGelu: with them the run's own embeddings and a fresh
    // process's differed (docs/performance.md item 14).
    attention = layerNorm(attention + x, layer.attentionNorm);

    torch::Tensor h = activation(linear(attention, layer.intermediate));
    h = linear(h, layer.output);
    h = trainingDropout(h, m_config.hiddenDropoutProb, training);
    return layerNorm(h + attention, layer.outputNorm);
}

torch::Tensor BertEncoder::paddedAttention(const torch::Tensor &qkvRows, const AttentionPlan &plan) const
{
    const int64_t hidden = m_config.hiddenSize;
    const int64_t heads = m_config.numAttentionHeads;
    const AttentionPlan::Grid &grid = plan.grid();
    if (grid.length == 0) // no text has tokens
        return at::zeros({ 0, hidden }, qkvRows.options());
    // The rows gathered into one padded grid, [texts, length, 3, heads, d] -> 3 x [texts, heads, length, d]
    // with heads as a batch dimension.
    torch::Tensor rows = qkvRows;
    if (!plan.unpadded()) // row T: the zeros that padding slots gather
        rows = at::cat({ rows, at::zeros({ 1, rows.size(1) }, rows.options()) })
                   .index_select(0, plan.gather());
    const torch::Tensor qkv
        = rows.view({ grid.texts, grid.length, 3, heads, hidden / heads }).permute({ 2, 0, 3, 1, 4 });
    torch::Tensor context = attend(qkv[0], qkv[1], qkv[2], grid.scoreMask)
                                .transpose(1, 2)
                                .reshape({ grid.texts * grid.length, hidden });
    if (!plan.unpadded())
        context = context.index_select(0, plan.scatter());
    return context;
}

void BertEncoder::initLinear(Linear &l, at::Generator &generator)
{
    l.weight.normal_(0.0, m_config.initializerRange, generator);
    l.bias.zero_();
}

void BertEncoder::initialise(at::Generator &generator)
{
    at::NoGradGuard noGrad;
    const double std = m_config.initializerRange;
    const int64_t pad = m_config.padTokenId;
    auto initNorm = [](LayerNorm &n) {
        n.weight.fill_(1.0);
        n.bias.zero_();
    };
    m_wordEmbeddings.normal_(0.0, std, generator);
    m_wordEmbeddings[pad].zero_();
    if (m_config.sinusoidalPositions) {
        fillSinusoidalPositions();
    } else {
        m_positionEmbeddings.normal_(0.0, std, generator);
        if (m_config.positionsFromPadding()) // XLM-R's position table has padding_idx = pad_token_id
            m_positionEmbeddings[pad].zero_();
    }
    if (m_layout.tokenTypes)
        m_tokenTypeEmbeddings.normal_(0.0, std, generator);
    initNorm(m_embeddingNorm);
    for (Layer &layer : m_layers) {
        initLinear(layer.query, generator);
        initLinear(layer.key, generator);
        initLinear(layer.value, generator);
        initLinear(layer.attentionOutput, generator);
        initNorm(layer.attentionNorm);
        initLinear(layer.intermediate, generator);
        initLinear(layer.output, generator);
        initNorm(layer.outputNorm);
    }
    if (m_layout.pooler)
        initLinear(m_pooler, generator);
}

// transformers' create_sinusoidal_embeddings: entry (pos, j) is pos / 10000^(2 * (j // 2) / dim) in float64,
// sin for even j and cos for odd j, stored as float32.
void BertEncoder::fillSinusoidalPositions()
{
    at::NoGradGuard noGrad;
    const int64_t positions = m_positionEmbeddings.size(0);
    const int64_t dim = m_positionEmbeddings.size(1);
    std::vector<float> table(std::size_t(positions * dim));
    for (int64_t pos = 0; pos < positions; ++pos)
        for (int64_t j = 0; j < dim; ++j) {
            const double angle = double(pos) / std::pow(10000.0, double(2 * (j / 2)) / double(dim));
            table[std::size_t(pos * dim + j)] = float(j % 2 == 0 ? std::sin(angle) : std::cos(angle));
        }
    m_positionEmbeddings.copy_(at::from_blob(table.data(), { positions, dim }, at::kFloat));
}

bool BertEncoder::isOptional(const std::string &parameterName) const
{
    // A missing sinusoidal table is recomputed, as transformers' _init_weights does for a missing weight.
    if (m_config.sinusoidalPositions && parameterName == "embeddings.position_embeddings.weight")
        return true;
    return m_layout.pooler && parameterName.rfind("pooler.", 0) == 0;
}

void BertEncoder::initialiseOptional(at::Generator &generator)
{
    at::NoGradGuard noGrad;
    if (m_layout.pooler)
        initLinear(m_pooler, generator);
    if (m_config.sinusoidalPositions)
        fillSinusoidalPositions();
}

} // namespace pairtune
