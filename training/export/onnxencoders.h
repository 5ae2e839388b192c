#pragma once

// Engine-private (includes torch): the encoder graph of each family, behind one interface. A family's
// function adds to the graph the computation of its Encoder::forward (model/encoderimpl.h) from the graph
// inputs and returns last_hidden_state [B, L, hidden] (float32, zeros at padding as Encoder::forward
// gives them). It reads the weights through onnxWeight (the encoder's parameter under its Hugging Face
// name) so the initializers carry those names.
//
// Adding a family: write `std::string buildXxxOnnxEncoder(OnnxGraph &, const Encoder &,
// const OnnxEncoderInputs &)` in its own onnxxxx.cpp (declared in onnxxxx.h), and add one line to the table
// in onnxencoders.cpp (model_type -> function, plus a reason when a model of the family cannot be written).

#include "export/onnxgraph.h"
#include "model/encoderimpl.h"

#include <string>

namespace pairtune {

// Graph input names; tokenTypeIds is "" when the model takes no token types
// (TransformerConfig::takesTokenTypes()).
struct OnnxEncoderInputs
{
    std::string inputIds; // int64 [B, L]
    std::string attentionMask; // int64 [B, L], 1 = real token
    std::string tokenTypeIds; // int64 [B, L] or ""
};

using OnnxEncoderBuilder
    = std::string (*)(OnnxGraph &graph, const Encoder &encoder, const OnnxEncoderInputs &inputs);
// "" when the family's function can write this config, otherwise why not (names the model_type and what).
using OnnxEncoderCheck = std::string (*)(const TransformerConfig &config);

struct OnnxEncoderFamily
{
    const char *modelType;
    OnnxEncoderBuilder build;
    OnnxEncoderCheck check; // may be null: every config of the family is fine
};

// nullptr where no family writes config.json's model_type.
const OnnxEncoderFamily *findOnnxEncoderFamily(const std::string &modelType);

// The encoder's parameter `name` (its Hugging Face name, as named_parameters() yields it) added as a
// weight initializer; returns the float32 value. Throws pairtune::Error when the encoder has none.
std::string onnxWeight(OnnxGraph &graph, const torch::nn::Module &module, const std::string &name);
// The same for a tensor that is not a parameter, stored under name.
std::string onnxWeight(OnnxGraph &graph, const std::string &name, const at::Tensor &tensor);

// BERT, RoBERTa, XLM-RoBERTa, DistilBERT (onnxbert.cpp).
std::string buildBertOnnxEncoder(OnnxGraph &graph, const Encoder &encoder, const OnnxEncoderInputs &inputs);
std::string checkBertOnnxEncoder(const TransformerConfig &config);

} // namespace pairtune
