#pragma once

// Engine-private (includes torch): the ONNX encoder graph of the ModernBERT family (onnxencoders.h).

#include "export/onnxencoders.h"

#include <string>

namespace pairtune {

// ModernBertEncoder::forward (model/modernbertencoderimpl.h) as ONNX operators: last_hidden_state
// [B, L, hidden], zeros at padding.
std::string buildModernBertOnnxEncoder(
    OnnxGraph &graph, const Encoder &encoder, const OnnxEncoderInputs &inputs);
// "" when the graph can compute this config (its hidden_activation), otherwise why not.
std::string checkModernBertOnnxEncoder(const TransformerConfig &config);

} // namespace pairtune
