#include "ui/loadedmodel.h"

#include "mine/hardnegativemining.h"

#include <filesystem>

namespace pairtune::ui {
namespace {

std::uint64_t folderBytes(const std::string &folder)
{
    namespace fs = std::filesystem;
    std::uint64_t total = 0;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code sizeError;
        if (it->is_regular_file(sizeError))
            total += it->file_size(sizeError);
    }
    return total;
}

ModelArchitecture architectureOf(const ModelSummary &summary)
{
    ModelArchitecture a;
    a.family = familyName(summary.architecture);
    a.modelClass = summary.modelClass;
    a.layers = summary.layers;
    a.heads = summary.heads;
    a.hidden = summary.hidden;
    a.intermediate = summary.intermediate;
    a.maxSeqLength = summary.maxSeqLength;
    a.maxPositions = summary.maxPositions;
    a.globalAttentionEvery = summary.globalAttentionEvery;
    a.localWindow = summary.localWindow;
    return a;
}

} // namespace

LoadedModel::LoadedModel(std::string folder, SentenceModel model)
    : m_folder(std::move(folder))
    , m_model(std::move(model))
    , m_summary(m_model.summary())
    , m_architecture(architectureOf(m_summary))
    , m_bytesOnDisk(folderBytes(m_folder))
    , m_int8Refusal(m_model.int8Refusal())
{ }

std::shared_ptr<LoadedModel> LoadedModel::load(const std::string &folder)
{
    SentenceModel model = SentenceModel::load(folder);
    return std::shared_ptr<LoadedModel>(new LoadedModel(folder, std::move(model)));
}

const SentenceModel &LoadedModel::modelIn(EncodePrecision precision) const
{
    if (precision == EncodePrecision::Int8)
        m_model.useInt8Inference(); // packs once; later calls in int8 find it packed
    else if (m_model.usesInt8Inference())
        m_model.useFloat32Inference();
    return m_model;
}

Embeddings LoadedModel::encode(const std::vector<std::string> &texts) const
{
    const std::lock_guard lock(m_encodeMutex);
    return modelIn(EncodePrecision::Float32).encode(texts);
}

Embeddings LoadedModel::encode(const std::vector<std::string> &texts, const std::string &prompt) const
{
    return encode(texts, prompt, EncodePrecision::Float32);
}

Embeddings LoadedModel::encode(
    const std::vector<std::string> &texts, const std::string &prompt, EncodePrecision precision) const
{
    const std::lock_guard lock(m_encodeMutex);
    return modelIn(precision).encodeWithPrompt(texts, prompt);
}

NearDuplicateGroups LoadedModel::findNearDuplicates(const std::vector<PairRecord> &records,
    const NearDuplicateOptions &options, const NearDuplicateCallbacks &callbacks) const
{
    const std::lock_guard lock(m_encodeMutex);
    return findNearDuplicateGroups(modelIn(EncodePrecision::Float32), records, options, callbacks);
}

MiningResult LoadedModel::mine(const PairDataset &pairs, const std::vector<std::string> &corpusTexts,
    const MiningOptions &options, const MiningCallbacks &callbacks) const
{
    const std::lock_guard lock(m_encodeMutex);
    return mineHardNegatives(modelIn(EncodePrecision::Float32), pairs, corpusTexts, options, callbacks);
}

const ModelPrompts &LoadedModel::prompts() const
{
    return m_model.prompts();
}

std::size_t LoadedModel::tokenCount(std::string_view text) const
{
    return m_model.tokenizer().encode(text, 0).ids.size();
}

} // namespace pairtune::ui
