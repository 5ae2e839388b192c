#pragma once

// Which files hold a module's weights, in the order transformers' from_pretrained and
// sentence-transformers' Module.load_torch_weights prefer them (docs/model-folders.md).

#include <string>
#include <vector>

namespace pairtune {

// The transformer's weights in dir: model.safetensors; else the shards model.safetensors.index.json
// lists; else pytorch_model.bin; else the shards pytorch_model.bin.index.json lists. Throws
// pairtune::Error naming the folder when there are none, or when an index is malformed or names a
// file outside dir.
std::vector<std::string> findTransformerWeightFiles(const std::string &dir);

// A Dense module's weights: model.safetensors, else pytorch_model.bin.
std::string findDenseWeightFile(const std::string &dir);

} // namespace pairtune
