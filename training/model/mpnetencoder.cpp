// MPNetModel's computation, written from Hugging Face transformers' models/mpnet/modeling_mpnet.py
// (read at commit 00099b9f, late 2025; unchanged in substance since 4.x). The independent reference the
// tests compare against is tests/interop/reference.py's MPNetEncoder.

#include "model/attentionplanimpl.h"
#include "model/dropoutimpl.h"
#include "model/moduletreeimpl.h"
#include "model/mpnetencoderimpl.h"

#include <ATen/ATen.h>

#include <cmath>
#include <numbers>

namespace pairtune {

MPNetEncoder::Linear MPNetEncoder::addLinear(const std::string &path, int in, int out)
{
    torch::nn::Module &module = moduleAt(*this, path);
    return { addParameter(module, "weight", { out, in }), addParameter(module, "bias", { out }) };
}

MPNetEncoder::LayerNorm MPNetEncoder::addLayerNorm(const std::string &path, int size)
{
    torch::nn::Module &module = moduleAt(*this, path);
    return { addParameter(module, "weight", { size }), addParameter(module, "bias", { size }) };
}

MPNetEncoder::MPNetEncoder(const TransformerConfig &config)
    : Encoder(config)
{
    const int h = config.hiddenSize;
    const int inner = config.intermediateSize;
    m_wordEmbeddings
        = addParameter(moduleAt(*this, "embeddings.word_embeddings"), "weight", { config.vocabSize, h });
    m_positionEmbeddings = addParameter(
        moduleAt(*this, "embeddings.position_embeddings"), "weight", { config.maxPositionEmbeddings, h });
    m_embeddingNorm = addLayerNorm("embeddings.LayerNorm", h);
    for (int i = 0; i < config.numHiddenLayers; ++i) {
        const std::string p = "encoder.layer." + std::to_string(i) + ".";
        Layer l;
        l.q = addLinear(p + "attention.attn.q", h, h);
        l.k = addLinear(p + "attention.attn.k", h, h);
        l.v = addLinear(p + "attention.attn.v", h, h);
        l.o = addLinear(p + "attention.attn.o", h, h);
        l.attentionNorm = addLayerNorm(p + "attention.LayerNorm", h);
        l.intermediate = addLinear(p + "intermediate.dense", h, inner);
        l.output = addLinear(p + "output.dense", inner, h);
        l.outputNorm = addLayerNorm(p + "output.LayerNorm", h);
        m_layers.push_back(l);
    }
    m_relativeAttentionBias = addParameter(moduleAt(*this, "encoder.relative_attention_bias"), "weight",
        { config.relativeAttentionNumBuckets, config.numAttentionHeads });
    m_pooler = addLinear("pooler.dense", h, h);
}

torch::Tensor MPNetEncoder::layerNorm(const torch::Tensor &x, const LayerNorm &n) const
{
    return at::layer_norm(x, { x.size(-1) }, n.weight, n.bias, m_config.layerNormEps);
}

torch::Tensor MPNetEncoder::activation(const torch::Tensor &x) const
{
    if (m_config.hiddenAct == "relu")
        return at::relu(x);
    if (m_config.hiddenAct == "gelu_new") // transformers' NewGELUActivation, written out the same way
        return 0.5 * x
            * (1.0 + at::tanh(std::sqrt(2.0 / std::numbers::pi) * (x + 0.044715 * at::pow(x, 3.0))));
    return at::gelu(x); // exact erf GELU
}

torch::Tensor MPNetEncoder::relativeBuckets(int64_t length)
{
    // relative_position_bucket with the tensor ops transformers uses, the logarithm in float32 as there:
    // half the buckets per direction (keys after the query in the upper half), distances below
    // kBuckets / 4 exact, longer ones logarithmic up to kMaxDistance, then clamped.
    const auto longs = at::TensorOptions().dtype(at::kLong);
    const torch::Tensor index = at::arange(length, longs);
    const torch::Tensor relative = index.unsqueeze(0) - index.unsqueeze(1); // key - query
    torch::Tensor n = -relative;
    const int64_t half = kBuckets / 2;
    const int64_t maxExact = half / 2;
    torch::Tensor bucket = n.lt(0).to(at::kLong) * half;
    n = n.abs();
    torch::Tensor large = (at::log(n.to(at::kFloat) / double(maxExact))
                              / std::log(double(kMaxDistance) / double(maxExact)) * double(half - maxExact))
                              .to(at::kLong)
        + maxExact;
    large = at::minimum(large, at::full_like(large, half - 1));
    return bucket + at::where(n.lt(maxExact), n, large);
}

torch::Tensor MPNetEncoder::forward(
    const torch::Tensor &ids, const torch::Tensor &mask, const torch::Tensor & /*typeIds*/)
{
    const int64_t batch = ids.size(0);
    const int64_t length = ids.size(1);
    const int64_t hidden = m_config.hiddenSize;
    const int64_t heads = m_config.numAttentionHeads;
    const bool training = is_training();

    // create_position_ids_from_input_ids(input_ids, padding_idx=1): real tokens count from 2, ids equal
    // to 1 (padding, or <pad> written in a text) sit at 1.
    const torch::Tensor real = ids.ne(kPaddingIdx).to(at::kLong);
    const torch::Tensor positions = at::cumsum(real, 1).mul(real).add(kPaddingIdx);

    // Unpadding as in the BERT encoder: everything but attention sees only the real tokens [T, hidden];
    // attention regroups them into one padded grid (AttentionPlan).
    torch::Tensor flatIds = ids.reshape({ -1 });
    torch::Tensor flatPositions = positions.reshape({ -1 });
    const torch::Tensor flatMask = mask.reshape({ -1 });
    torch::Tensor realIndex;
    if (flatMask.ne(0).sum().item<int64_t>() < batch * length) {
        realIndex = flatMask.nonzero().squeeze(1);
        flatIds = flatIds.index_select(0, realIndex);
        flatPositions = flatPositions.index_select(0, realIndex);
    }
    torch::Tensor x = at::embedding(m_wordEmbeddings, flatIds, kPaddingIdx)
        + at::embedding(m_positionEmbeddings, flatPositions, kPaddingIdx);
    x = layerNorm(x, m_embeddingNorm);
    x = trainingDropout(x, m_config.hiddenDropoutProb, training);

    // Attention always runs in the padded grid here, never in the fused CPU kernel (fusedattentionimpl.h):
    // that kernel takes no additive score bias, and MPNet adds a relative position bias to every score.
    // The grid puts each text's real tokens at slots 0 .. n-1, the indices transformers uses for
    // right-padded batches (the only kind makeBatch builds), so key - query distances match.
    const AttentionPlan plan(mask, x.device(), x.scalar_type());
    const int64_t gridLength = plan.grid().length;
    torch::Tensor scoreBias;
    if (gridLength > 0) {
        // compute_position_bias, once per forward: table[bucket(key - query)] -> [1, heads, L, L], plus
        // get_extended_attention_mask's 0 / finfo(float32).min per key -> [texts, heads, L, L].
        const torch::Tensor buckets = relativeBuckets(gridLength).to(x.device()).reshape({ -1 });
        const torch::Tensor positionBias = m_relativeAttentionBias.index_select(0, buckets)
                                               .view({ gridLength, gridLength, heads })
                                               .permute({ 2, 0, 1 })
                                               .unsqueeze(0);
        scoreBias = positionBias + plan.grid().scoreMask;
    }
    for (const Layer &layer : m_layers)
        x = layerForward(layer, x, plan, scoreBias);
    if (!realIndex.defined())
        return x.view({ batch, length, hidden });
    // Padding positions come back as zeros: pooling masks them out.
    return at::zeros({ batch * length, hidden }, x.options())
        .index_copy(0, realIndex, x)
        .view({ batch, length, hidden });
}

torch::Tensor MPNetEncoder::layerForward(
    const Layer &layer, const torch::Tensor &x, const AttentionPlan &plan, const torch::Tensor &scoreBias)
{
    const bool training = is_training();
    const int64_t hidden = m_config.hiddenSize;
    const int64_t heads = m_config.numAttentionHeads;
    const AttentionPlan::Grid &grid = plan.grid();

    torch::Tensor context;
    if (grid.length == 0) {
        context = at::zeros({ 0, hidden }, x.options());
    } else {
        // q, k and v in one matmul, gathered into the grid: [texts, length, 3, heads, d] -> 3 x
        // [texts, heads, length, d].
        torch::Tensor rows = at::linear(x, at::cat({ layer.q.weight, layer.k.weight, layer.v.weight }),
            at::cat({ layer.q.bias, layer.k.bias, layer.v.bias }));
        if (!plan.unpadded()) // row T: the zeros that padding slots gather
            rows = at::cat({ rows, at::zeros({ 1, rows.size(1) }, rows.options()) })
                       .index_select(0, plan.gather());
        const torch::Tensor qkv
            = rows.view({ grid.texts, grid.length, 3, heads, hidden / heads }).permute({ 2, 0, 3, 1, 4 });
        // MPNetSelfAttention: scores / sqrt(d) + position bias + mask, softmax, dropout, times v.
        torch::Tensor scores
            = at::matmul(qkv[0], qkv[1].transpose(-1, -2)) / std::sqrt(double(hidden / heads));
        torch::Tensor probs = at::softmax(scores + scoreBias, -1);
        probs = trainingDropout(probs, m_config.attentionProbsDropoutProb, training);
        context = at::matmul(probs, qkv[2]).transpose(1, 2).reshape({ grid.texts * grid.length, hidden });
        if (!plan.unpadded())
            context = context.index_select(0, plan.scatter());
    }

    // MPNetAttention: LayerNorm(dropout(o(c)) + x); then BERT's intermediate and output.
    torch::Tensor attention = at::linear(context, layer.o.weight, layer.o.bias);
    attention = trainingDropout(attention, m_config.hiddenDropoutProb, training);
    attention = layerNorm(attention + x, layer.attentionNorm);
    torch::Tensor h = activation(at::linear(attention, layer.intermediate.weight, layer.intermediate.bias));
    h = at::linear(h, layer.output.weight, layer.output.bias);
    h = trainingDropout(h, m_config.hiddenDropoutProb, training);
    return layerNorm(h + attention, layer.outputNorm);
}

void MPNetEncoder::initLinear(Linear &l, at::Generator &generator)
{
    l.weight.normal_(0.0, m_config.initializerRange, generator);
    l.bias.zero_();
}

void MPNetEncoder::initialise(at::Generator &generator)
{
    at::NoGradGuard noGrad;
    const double std = m_config.initializerRange;
    auto initNorm = [](LayerNorm &n) {
        n.weight.fill_(1.0);
        n.bias.zero_();
    };
    m_wordEmbeddings.normal_(0.0, std, generator);
    m_wordEmbeddings[kPaddingIdx].zero_();
    m_positionEmbeddings.normal_(0.0, std, generator);
    m_positionEmbeddings[kPaddingIdx].zero_();
    initNorm(m_embeddingNorm);
    for (Layer &layer : m_layers) {
        for (Linear *l : { &layer.q, &layer.k, &layer.v, &layer.o, &layer.intermediate, &layer.output })
            initLinear(*l, generator);
        initNorm(layer.attentionNorm);
        initNorm(layer.outputNorm);
    }
    m_relativeAttentionBias.normal_(0.0, std, generator); // an nn.Embedding without padding_idx
    initLinear(m_pooler, generator);
}

bool MPNetEncoder::isOptional(const std::string &parameterName) const
{
    return parameterName.rfind("pooler.", 0) == 0;
}

void MPNetEncoder::initialiseOptional(at::Generator &generator)
{
    at::NoGradGuard noGrad;
    initLinear(m_pooler, generator);
}

} // namespace pairtune
