#pragma once

// Engine-private (includes torch). Moving parameters between weight files (safetensors, or a
// torch.save pytorch_model.bin read by model/torchpickleimpl.h) and modules, with the
// key handling of transformers' from_pretrained (docs/formats.md §2).

#include <ATen/core/Generator.h>
#include <torch/nn/module.h>

#include <string>
#include <utility>
#include <vector>

namespace pairtune {

class Encoder;
class DenseModule;

// Loads every parameter of the transformer from its weight file(s) (.safetensors or .bin). F32/F16/BF16
// become float32. The family's base-model prefix ("bert.", "roberta.", "distilbert.") is stripped, legacy
// gamma/beta become weight/bias, position_ids is ignored, heads (cls.*, lm_head.*, ...) are ignored with
// one warning; missing optional parameters (BERT's pooler) are initialised from generator with a
// warning. Any other missing tensor, wrong shape or unsupported dtype throws pairtune::Error naming the
// file and tensor.
void loadTransformerWeights(Encoder &model, const std::vector<std::string> &files, at::Generator &generator);

// Dense weights (linear.weight, linear.bias), strictly: nothing missing, nothing extra.
void loadDenseWeights(DenseModule &dense, const std::string &file);

// Writes named parameters as F32 (or F16) safetensors; formatMetadata adds {"format": "pt"}.
void saveWeights(const std::string &path, const std::vector<std::pair<std::string, torch::Tensor>> &named,
    bool float16, bool formatMetadata);

// Writes named parameters as torch.save would (zip format, a {name: tensor} dict that torch.load and
// load_state_dict take): the pytorch_model.bin sentence-transformers 2.x-3.0.0 read for a Dense module.
void saveTorchStateDict(
    const std::string &path, const std::vector<std::pair<std::string, torch::Tensor>> &named, bool float16);

} // namespace pairtune
