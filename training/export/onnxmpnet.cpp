// MPNet's encoder as ONNX operators (opset 17), step for step what MPNetEncoder::forward computes
// (model/mpnetencoder.cpp) on right-padded batches, which is also what transformers' MPNetModel computes.

#include "export/onnxmpnet.h"

#include "model/mpnetencoderimpl.h"

#include <cmath>

namespace pairtune {
namespace {

// relative_position_bucket of every key - query distance -(maxLength - 1) .. maxLength - 1, entry
// distance + maxLength - 1. A table rather than the logarithm in the graph: the bucket is a float32
// logarithm cast to an integer, and at distances such as 16, 32 and 64 that value lands on an integer
// in exact arithmetic, so a runtime whose logf rounds differently from torch's would pick another
// bucket. The table is what MPNetEncoder::relativeBuckets (the engine's own computation) gives.
std::vector<std::int64_t> bucketsByDistance(std::int64_t maxLength)
{
    const at::Tensor buckets = MPNetEncoder::relativeBuckets(maxLength).contiguous(); // [query][key]
    const auto b = buckets.accessor<std::int64_t, 2>();
    std::vector<std::int64_t> table(2 * maxLength - 1);
    for (std::int64_t distance = -(maxLength - 1); distance < maxLength; ++distance)
        table[distance + maxLength - 1] = distance >= 0 ? b[0][distance] : b[-distance][0];
    return table;
}

// The relative position bias [1, heads, L, L] of a sequence of L = input_ids' length: bucket(key - query)
// looked up in encoder.relative_attention_bias ([buckets, heads]).
std::string relativePositionBias(OnnxGraph &graph, const Encoder &encoder, const std::string &inputIds)
{
    const std::int64_t maxLength = encoder.config().maxPositionEmbeddings;
    const std::string length = graph.node("Squeeze",
        { graph.node("Shape", { inputIds }, { OnnxAttr::integer("start", 1), OnnxAttr::integer("end", 2) }),
            graph.constantInts({ 0 }) });
    const std::string index = graph.node("Range", { graph.scalarInt(0), length, graph.scalarInt(1) });
    const std::string keys = graph.node("Unsqueeze", { index, graph.constantInts({ 0 }) }); // [1, L]
    const std::string queries = graph.node("Unsqueeze", { index, graph.constantInts({ 1 }) }); // [L, 1]
    const std::string distance = graph.node("Sub", { keys, queries });
    const std::string row = graph.node("Add", { distance, graph.scalarInt(maxLength - 1) });
    const std::vector<std::int64_t> table = bucketsByDistance(maxLength);
    const std::string buckets = graph.node("Gather", { graph.constantInts(table), row }); // [L, L]
    const std::string bias = graph.node("Gather",
        { onnxWeight(graph, encoder, "encoder.relative_attention_bias.weight"), buckets }); // [L, L, heads]
    const std::string perHead = graph.node("Transpose", { bias }, { OnnxAttr::ints("perm", { 2, 0, 1 }) });
    return graph.node("Unsqueeze", { perHead, graph.constantInts({ 0 }) });
}

} // namespace

std::string checkMPNetOnnxEncoder(const TransformerConfig &config)
{
    if (!OnnxGraph::supportsActivation(config.hiddenAct))
        return "model_type \"mpnet\" with hidden_act \"" + config.hiddenAct
            + "\": the ONNX export computes gelu, gelu_new, relu and silu";
    return "";
}

std::string buildMPNetOnnxEncoder(OnnxGraph &graph, const Encoder &encoder, const OnnxEncoderInputs &inputs)
{
    const TransformerConfig &config = encoder.config();
    const int heads = config.numAttentionHeads;
    const int headDim = config.hiddenSize / heads;
    const double eps = config.layerNormEps;
    const auto weight = [&](const std::string &name) { return onnxWeight(graph, encoder, name); };
    const auto linear = [&](const std::string &x, const std::string &path) {
        return graph.linear(x, weight(path + ".weight"), weight(path + ".bias"));
    };
    const auto layerNorm = [&](const std::string &x, const std::string &path) {
        return graph.layerNorm(x, weight(path + ".weight"), weight(path + ".bias"), eps);
    };

    // create_position_ids_from_input_ids with padding_idx 1: real = (ids != 1); cumsum(real) * real + 1.
    const std::string padding = graph.scalarInt(MPNetEncoder::kPaddingIdx);
    const std::string real
        = graph.node("Cast", { graph.node("Not", { graph.node("Equal", { inputs.inputIds, padding }) }) },
            { OnnxAttr::integer("to", onnx::TensorProto_DataType_INT64) });
    const std::string counted = graph.node("CumSum", { real, graph.scalarInt(1) });
    const std::string positions = graph.node("Add", { graph.node("Mul", { counted, real }), padding });

    std::string x = graph.node("Add",
        { graph.node("Gather", { weight("embeddings.word_embeddings.weight"), inputs.inputIds }),
            graph.node("Gather", { weight("embeddings.position_embeddings.weight"), positions }) });
    x = layerNorm(x, "embeddings.LayerNorm");

    // Position bias plus the padding mask, once for every layer, added in that order as the engine does.
    const std::string scoreBias = graph.node("Add",
        { relativePositionBias(graph, encoder, inputs.inputIds),
            graph.additiveKeyMask(inputs.attentionMask) });
    for (int i = 0; i < config.numHiddenLayers; ++i) {
        const std::string p = "encoder.layer." + std::to_string(i) + ".";
        const std::string context = graph.attention(linear(x, p + "attention.attn.q"),
            linear(x, p + "attention.attn.k"), linear(x, p + "attention.attn.v"), scoreBias, heads, headDim);
        const std::string attention = layerNorm(
            graph.node("Add", { linear(context, p + "attention.attn.o"), x }), p + "attention.LayerNorm");
        const std::string inner
            = graph.activation(linear(attention, p + "intermediate.dense"), config.hiddenAct);
        x = layerNorm(
            graph.node("Add", { linear(inner, p + "output.dense"), attention }), p + "output.LayerNorm");
    }
    // Padding rows are zeros, as Encoder::forward returns them.
    return graph.node("Mul", { x, graph.maskColumn(inputs.attentionMask) });
}

} // namespace pairtune
