#pragma once

#include "mine/nearduplicates.h"
#include "model/sentencemodel.h"
#include "ui/contextmemory.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace pairtune {
class PairDataset;
struct MiningCallbacks;
struct MiningOptions;
struct MiningResult;
} // namespace pairtune

namespace pairtune::ui {

// How LoadedModel::encode runs the encoder: as loaded, or with its dense layers dynamically quantised
// to int8 (SentenceModel::useInt8Inference, `embed --int8`): faster on the CPU, vectors within a cosine
// of 0.999 of float32 on the engine's test texts (tst_int8embedding).
enum class EncodePrecision { Float32, Int8 };

// A sentence-transformers model loaded for the studio's own use (validation summary, token counts,
// the before/after search), shared between pages. SentenceModel::encode must not run on two threads
// at once, so encoding is serialised here; tokenizers are immutable and need no lock.
class LoadedModel
{
public:
    // Loads folder; throws pairtune::Error (or std::exception) like SentenceModel::load.
    // Call it off the GUI thread: it reads the weights.
    static std::shared_ptr<LoadedModel> load(const std::string &folder);

    const std::string &folder() const { return m_folder; }
    const ModelSummary &summary() const { return m_summary; }
    // The encoder's family, shape and lengths, read from the folder's configs when it was loaded.
    const ModelArchitecture &architecture() const { return m_architecture; }
    std::uint64_t bytesOnDisk() const { return m_bytesOnDisk; }

    // Row-normalised embeddings are not assumed: callers compute cosine themselves.
    // Like SentenceModel::encode: default_prompt_name's prompt when the model sets one.
    Embeddings encode(const std::vector<std::string> &texts) const;
    // prompt + text for every text ("" = no prompt), as SentenceModel::encodeWithPrompt.
    Embeddings encode(const std::vector<std::string> &texts, const std::string &prompt) const;
    // The same in precision. Int8 throws pairtune::Error where int8Refusal() is not empty. Only this
    // call runs in int8: the other pages' encodes, mining and the near-duplicate check stay float32.
    Embeddings encode(
        const std::vector<std::string> &texts, const std::string &prompt, EncodePrecision precision) const;
    // Why the engine has no int8 path for this model ("" = it has; SentenceModel::int8Refusal), e.g.
    // MPNet and ModernBERT, or a LibTorch without an int8 engine.
    const std::string &int8Refusal() const { return m_int8Refusal; }
    // The model's prompts (config_sentence_transformers.json), as Python holds them after loading.
    const ModelPrompts &prompts() const;
    // Hard-negative mining (mine/hardnegativemining.h) with this model, under the encode lock: the
    // other pages' encodes wait until it ends. corpusTexts: extra candidates (a corpus file's lines).
    // Call it off the GUI thread.
    MiningResult mine(const PairDataset &pairs, const std::vector<std::string> &corpusTexts,
        const MiningOptions &options, const MiningCallbacks &callbacks) const;
    // Tokens the model would see for text, special tokens included, without truncation.
    std::size_t tokenCount(std::string_view text) const;
    // The near-duplicate groups of records under this model (mine/nearduplicates.h), holding the encode
    // lock for the whole check: it encodes in many batches, and another page's encode between two of them
    // would run two forward passes at once. Call it off the GUI thread; callbacks run on the calling
    // thread. Throws like findNearDuplicateGroups (Error::Kind::Cancelled on a cancel).
    NearDuplicateGroups findNearDuplicates(const std::vector<PairRecord> &records,
        const NearDuplicateOptions &options, const NearDuplicateCallbacks &callbacks) const;

private:
    LoadedModel(std::string folder, SentenceModel model);
    // m_model in precision, switched only when the previous call used the other one (int8 packs its
    // weights again: about as long as one short encode). Call with m_encodeMutex held.
    const SentenceModel &modelIn(EncodePrecision precision) const;

    std::string m_folder;
    // Mutable for modelIn's switch between float32 and int8, which m_encodeMutex serialises like encode.
    mutable SentenceModel m_model;
    ModelSummary m_summary;
    ModelArchitecture m_architecture;
    std::uint64_t m_bytesOnDisk = 0;
    std::string m_int8Refusal;
    mutable std::mutex m_encodeMutex;
};

} // namespace pairtune::ui
