#pragma once

// The torch-free side of a sentence-transformers folder: which modules it lists (modules.json),
// their configs, where the weights are, and writing those config files back (docs/formats.md §1).

#include "model/modelconfig.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pairtune {

enum class ModuleKind { Transformer, Pooling, Dense, Normalize };

// A module after the pooling: Dense (with its config) or Normalize.
struct HeadModule
{
    ModuleKind kind = ModuleKind::Normalize;
    std::string path; // relative to the model folder, e.g. "2_Dense"
    DenseConfig dense;
};

struct ModelFolder
{
    std::string folder; // the model folder as given (empty for a created model)
    std::string transformerPath; // module 0's path relative to folder ("" = the root)
    std::string poolingPath = "1_Pooling";
    TransformerConfig transformer;
    int maxSeqLength = 128;
    bool doLowerCase = false;
    std::optional<std::int64_t> tokenizerModelMaxLength; // tokenizer_config.json, when it gives one
    PoolingConfig pooling;
    std::vector<HeadModule> heads; // after pooling, in modules.json order
    SentenceTransformersConfig sentenceTransformers;

    // Reads every config of the folder; throws pairtune::Error naming the file at fault.
    static ModelFolder read(const std::string &folder);

    std::string transformerFolder() const; // folder joined with transformerPath
    std::string modulePath(const std::string &relative) const;
    int embeddingDimension() const; // after pooling and every Dense

    // The transformer's weight files (model/weightfiles.h): model.safetensors, its shards,
    // pytorch_model.bin or its shards.
    std::vector<std::string> transformerWeightFiles() const;
    // N_Dense/model.safetensors, else N_Dense/pytorch_model.bin.
    std::string denseWeightFile(const HeadModule &dense) const;

    // The same modules with the paths SentenceTransformer.save() uses: transformer in the root,
    // then "{idx}_{ClassName}".
    ModelFolder withStandardPaths() const;

    // Writes modules.json, config_sentence_transformers.json, config.json, sentence_bert_config.json,
    // the pooling config and every head's folder (Dense config.json; Normalize stays empty) into the
    // existing folder dir, using this object's module paths. Weights and tokenizer are the caller's.
    void writeConfigs(
        const std::string &dir, const std::string &torchDtype, const std::string &torchVersion) const;
};

// Writes text to path (creating parent folders), for files inside a staged folder that is published
// atomically as a whole; throws pairtune::Error of kind Io on failure.
void writeTextFile(const std::string &path, const std::string &text);

} // namespace pairtune
