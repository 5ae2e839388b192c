#include "export/onnxpooling.h"

#include "export/onnxencoders.h"

#include <vector>

namespace pairtune {

std::string onnxPoolingUnsupportedReason(const PoolingConfig &config)
{
    if (config.modeCount() == 0)
        return "1_Pooling enables no pooling mode";
    return "";
}

namespace {

std::string reduceSum(OnnxGraph &g, const std::string &x, bool keep)
{
    return g.node("ReduceSum", { x, g.constantInts({ 1 }) }, { OnnxAttr::integer("keepdims", keep ? 1 : 0) });
}

// poolTokens (model/pooling.cpp) node for node: the same masking, clamps and order.
std::string pool(
    OnnxGraph &g, const PoolingConfig &config, const std::string &tokens, const std::string &attentionMask)
{
    const std::string m = g.maskColumn(attentionMask); // [B, L, 1]
    std::vector<std::string> outputs;
    if (config.clsToken)
        outputs.push_back(g.node("Gather", { tokens, g.scalarInt(0) }, { OnnxAttr::integer("axis", 1) }));
    if (config.maxTokens) {
        // Padding is set to -1e9 (not -inf) before the max, as Python does.
        const std::string padding = g.node("Equal", { m, g.scalar(0.0f) });
        const std::string filled = g.node("Where", { padding, g.scalar(-1e9f), tokens });
        outputs.push_back(g.node(
            "ReduceMax", { filled }, { OnnxAttr::ints("axes", { 1 }), OnnxAttr::integer("keepdims", 0) }));
    }
    if (config.meanTokens || config.meanSqrtLenTokens) {
        const std::string sum = reduceSum(g, g.node("Mul", { tokens, m }), false); // [B, H]
        const std::string count = g.node("Max", { reduceSum(g, m, false), g.scalar(1e-9f) }); // [B, 1]
        if (config.meanTokens)
            outputs.push_back(g.node("Div", { sum, count }));
        if (config.meanSqrtLenTokens)
            outputs.push_back(g.node("Div", { sum, g.node("Sqrt", { count }) }));
    }
    if (config.weightedMeanTokens) {
        // Position weights 1..L, zero on padding.
        const std::string length = g.node("Cast",
            { g.node("Gather", { g.node("Shape", { tokens }), g.scalarInt(1) },
                { OnnxAttr::integer("axis", 0) }) },
            { OnnxAttr::integer("to", onnx::TensorProto_DataType_FLOAT) });
        const std::string positions
            = g.node("Range", { g.scalar(1.0f), g.node("Add", { length, g.scalar(1.0f) }), g.scalar(1.0f) });
        const std::string weights
            = g.node("Mul", { g.node("Unsqueeze", { positions, g.constantInts({ 0, 2 }) }), m }); // [B, L, 1]
        const std::string sum = reduceSum(g, g.node("Mul", { tokens, weights }), false);
        outputs.push_back(
            g.node("Div", { sum, g.node("Max", { reduceSum(g, weights, false), g.scalar(1e-9f) }) }));
    }
    if (config.lastToken) {
        // The last position whose mask is 1 (the first of an all-zero row's maxima counted from the end,
        // as the engine's flip-and-max gives), picked with a one-hot row so the value is copied exactly.
        const std::string last = g.node("ArgMax", { attentionMask },
            { OnnxAttr::integer("axis", 1), OnnxAttr::integer("keepdims", 1),
                OnnxAttr::integer("select_last_index", 1) });
        const std::string length = g.node(
            "Gather", { g.node("Shape", { tokens }), g.scalarInt(1) }, { OnnxAttr::integer("axis", 0) });
        const std::string positions = g.node("Range", { g.scalarInt(0), length, g.scalarInt(1) }); // [L]
        const std::string oneHot = g.node("Cast", { g.node("Equal", { positions, last }) },
            { OnnxAttr::integer("to", onnx::TensorProto_DataType_FLOAT) }); // [B, L]
        const std::string picked = g.node(
            "Mul", { g.node("Mul", { tokens, m }), g.node("Unsqueeze", { oneHot, g.constantInts({ -1 }) }) });
        outputs.push_back(reduceSum(g, picked, false));
    }
    return outputs.size() == 1 ? outputs.front()
                               : g.node("Concat", outputs, { OnnxAttr::integer("axis", 1) });
}

} // namespace

std::string onnxSentenceHead(OnnxGraph &g, const SentenceModel::Impl &model, const std::string &tokens,
    const std::string &attentionMask)
{
    std::string x = pool(g, model.config.pooling, tokens, attentionMask);
    const ModelFolder standard = model.config.withStandardPaths();
    for (std::size_t i = 0; i < model.config.heads.size(); ++i) {
        if (!model.dense[i]) { // Normalize: x / max(||x||, 1e-12)
            const std::string norm = g.node(
                "ReduceL2", { x }, { OnnxAttr::ints("axes", { 1 }), OnnxAttr::integer("keepdims", 1) });
            x = g.node("Div", { x, g.node("Max", { norm, g.scalar(1e-12f) }) });
            continue;
        }
        const HeadModule &head = model.config.heads[i];
        const std::string path = (head.path.empty() ? standard.heads[i].path : head.path) + ".linear.";
        const auto parameters = model.dense[i]->named_parameters(true);
        const std::string weight = onnxWeight(g, path + "weight", parameters["linear.weight"]);
        const std::string bias
            = head.dense.bias ? onnxWeight(g, path + "bias", parameters["linear.bias"]) : "";
        x = g.linear(x, weight, bias);
        if (head.dense.isTanh())
            x = g.node("Tanh", { x });
    }
    return x;
}

} // namespace pairtune
