// ModernBertModel's computation, written from Hugging Face transformers' models/modernbert/
// modeling_modernbert.py and configuration_modernbert.py (read at commits 000c33fd / 001f85b3 of main,
// late 2025, transformers 5.0 development; the computation is the one released in 4.48). The
// independent reference the tests compare against is tests/interop/reference.py's ModernBertEncoder.

#include "model/attentionplanimpl.h"
#include "model/dropoutimpl.h"
#include "model/fusedattentionimpl.h"
#include "model/modernbertencoderimpl.h"
#include "model/moduletreeimpl.h"

#include <ATen/ATen.h>

#include <cmath>
#include <limits>
#include <numbers>

namespace pairtune {
namespace {

// rotate_half: (x1, x2) -> (-x2, x1) over the last dimension's halves.
torch::Tensor rotateHalf(const torch::Tensor &x)
{
    const int64_t half = x.size(-1) / 2;
    return at::cat({ -x.narrow(-1, half, half), x.narrow(-1, 0, half) }, -1);
}

// torch.nn.init.trunc_normal_: inverse-CDF sampling of a normal truncated to [a, b], then clamped.
void truncNormal(torch::Tensor &t, double std, double cutoff, at::Generator &generator)
{
    const auto cdf = [](double x) { return (1.0 + std::erf(x / std::sqrt(2.0))) / 2.0; };
    const double lower = cdf(-cutoff);
    const double upper = cdf(cutoff);
    t.uniform_(2 * lower - 1, 2 * upper - 1, generator);
    t.erfinv_();
    t.mul_(std * std::sqrt(2.0));
    t.clamp_(-cutoff * std, cutoff * std);
}

} // namespace

ModernBertEncoder::Linear ModernBertEncoder::addLinear(const std::string &path, int in, int out, bool bias)
{
    torch::nn::Module &module = moduleAt(*this, path);
    Linear l { addParameter(module, "weight", { out, in }), {} };
    if (bias)
        l.bias = addParameter(module, "bias", { out });
    return l;
}

ModernBertEncoder::LayerNorm ModernBertEncoder::addLayerNorm(const std::string &path, int size)
{
    torch::nn::Module &module = moduleAt(*this, path);
    LayerNorm n { addParameter(module, "weight", { size }), {} };
    if (m_config.modernBert.normBias)
        n.bias = addParameter(module, "bias", { size });
    return n;
}

ModernBertEncoder::ModernBertEncoder(const TransformerConfig &config)
    : Encoder(config)
{
    const TransformerConfig::ModernBert &m = config.modernBert;
    const int h = config.hiddenSize;
    const int inner = config.intermediateSize;
    m_tokEmbeddings
        = addParameter(moduleAt(*this, "embeddings.tok_embeddings"), "weight", { config.vocabSize, h });
    m_embeddingNorm = addLayerNorm("embeddings.norm", h);
    for (int i = 0; i < config.numHiddenLayers; ++i) {
        const std::string p = "layers." + std::to_string(i) + ".";
        Layer l;
        if (i != 0)
            l.attnNorm = addLayerNorm(p + "attn_norm", h);
        l.wqkv = addLinear(p + "attn.Wqkv", h, 3 * h, m.attentionBias);
        l.wo = addLinear(p + "attn.Wo", h, h, m.attentionBias);
        l.mlpNorm = addLayerNorm(p + "mlp_norm", h);
        l.wi = addLinear(p + "mlp.Wi", h, 2 * inner, m.mlpBias);
        l.mlpWo = addLinear(p + "mlp.Wo", inner, h, m.mlpBias);
        l.global = i % m.globalAttnEveryNLayers == 0;
        m_layers.push_back(l);
    }
    m_finalNorm = addLayerNorm("final_norm", h);
}

torch::Tensor ModernBertEncoder::layerNorm(const torch::Tensor &x, const LayerNorm &n) const
{
    return at::layer_norm(x, { x.size(-1) }, n.weight, n.bias, m_config.layerNormEps);
}

torch::Tensor ModernBertEncoder::activation(const torch::Tensor &x) const
{
    if (m_config.hiddenAct == "relu")
        return at::relu(x);
    if (m_config.hiddenAct == "gelu_new") // transformers' NewGELUActivation, written out the same way
        return 0.5 * x
            * (1.0 + at::tanh(std::sqrt(2.0 / std::numbers::pi) * (x + 0.044715 * at::pow(x, 3.0))));
    return at::gelu(x); // ACT2FN["gelu"]: the exact erf GELU
}

std::pair<torch::Tensor, torch::Tensor> ModernBertEncoder::rotary(
    const torch::Tensor &positions, int64_t headDim, double theta)
{
    // compute_default_rope_parameters: inv_freq = 1 / base^(arange(0, d, 2) / d), float32; the forward
    // forces float32: freqs = position * inv_freq, emb = cat(freqs, freqs).
    const auto floats = at::TensorOptions().dtype(at::kFloat).device(positions.device());
    const torch::Tensor exponent
        = at::arange(0, headDim, 2, floats.dtype(at::kLong)).to(at::kFloat) / double(headDim);
    const torch::Tensor invFreq = at::reciprocal(at::pow(theta, exponent));
    const torch::Tensor freqs = positions.to(at::kFloat).unsqueeze(1) * invFreq.unsqueeze(0);
    const torch::Tensor emb = at::cat({ freqs, freqs }, -1);
    return { emb.cos(), emb.sin() };
}

torch::Tensor ModernBertEncoder::forward(
    const torch::Tensor &ids, const torch::Tensor &mask, const torch::Tensor & /*typeIds*/)
{
    const int64_t batch = ids.size(0);
    const int64_t length = ids.size(1);
    const int64_t hidden = m_config.hiddenSize;
    const int64_t headDim = hidden / m_config.numAttentionHeads;
    const bool training = is_training();

    // Unpadding as in the other encoders: everything but attention sees only the real tokens
    // [T, hidden]. Each token's rotary position is its index in its text: the eager/sdpa path numbers
    // the padded grid 0 .. L-1 (position_ids = arange(seq_len)), which for the right-padded batches
    // makeBatch builds is the same index, and the flash-attention path restarts at each text.
    torch::Tensor flatIds = ids.reshape({ -1 });
    const torch::Tensor flatMask = mask.reshape({ -1 });
    torch::Tensor flatPositions = (at::cumsum(mask.ne(0).to(at::kLong), 1) - 1).reshape({ -1 });
    torch::Tensor realIndex;
    if (flatMask.ne(0).sum().item<int64_t>() < batch * length) {
        realIndex = flatMask.nonzero().squeeze(1);
        flatIds = flatIds.index_select(0, realIndex);
        flatPositions = flatPositions.index_select(0, realIndex);
    }
    torch::Tensor x = at::embedding(m_tokEmbeddings, flatIds, m_config.padTokenId);
    x = layerNorm(x, m_embeddingNorm);
    x = trainingDropout(x, m_config.modernBert.embeddingDropout, training);

    Rotary globalRotary, localRotary;
    std::tie(globalRotary.cos, globalRotary.sin)
        = rotary(flatPositions, headDim, m_config.modernBert.globalRopeTheta);
    std::tie(localRotary.cos, localRotary.sin)
        = rotary(flatPositions, headDim, m_config.modernBert.localRopeTheta);
    for (Rotary *r : { &globalRotary, &localRotary }) {
        r->cos = r->cos.to(x.scalar_type()).unsqueeze(1);
        r->sin = r->sin.to(x.scalar_type()).unsqueeze(1);
    }

    // Global layers: _prepare_4d_attention_mask's 0 / finfo.min per key. Local layers: the same with
    // finfo.min filled (not added) where |query - key| > local_attention / 2, as _update_attention_mask
    // builds the sliding_window_mask; filling keeps every row finite, so no NaN reaches the backward.
    const bool fused = m_fused && x.device().is_cpu();
    const AttentionPlan plan(mask, x.device(), x.scalar_type());
    const std::vector<int64_t> offsets = fused ? textOffsets(mask) : std::vector<int64_t> {};
    torch::Tensor globalMask = plan.grid().scoreMask;
    torch::Tensor localMask;
    if (plan.grid().length > 0) {
        const int64_t gridLength = plan.grid().length;
        const torch::Tensor index
            = at::arange(gridLength, at::TensorOptions().dtype(at::kLong).device(x.device()));
        const torch::Tensor outside
            = (index.unsqueeze(0) - index.unsqueeze(1)).abs().gt(m_config.modernBert.localAttention / 2);
        localMask = globalMask.expand({ plan.grid().texts, 1, gridLength, gridLength })
                        .masked_fill(outside, std::numeric_limits<float>::lowest());
    }

    for (const Layer &layer : m_layers) {
        // Pre-norm: x + attn(attn_norm(x)), then x + mlp(mlp_norm(x)); layer 0's attn_norm is Identity.
        const torch::Tensor normed = layer.attnNorm.weight.defined() ? layerNorm(x, layer.attnNorm) : x;
        x = x
            + attention(layer, normed, layer.global ? globalRotary : localRotary, plan, offsets, globalMask,
                localMask);
        // ModernBertMLP: input | gate = chunk(Wi(x), 2); Wo(drop(act(input) * gate)).
        const torch::Tensor inner = at::linear(layerNorm(x, layer.mlpNorm), layer.wi.weight, layer.wi.bias);
        const std::vector<torch::Tensor> halves = inner.chunk(2, -1);
        torch::Tensor h = activation(halves[0]) * halves[1];
        h = trainingDropout(h, m_config.hiddenDropoutProb, training);
        x = x + at::linear(h, layer.mlpWo.weight, layer.mlpWo.bias);
    }
    x = layerNorm(x, m_finalNorm);
    if (!realIndex.defined())
        return x.view({ batch, length, hidden });
    // Padding positions come back as zeros: pooling masks them out.
    return at::zeros({ batch * length, hidden }, x.options())
        .index_copy(0, realIndex, x)
        .view({ batch, length, hidden });
}

torch::Tensor ModernBertEncoder::attention(const Layer &layer, const torch::Tensor &x, const Rotary &rotary,
    const AttentionPlan &plan, const std::vector<int64_t> &offsets, const torch::Tensor &globalMask,
    const torch::Tensor &localMask)
{
    const bool training = is_training();
    const double dropout = training ? m_config.attentionProbsDropoutProb : 0.0;
    const int64_t hidden = m_config.hiddenSize;
    const int64_t heads = m_config.numAttentionHeads;
    const int64_t d = hidden / heads;
    const int64_t rows = x.size(0);

    // Wqkv rows are query | key | value, each heads x head_dim; the rotation applies to query and key
    // per real token (apply_rotary_pos_emb), before any regrouping.
    const torch::Tensor qkv = at::linear(x, layer.wqkv.weight, layer.wqkv.bias).view({ rows, 3, heads, d });
    const torch::Tensor qk = qkv.narrow(1, 0, 2);
    const torch::Tensor rotated = qk * rotary.cos.unsqueeze(1) + rotateHalf(qk) * rotary.sin.unsqueeze(1);
    const torch::Tensor qkvRows = at::cat({ rotated, qkv.narrow(1, 2, 1) }, 1).reshape({ rows, 3 * hidden });

    torch::Tensor context;
    if (!offsets.empty() && layer.global) {
        // Global attention over each text's own rows is exactly what the fused CPU kernel computes
        // (scale 1/sqrt(d), dropout on the probabilities). Local layers cannot use it: it has no window.
        context = fusedAttention(qkvRows, offsets, heads, dropout);
    } else if (plan.grid().length == 0) {
        context = at::zeros({ 0, hidden }, x.options());
    } else {
        const AttentionPlan::Grid &grid = plan.grid();
        torch::Tensor gridRows = qkvRows;
        if (!plan.unpadded()) // row T: the zeros that padding slots gather
            gridRows = at::cat({ gridRows, at::zeros({ 1, gridRows.size(1) }, gridRows.options()) })
                           .index_select(0, plan.gather());
        const torch::Tensor q
            = gridRows.view({ grid.texts, grid.length, 3, heads, d }).permute({ 2, 0, 3, 1, 4 });
        // eager_attention_forward: scores * head_dim^-0.5 + mask, softmax, dropout, times v.
        torch::Tensor scores = at::matmul(q[0], q[1].transpose(-1, -2)) * std::pow(double(d), -0.5);
        torch::Tensor probs = at::softmax(scores + (layer.global ? globalMask : localMask), -1);
        probs = trainingDropout(probs, m_config.attentionProbsDropoutProb, training);
        context = at::matmul(probs, q[2]).transpose(1, 2).reshape({ grid.texts * grid.length, hidden });
        if (!plan.unpadded())
            context = context.index_select(0, plan.scatter());
    }
    // Wo, then out_drop (a Dropout of attention_dropout, Identity when that is 0).
    return trainingDropout(at::linear(context, layer.wo.weight, layer.wo.bias), dropout, training);
}

void ModernBertEncoder::initialise(at::Generator &generator)
{
    at::NoGradGuard noGrad;
    const double range = m_config.initializerRange;
    const double cutoff = m_config.modernBert.initializerCutoffFactor;
    const double outStd = range / std::sqrt(2.0 * m_config.numHiddenLayers);
    auto initLinear = [&](Linear &l, double std) {
        truncNormal(l.weight, std, cutoff, generator);
        if (l.bias.defined())
            l.bias.zero_();
    };
    auto initNorm = [](LayerNorm &n) {
        if (!n.weight.defined())
            return;
        n.weight.fill_(1.0);
        if (n.bias.defined())
            n.bias.zero_();
    };
    // ModernBertEmbeddings: only tok_embeddings, with no padding row zeroed (init_weight runs after
    // nn.Embedding's own reset).
    truncNormal(m_tokEmbeddings, range, cutoff, generator);
    initNorm(m_embeddingNorm);
    for (Layer &layer : m_layers) {
        initNorm(layer.attnNorm);
        initLinear(layer.wqkv, range);
        initLinear(layer.wo, outStd);
        initNorm(layer.mlpNorm);
        initLinear(layer.wi, range);
        initLinear(layer.mlpWo, outStd);
    }
    initNorm(m_finalNorm);
}

} // namespace pairtune
