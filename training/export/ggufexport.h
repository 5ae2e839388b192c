#pragma once

// Torch-free: GGUF files for llama.cpp (llama-server --embedding, Ollama, node-llama-cpp) written from a
// SentenceModel, with the tokenizer, pooling type and tensors recorded as llama.cpp's own converter
// (convert_hf_to_gguf.py) records them. docs/exports.md says what each runtime then needs (normalising
// at the consumer) and the measured agreement with `pairtune-cli embed`.

#include "export/exportcallbacks.h"

#include <optional>
#include <string>
#include <string_view>

namespace pairtune {

class SentenceModel;

// How the weight matrices are stored; norms and biases are always f32 (as llama.cpp's converter does).
enum class GgufType { F32, F16, Q8_0 };

std::optional<GgufType> parseGgufType(std::string_view name); // "f32", "f16", "q8_0"
std::string ggufTypeName(GgufType type); // "f32", "f16", "q8_0"
std::string ggufFileName(GgufType type); // "gguf/model-f32.gguf" (relative to the model folder)

// "" when llama.cpp can run this model as we write it, otherwise why not (names the model_type or
// module): Dense heads, pooling modes llama.cpp lacks, families it has no graph for.
std::string ggufUnsupportedReason(const SentenceModel &model, GgufType type);

// Writes folder/gguf/model-<type>.gguf (creating folder/gguf). Throws pairtune::Error.
void writeGgufModel(
    const SentenceModel &model, const std::string &folder, GgufType type, const ExportCallbacks &callbacks);

} // namespace pairtune
