#pragma once

// Engine-private (includes torch): sentence-transformers' Pooling, Dense and Normalize as ONNX nodes, the
// computation of SentenceModel::Impl::embed after the encoder (model/pooling.cpp, model/densemodule.cpp).

#include "export/onnxgraph.h"
#include "model/sentencemodelimpl.h"

#include <string>

namespace pairtune {

// "" when Pooling's modes can be written (every mode Pairtune computes can), otherwise why not.
std::string onnxPoolingUnsupportedReason(const PoolingConfig &config);

// tokens [B, L, H] (float32) and the int64 attention_mask [B, L] -> the sentence embedding [B, dim]:
// the enabled pooling modes concatenated in Pooling.forward's order, then each Dense (weights under
// "<module path>.linear.weight") and Normalize in modules.json order. Prompt tokens are pooled like any
// other (include_prompt false needs a prompt length the graph does not take: callers say so).
std::string onnxSentenceHead(OnnxGraph &graph, const SentenceModel::Impl &model, const std::string &tokens,
    const std::string &attentionMask);

} // namespace pairtune
