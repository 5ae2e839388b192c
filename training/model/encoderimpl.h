#pragma once

// Engine-private (includes torch). The transformer encoder of a sentence model, one implementation per
// architecture family (encoderfamily.h), behind one interface that the sentence model, the trainer,
// weight loading, export and the probes use.
//
// An implementation registers its parameters under the exact Hugging Face names of the family's base
// model (named_parameters() yields "embeddings.word_embeddings.weight", ...), so weight files load and
// save by name and AdamW's no-decay rule sees Python's names. Adding a family (e.g. MPNet, ModernBERT):
//   1. a config branch: read/write of its config.json keys in transformerconfig.cpp (torch-free);
//   2. a class deriving from Encoder in its own .cpp (parameters allocated in the constructor,
//      float32 on the CPU, not initialised);
//   3. one line in makeEncoder (encoder.cpp).

#include "model/modelconfig.h"

#include <ATen/core/Generator.h>
#include <torch/nn/module.h>

#include <memory>
#include <string>

namespace pairtune {

class Encoder : public torch::nn::Module
{
public:
    explicit Encoder(const TransformerConfig &config)
        : m_config(config)
    { }

    // last_hidden_state [B, L, hidden] from ids / attention mask / token type ids (int64 [B, L];
    // typeIds may be undefined = all zeros, and is undefined for families without token types), zeros
    // at padding positions. Dropout follows is_training().
    virtual torch::Tensor forward(
        const torch::Tensor &ids, const torch::Tensor &mask, const torch::Tensor &typeIds)
        = 0;

    // The family's _init_weights over every parameter (used by `create`).
    virtual void initialise(at::Generator &generator) = 0;

    // Parameters a checkpoint may lack that transformers initialises fresh with a warning (BERT's
    // pooler, which sentence embeddings never use). Loading initialises them when they are missing
    // (initialiseOptional); any other missing parameter is an error.
    virtual bool isOptional(const std::string &parameterName) const
    {
        (void)parameterName;
        return false;
    }
    virtual void initialiseOptional(at::Generator &generator) { (void)generator; }

    // Attention fused over each text's own rows (the CPU default where an implementation has it); off
    // runs one padded grid, the reference the checks compare against (encoderprobe.h).
    virtual void setFusedAttention(bool fused) { (void)fused; }

    const TransformerConfig &config() const { return m_config; }
    // Where the parameters live.
    torch::Device device() const { return parameters().front().device(); }

protected:
    TransformerConfig m_config;
};

// The encoder of config.modelType's family, parameters allocated but not initialised (load weights or
// call initialise()). Throws pairtune::Error for a model_type no implementation computes.
std::shared_ptr<Encoder> makeEncoder(const TransformerConfig &config);

} // namespace pairtune
