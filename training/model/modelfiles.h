#pragma once

// Which files of a Hub repo a sentence-transformers model needs: what SentenceTransformer(name) and
// the transformers loaders it calls would fetch, and what Pairtune's loader reads. Torch-free, no I/O:
// it works on the repo's file list alone (the Hub's "siblings"), before anything is downloaded.

#include <string>
#include <vector>

namespace pairtune {

// From every file name in a repo (paths relative to its root, '/'-separated), the ones to download,
// sorted:
// - in the root only: modules.json, config_sentence_transformers.json, README.md (the model card);
// - in the root and in module folders ("1_Pooling/", "2_Dense/", old "0_Transformer/": a first path
//   component of digits and '_'): config.json, sentence_*_config.json, the tokenizer files
//   (tokenizer.json, tokenizer_config.json, special_tokens_map.json, added_tokens.json, vocab.txt,
//   vocab.json, merges.txt, sentencepiece.bpe.model, spiece.model) and the PyTorch weights of that
//   folder: model.safetensors, else model.safetensors.index.json and its model-NNNNN-of-NNNNN shards,
//   else pytorch_model.bin (or its index and shards) only when the folder has no safetensors.
// Everything else stays on the Hub: onnx/, openvino/ and other folders, TF (tf_model.h5), Flax
// (flax_model.msgpack), Rust (rust_model.ot) weights, Python files (Pairtune never runs a repo's code),
// hidden files such as .gitattributes.
std::vector<std::string> sentenceTransformersFiles(const std::vector<std::string> &repoFiles);

} // namespace pairtune
