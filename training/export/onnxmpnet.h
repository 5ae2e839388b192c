#pragma once

// Engine-private (includes torch): the ONNX encoder graph of the MPNet family (onnxencoders.h).

#include "export/onnxencoders.h"

#include <string>

namespace pairtune {

// MPNetEncoder::forward (model/mpnetencoderimpl.h) as ONNX operators: last_hidden_state [B, L, hidden],
// zeros at padding.
std::string buildMPNetOnnxEncoder(OnnxGraph &graph, const Encoder &encoder, const OnnxEncoderInputs &inputs);
// "" when the graph can compute this config (its hidden_act), otherwise why not.
std::string checkMPNetOnnxEncoder(const TransformerConfig &config);

} // namespace pairtune
