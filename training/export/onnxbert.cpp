// The encoder graph of BertEncoder (model/bertencoderimpl.h): BERT, RoBERTa, XLM-RoBERTa and DistilBERT,
// the same post-norm layer under each family's weight names (BertLayout). Padded, as transformers computes
// it: the engine's unpadding and fused attention are the same math (model/bertencoder.cpp).

#include "export/onnxencoders.h"
#include "model/bertencoderimpl.h"

namespace pairtune {

std::string checkBertOnnxEncoder(const TransformerConfig &config)
{
    if (!OnnxGraph::supportsActivation(config.hiddenAct))
        return "model_type \"" + config.modelType + "\" with hidden_act \"" + config.hiddenAct
            + "\" has no ONNX form in Pairtune's export";
    return "";
}

namespace {

// Position ids [B, L] or [L]: RoBERTa-style ones count real tokens from pad_token_id + 1 and put padding
// at pad_token_id (transformers' create_position_ids_from_input_ids, on input_ids != pad as the engine
// does); the others are 0 .. L - 1 for every row.
std::string positionIds(OnnxGraph &g, const TransformerConfig &config, const std::string &ids)
{
    if (config.positionsFromPadding()) {
        const std::string real
            = g.node("Cast", { g.node("Not", { g.node("Equal", { ids, g.scalarInt(config.padTokenId) }) }) },
                { OnnxAttr::integer("to", onnx::TensorProto_DataType_INT64) });
        const std::string counted = g.node("Mul", { g.node("CumSum", { real, g.scalarInt(1) }), real });
        return g.node("Add", { counted, g.scalarInt(config.padTokenId) });
    }
    const std::string length
        = g.node("Gather", { g.node("Shape", { ids }), g.scalarInt(1) }, { OnnxAttr::integer("axis", 0) });
    return g.node("Range", { g.scalarInt(0), length, g.scalarInt(1) });
}

} // namespace

std::string buildBertOnnxEncoder(OnnxGraph &g, const Encoder &encoder, const OnnxEncoderInputs &inputs)
{
    const TransformerConfig &config = encoder.config();
    const BertLayout layout
        = config.modelType == "distilbert" ? BertLayout::distilBert() : BertLayout::bert();
    auto weight = [&](const std::string &name) { return onnxWeight(g, encoder, name); };
    auto linear = [&](const std::string &x, const std::string &path) {
        return g.linear(x, weight(path + ".weight"), weight(path + ".bias"));
    };
    auto layerNorm = [&](const std::string &x, const std::string &path) {
        return g.layerNorm(x, weight(path + ".weight"), weight(path + ".bias"), config.layerNormEps);
    };

    std::string x = g.node("Gather", { weight("embeddings.word_embeddings.weight"), inputs.inputIds });
    if (layout.tokenTypes) {
        // XLM-R / RoBERTa take no token types: their zero buffer adds row 0 of the one-row table.
        const std::string types = inputs.tokenTypeIds.empty() ? g.scalarInt(0) : inputs.tokenTypeIds;
        x = g.node(
            "Add", { x, g.node("Gather", { weight("embeddings.token_type_embeddings.weight"), types }) });
    }
    x = g.node("Add",
        { x,
            g.node("Gather",
                { weight("embeddings.position_embeddings.weight"),
                    positionIds(g, config, inputs.inputIds) }) });
    x = layerNorm(x, "embeddings.LayerNorm");

    const std::string keyMask = g.additiveKeyMask(inputs.attentionMask);
    const int heads = config.numAttentionHeads;
    const int headDim = config.hiddenSize / heads;
    for (int i = 0; i < config.numHiddenLayers; ++i) {
        const std::string p = layout.layers + "." + std::to_string(i) + ".";
        const std::string context = g.attention(linear(x, p + layout.query), linear(x, p + layout.key),
            linear(x, p + layout.value), keyMask, heads, headDim);
        const std::string attention = layerNorm(
            g.node("Add", { linear(context, p + layout.attentionOutput), x }), p + layout.attentionNorm);
        const std::string h = linear(
            g.activation(linear(attention, p + layout.intermediate), config.hiddenAct), p + layout.output);
        x = layerNorm(g.node("Add", { h, attention }), p + layout.outputNorm);
    }
    // Encoder::forward gives zeros at padding positions.
    return g.node("Mul", { x, g.maskColumn(inputs.attentionMask) });
}

} // namespace pairtune
