// ModernBERT's encoder as ONNX operators (opset 17), step for step what ModernBertEncoder::forward
// computes (model/modernbertencoder.cpp) on right-padded batches, which is also what transformers'
// ModernBertModel computes on its eager/sdpa path: rotary positions 0 .. L-1 of the padded sequence, global
// attention in every global_attn_every_n_layers-th layer and a sliding window elsewhere.

#include "export/onnxmodernbert.h"

#include "model/modernbertencoderimpl.h"

#include <limits>

namespace pairtune {
namespace {

struct Rotary
{
    std::string cos, sin; // [L, 1, head_dim]: broadcast over [B, L, heads, head_dim]
};

// The rotary cos and sin of positions 0 .. L-1 for base theta: a constant table of every position the
// model has (max_position_embeddings) sliced to input_ids' length. A table rather than Cos and Sin in the
// graph: its values are the engine's own (ModernBertEncoder::rotary), bit for bit. It holds the angles'
// first half only (emb = cat(freqs, freqs), so the second half repeats it) and concatenates in the graph.
Rotary rotaryTable(OnnxGraph &graph, const Encoder &encoder, const std::string &length, double theta)
{
    const TransformerConfig &config = encoder.config();
    const std::int64_t positions = config.maxPositionEmbeddings;
    const std::int64_t headDim = config.hiddenSize / config.numAttentionHeads;
    const auto [cos, sin] = ModernBertEncoder::rotary(at::arange(positions, at::kLong), headDim, theta);
    const auto slice = [&](const at::Tensor &table) {
        const at::Tensor half = table.narrow(1, 0, headDim / 2).contiguous();
        const std::vector<float> values(half.data_ptr<float>(), half.data_ptr<float>() + half.numel());
        const std::string constant = graph.constantFloats(values, { positions, headDim / 2 });
        const std::string rows
            = graph.node("Slice", { constant, graph.constantInts({ 0 }), length, graph.constantInts({ 0 }) });
        const std::string full = graph.node("Concat", { rows, rows }, { OnnxAttr::integer("axis", -1) });
        return graph.node("Unsqueeze", { full, graph.constantInts({ 1 }) });
    };
    return { slice(cos), slice(sin) };
}

// apply_rotary_pos_emb on x [B, L, heads * head_dim]: x * cos + rotate_half(x) * sin per head, where
// rotate_half maps the halves (x1, x2) of each head to (-x2, x1).
std::string rotate(OnnxGraph &graph, const std::string &x, const Rotary &rotary, int heads, int headDim)
{
    const std::string perHead = graph.node("Reshape", { x, graph.constantInts({ 0, 0, heads, headDim }) });
    const std::vector<std::string> halves = graph.node("Split",
        { perHead, graph.constantInts({ headDim / 2, headDim / 2 }) }, 2, { OnnxAttr::integer("axis", -1) });
    const std::string rotated = graph.node(
        "Concat", { graph.node("Neg", { halves[1] }), halves[0] }, { OnnxAttr::integer("axis", -1) });
    const std::string sum = graph.node(
        "Add", { graph.node("Mul", { perHead, rotary.cos }), graph.node("Mul", { rotated, rotary.sin }) });
    return graph.node("Reshape", { sum, graph.constantInts({ 0, 0, heads * headDim }) });
}

// The local layers' mask [B, 1, L, L]: the padding mask, with float32's lowest filled in (not added)
// where |query - key| > local_attention / 2, as the sliding_window_mask of transformers.
std::string slidingWindowMask(
    OnnxGraph &graph, const std::string &keyMask, const std::string &length, int localAttention)
{
    const std::string index = graph.node("Range",
        { graph.scalarInt(0), graph.node("Squeeze", { length, graph.constantInts({ 0 }) }),
            graph.scalarInt(1) });
    const std::string distance = graph.node("Abs",
        { graph.node("Sub",
            { graph.node("Unsqueeze", { index, graph.constantInts({ 0 }) }),
                graph.node("Unsqueeze", { index, graph.constantInts({ 1 }) }) }) });
    const std::string outside = graph.node("Greater", { distance, graph.scalarInt(localAttention / 2) });
    return graph.node("Where", { outside, graph.scalar(std::numeric_limits<float>::lowest()), keyMask });
}

} // namespace

std::string checkModernBertOnnxEncoder(const TransformerConfig &config)
{
    if (!OnnxGraph::supportsActivation(config.hiddenAct))
        return "model_type \"modernbert\" with hidden_activation \"" + config.hiddenAct
            + "\": the ONNX export computes gelu, gelu_new, relu and silu";
    return "";
}

std::string buildModernBertOnnxEncoder(
    OnnxGraph &graph, const Encoder &encoder, const OnnxEncoderInputs &inputs)
{
    const TransformerConfig &config = encoder.config();
    const TransformerConfig::ModernBert &m = config.modernBert;
    const int hidden = config.hiddenSize;
    const int heads = config.numAttentionHeads;
    const int headDim = hidden / heads;
    const auto weight = [&](const std::string &name) { return onnxWeight(graph, encoder, name); };
    const auto linear = [&](const std::string &x, const std::string &path, bool bias) {
        return graph.linear(x, weight(path + ".weight"), bias ? weight(path + ".bias") : "");
    };
    // norm_bias false: a zero bias rather than LayerNormalization's omitted third input, which onnxruntime
    // 1.31's extended optimisations (the SkipLayerNormalization fusion) crash on.
    const std::string zeroBias
        = m.normBias ? "" : graph.constantFloats(std::vector<float>(hidden, 0.0f), { hidden });
    const auto layerNorm = [&](const std::string &x, const std::string &path) {
        return graph.layerNorm(
            x, weight(path + ".weight"), m.normBias ? weight(path + ".bias") : zeroBias, config.layerNormEps);
    };

    const std::string length = graph.node(
        "Shape", { inputs.inputIds }, { OnnxAttr::integer("start", 1), OnnxAttr::integer("end", 2) }); // [1]
    const Rotary globalRotary = rotaryTable(graph, encoder, length, m.globalRopeTheta);
    const std::string globalMask = graph.additiveKeyMask(inputs.attentionMask);
    // Layer 0 is always global; the local layers' table and window only where a local layer exists.
    const bool anyLocal = config.numHiddenLayers > 1 && m.globalAttnEveryNLayers > 1;
    const Rotary localRotary = anyLocal ? rotaryTable(graph, encoder, length, m.localRopeTheta) : Rotary {};
    const std::string localMask
        = anyLocal ? slidingWindowMask(graph, globalMask, length, m.localAttention) : std::string();

    std::string x = graph.node("Gather", { weight("embeddings.tok_embeddings.weight"), inputs.inputIds });
    x = layerNorm(x, "embeddings.norm");
    for (int i = 0; i < config.numHiddenLayers; ++i) {
        const std::string p = "layers." + std::to_string(i) + ".";
        const bool global = i % m.globalAttnEveryNLayers == 0;
        const Rotary &rotary = global ? globalRotary : localRotary;
        // Pre-norm: x + attn(attn_norm(x)) (layer 0's attn_norm is Identity), then x + mlp(mlp_norm(x)).
        const std::string normed = i == 0 ? x : layerNorm(x, p + "attn_norm");
        const std::vector<std::string> qkv = graph.node("Split",
            { linear(normed, p + "attn.Wqkv", m.attentionBias),
                graph.constantInts({ hidden, hidden, hidden }) },
            3, { OnnxAttr::integer("axis", -1) });
        const std::string context = graph.attention(rotate(graph, qkv[0], rotary, heads, headDim),
            rotate(graph, qkv[1], rotary, heads, headDim), qkv[2], global ? globalMask : localMask, heads,
            headDim);
        x = graph.node("Add", { x, linear(context, p + "attn.Wo", m.attentionBias) });
        // ModernBertMLP: input | gate = chunk(Wi(x), 2); Wo(act(input) * gate).
        const std::vector<std::string> halves = graph.node("Split",
            { linear(layerNorm(x, p + "mlp_norm"), p + "mlp.Wi", m.mlpBias),
                graph.constantInts({ config.intermediateSize, config.intermediateSize }) },
            2, { OnnxAttr::integer("axis", -1) });
        const std::string gated
            = graph.node("Mul", { graph.activation(halves[0], config.hiddenAct), halves[1] });
        x = graph.node("Add", { x, linear(gated, p + "mlp.Wo", m.mlpBias) });
    }
    x = layerNorm(x, "final_norm");
    // Padding rows are zeros, as Encoder::forward returns them.
    return graph.node("Mul", { x, graph.maskColumn(inputs.attentionMask) });
}

} // namespace pairtune
