#include "ui/contextmemory.h"

#include <algorithm>
#include <unistd.h>
#include <utility>

namespace pairtune::ui {

std::string familyName(const std::string &modelType)
{
    static const std::pair<const char *, const char *> names[]
        = { { "bert", "BERT" }, { "distilbert", "DistilBERT" }, { "roberta", "RoBERTa" },
              { "xlm-roberta", "XLM-R" }, { "mpnet", "MPNet" }, { "modernbert", "ModernBERT" } };
    for (const auto &[type, name] : names)
        if (modelType == type)
            return name;
    return modelType;
}

TrainingMemoryEstimate estimateTrainingMemory(const ModelArchitecture &model, int length, int texts)
{
    constexpr std::uint64_t kFloat = 4;
    constexpr std::uint64_t kGridsPerHead = 2;
    const auto l = std::uint64_t(std::max(0, length));
    const auto perText = std::uint64_t(std::max(0, texts)) * std::uint64_t(std::max(0, model.layers));
    TrainingMemoryEstimate estimate;
    estimate.attentionBytes = perText * std::uint64_t(model.heads) * l * l * kGridsPerHead * kFloat;
    estimate.activationBytes
        = perText * l * (10 * std::uint64_t(model.hidden) + 3 * std::uint64_t(model.intermediate)) * kFloat;
    return estimate;
}

int suggestedMaxLength(const ModelArchitecture &model, int texts, std::uint64_t budgetBytes)
{
    int best = 128;
    const int ceiling = std::min(kLongContextTokens, model.maxSeqLength);
    for (int length = 256; length <= ceiling; length *= 2)
        if (estimateTrainingMemory(model, length, texts).total() <= budgetBytes)
            best = length;
    return best;
}

std::uint64_t physicalMemoryBytes()
{
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long pageSize = sysconf(_SC_PAGE_SIZE);
    return pages > 0 && pageSize > 0 ? std::uint64_t(pages) * std::uint64_t(pageSize) : 0;
}

} // namespace pairtune::ui
