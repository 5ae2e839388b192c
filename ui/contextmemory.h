#pragma once

// How much memory training needs when texts reach a model's max sequence length, and which length to
// suggest instead: the Model page warns with it when a model reads long inputs (ModernBERT's 8192).
// Qt-free and torch-free: plain arithmetic over the model's architecture.

#include <cstdint>
#include <string>

namespace pairtune::ui {

// The facts about a model's encoder the studio shows and estimates with (from its config.json and
// sentence_bert_config.json).
struct ModelArchitecture
{
    std::string family; // "BERT", "DistilBERT", "RoBERTa", "XLM-R", "MPNet", "ModernBERT" (else model_type)
    std::string modelClass; // the transformers class, e.g. "ModernBertModel"
    int layers = 0;
    int heads = 0;
    int hidden = 0;
    int intermediate = 0;
    int maxPositions = 0; // usable positions of the position table (rotary: max_position_embeddings)
    int maxSeqLength = 0; // sentence_bert_config.json: where texts are cut
    int globalAttentionEvery = 1; // ModernBERT: layer i attends globally when i % n == 0
    int localWindow = 0; // ModernBERT: local layers see keys within localWindow / 2; 0 = none
};

// The display name of a config.json model_type ("xlm-roberta" -> "XLM-R"); unknown types unchanged.
std::string familyName(const std::string &modelType);

// Inputs longer than this count as long: BERT-era models stop at 512 positions.
constexpr int kLongContextTokens = 512;

struct TrainingMemoryEstimate
{
    std::uint64_t attentionBytes = 0; // grows with length squared
    std::uint64_t activationBytes = 0; // grows with length
    std::uint64_t total() const { return attentionBytes + activationBytes; }
};

// Activations a training step keeps for the backward pass when `texts` texts of `length` tokens go
// through the encoder (a batch of 32 pairs is 64 texts). Every layer keeps two length x length float32
// grids per head (softmax output and the dropped-out probabilities): Pairtune computes ModernBERT's
// local layers on the full grid with the window masked, so they count like global ones. Per token and
// layer about 10 x hidden + 3 x intermediate floats (projections, norms, the MLP's inner values).
// Weights, gradients and AdamW state come on top and do not depend on the length.
TrainingMemoryEstimate estimateTrainingMemory(const ModelArchitecture &model, int length, int texts);

// The max sequence length to suggest for a long-context model: the longest power of two from 128 up to
// kLongContextTokens (and below the model's own length) whose estimate fits budgetBytes; 128 when none
// does.
int suggestedMaxLength(const ModelArchitecture &model, int texts, std::uint64_t budgetBytes);

// This machine's physical memory (0 when unknown).
std::uint64_t physicalMemoryBytes();

} // namespace pairtune::ui
