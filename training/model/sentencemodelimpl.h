#pragma once

// Engine-private (includes torch): the state behind SentenceModel, for the trainer and evaluators.
// Never include this from a public header, a Qt translation unit or a test.

#include "model/densemoduleimpl.h"
#include "model/encoderimpl.h"
#include "model/int8linearimpl.h"
#include "model/modelfolder.h"
#include "model/prompts.h"
#include "model/sentencemodel.h"

#include <c10/core/Device.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace pairtune {

// Padded model inputs for one batch, on the model's device.
struct BatchTensors
{
    torch::Tensor ids; // int64 [B, L], right-padded with the tokenizer's pad id
    torch::Tensor mask; // int64 [B, L], 1 for real tokens
    torch::Tensor typeIds; // int64 [B, L], 0 on padding (undefined where the model takes none)
    // What Pooling averages over: mask with each row's first prompt-length tokens zeroed, when Pooling
    // has include_prompt false and rows carry a prompt (undefined = mask).
    torch::Tensor poolMask;
};

struct SentenceModel::Impl
{
    ModelFolder config; // every config; folder = where it was loaded from
    ModelPrompts prompts; // config.sentenceTransformers' prompts as Python holds them after loading
    std::unique_ptr<Tokenizer> tokenizer;
    std::shared_ptr<Encoder> transformer; // the family's encoder (makeEncoder)
    std::vector<std::shared_ptr<DenseModule>> dense; // one per config.heads entry; null for Normalize
    std::unique_ptr<Int8Linears> int8; // set: encode() runs the encoder's dense layers in int8

    // Sentence embeddings [B, dim] as configured (pooling, Dense, Normalize), on the model's device.
    // Differentiable: call under a NoGradGuard for inference. Dropout follows setTraining().
    // promptLengths (empty, or one per row): tokens of each row's prompt, left out of pooling when
    // Pooling's include_prompt is false (Pooling.forward with features["prompt_length"]).
    torch::Tensor embed(
        const std::vector<Encoding> &batch, const std::vector<std::size_t> &promptLengths = {});
    // The same from already padded inputs.
    torch::Tensor embed(const BatchTensors &batch);
    BatchTensors makeBatch(
        const std::vector<Encoding> &batch, const std::vector<std::size_t> &promptLengths = {}) const;

    void setTraining(bool training); // dropout on / off
    bool isTraining() const;
    void to(torch::Device device);
    torch::Device device() const;

    // Every parameter under its Hugging Face name ("embeddings.word_embeddings.weight",
    // "encoder.layer.0.attention.self.query.weight", "pooler.dense.weight") and Dense ones under
    // "{idx}_Dense.linear.weight", so AdamW's no-decay substring rule applies as in Python.
    std::vector<std::pair<std::string, torch::Tensor>> namedParameters() const;
    std::vector<torch::Tensor> parameters() const;

    Encoding tokenize(std::string_view text) const; // strip, optional lower-case, truncate
    // sentence-transformers' _get_prompt_length: the tokens of the prompt tokenized alone (special
    // tokens included, truncated like any text), less one when the last is a special token (the
    // [SEP] / </s> the template appends). 0 for an empty prompt.
    std::size_t promptLength(std::string_view prompt) const;
    std::string sourceFolder; // empty for a created model
};

} // namespace pairtune
