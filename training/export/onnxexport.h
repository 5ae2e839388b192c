#pragma once

// Torch-free: ONNX exports of a sentence model (issue 22; docs/exports.md), written with Debian's ONNX
// library. Two graphs per model, each self-contained (weights as initializers under their Hugging Face
// names):
//   onnx/model.onnx               inputs input_ids, attention_mask [, token_type_ids] (int64,
//                                 ["batch_size", "sequence_length"]), output last_hidden_state (float,
//                                 ["batch_size", "sequence_length", hidden]): what sentence-transformers'
//                                 backend="onnx" and Transformers.js load;
//   onnx/sentence_embedding.onnx  the same inputs, output sentence_embedding (float, ["batch_size", dim]):
//                                 Pooling, every Dense and Normalize inside the graph.
// With OnnxExportOptions::float16 also model_fp16.onnx and sentence_embedding_fp16.onnx: float16 weights,
// float32 inputs, outputs and arithmetic.

#include "export/exportcallbacks.h"
#include "model/sentencemodel.h"

#include <string>

namespace pairtune {

struct OnnxExportOptions
{
    bool float16 = false; // also write the *_fp16.onnx variants
};

// "" when this model can be written as ONNX, otherwise why not (names the model_type / module).
std::string onnxUnsupportedReason(const SentenceModel &model);

// Writes the graphs above into folder/onnx/ (created; folder must exist: the model folder being staged by
// the caller, which publishes it atomically). Opset 17, IR version 8. Throws pairtune::Error naming the file
// for a model onnxUnsupportedReason refuses, a write that fails (Kind::Io) or a cancel (Kind::Cancelled).
void writeOnnxModels(const SentenceModel &model, const std::string &folder, const OnnxExportOptions &options,
    const ExportCallbacks &callbacks);

} // namespace pairtune
