#include "recipe/matryoshka.h"

#include "core/error.h"
#include "recipe/trainingconfig.h"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace pairtune {

std::vector<int> defaultMatryoshkaDims(int modelDim)
{
    std::vector<int> dims;
    for (int dim = modelDim; dim >= 32 || dims.empty(); dim /= 2) {
        dims.push_back(dim);
        if (dim < 2)
            break;
    }
    return dims;
}

std::vector<std::string> matryoshkaProblems(const TrainingConfig &config, int modelDim)
{
    std::vector<std::string> problems;
    if (!config.matryoshka)
        return problems;
    const std::vector<int> &dims = config.matryoshkaDims;
    for (std::size_t i = 0; i < dims.size(); ++i) {
        if (dims[i] < 1) {
            problems.push_back("Matryoshka sizes must be at least 1 (got " + std::to_string(dims[i]) + ").");
            break;
        }
        if (i > 0 && dims[i] >= dims[i - 1]) {
            problems.push_back("Matryoshka sizes must be listed largest first, each smaller than the one "
                               "before (got "
                + matryoshkaDimsText(dims) + ").");
            break;
        }
    }
    if (modelDim > 0 && !dims.empty() && dims.front() > modelDim)
        problems.push_back("The Matryoshka size " + std::to_string(dims.front())
            + " is larger than the model's embedding dimension " + std::to_string(modelDim)
            + "; choose sizes up to " + std::to_string(modelDim) + ".");
    const std::vector<double> &weights = config.matryoshkaWeights;
    // With the default sizes, their count is known only once the model's dimension is.
    const bool dimsKnown = !dims.empty() || modelDim > 0;
    if (dimsKnown && !weights.empty() && weights.size() != dims.size())
        problems.push_back("Give one Matryoshka weight per size (" + std::to_string(dims.size()) + " sizes, "
            + std::to_string(weights.size()) + " weights), or none for weight 1 each.");
    for (const double weight : weights) {
        if (!std::isfinite(weight) || weight < 0.0) {
            problems.push_back("Matryoshka weights must be finite and not negative.");
            break;
        }
    }
    return problems;
}

void resolveMatryoshka(TrainingConfig &config, int modelDim)
{
    if (!config.matryoshka)
        return;
    if (config.matryoshkaDims.empty())
        config.matryoshkaDims = defaultMatryoshkaDims(modelDim);
    const std::vector<std::string> problems = matryoshkaProblems(config, modelDim);
    if (!problems.empty()) {
        std::string message;
        for (const std::string &problem : problems)
            message += (message.empty() ? "" : " ") + problem;
        throw Error(message);
    }
}

std::string matryoshkaMetricKey(int dim, const std::string &metric)
{
    return "dim" + std::to_string(dim) + "/" + metric;
}

std::string matryoshkaCardSection(const TrainingConfig &config, const std::map<std::string, double> &before,
    const std::map<std::string, double> &after)
{
    if (!config.matryoshka || config.matryoshkaDims.empty())
        return {};
    const auto value = [](const std::map<std::string, double> &metrics, const std::string &key) {
        const auto it = metrics.find(key);
        if (it == metrics.end())
            return std::string("–");
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%.4f", it->second);
        return std::string(buffer);
    };
    std::ostringstream text;
    text << "## Matryoshka sizes\n\nMatryoshka sizes trained: " << matryoshkaDimsText(config.matryoshkaDims)
         << " (MatryoshkaLoss";
    if (!config.matryoshkaWeights.empty()) {
        text << ", weights ";
        for (std::size_t i = 0; i < config.matryoshkaWeights.size(); ++i)
            text << (i ? ", " : "") << config.matryoshkaWeights[i];
    }
    text << "). The first D numbers of each embedding, normalised again, are an embedding of size D: "
         << "`SentenceTransformer(\"path/to/this/folder\", truncate_dim=" << config.matryoshkaDims.back()
         << ")`.\n\n| size | mrr@10 before | mrr@10 after | accuracy@1 before | accuracy@1 after |\n"
         << "|---|---|---|---|---|\n";
    for (const int dim : config.matryoshkaDims) {
        const std::string mrr = matryoshkaMetricKey(dim, "mrr@10");
        const std::string top1 = matryoshkaMetricKey(dim, "accuracy@1");
        text << "| " << dim << " | " << value(before, mrr) << " | " << value(after, mrr) << " | "
             << value(before, top1) << " | " << value(after, top1) << " |\n";
    }
    return text.str();
}

std::string matryoshkaDimsText(const std::vector<int> &dims)
{
    std::string text;
    for (const int dim : dims)
        text += (text.empty() ? "" : ", ") + std::to_string(dim);
    return text;
}

} // namespace pairtune
