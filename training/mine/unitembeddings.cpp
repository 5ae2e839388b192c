#include "mine/unitembeddings.h"

#include "core/error.h"
#include "model/sentencemodel.h"

#include <algorithm>
#include <cmath>

namespace pairtune {

std::vector<float> embedUnitRows(const SentenceModel &model, const std::vector<std::string> &texts,
    const std::string &prompt, std::size_t batchSize, std::size_t &dim,
    const UnitEmbeddingCallbacks &callbacks)
{
    std::vector<float> rows;
    const std::size_t chunk = std::max<std::size_t>(batchSize, 1) * 32;
    for (std::size_t first = 0; first < texts.size(); first += chunk) {
        if (callbacks.cancelRequested && callbacks.cancelRequested())
            throw Error(callbacks.cancelMessage, Error::Kind::Cancelled);
        const std::vector<std::string> part(texts.begin() + static_cast<std::ptrdiff_t>(first),
            texts.begin() + static_cast<std::ptrdiff_t>(std::min(first + chunk, texts.size())));
        const Embeddings e = model.encodeWithPrompt(part, prompt, batchSize);
        dim = e.dim;
        if (rows.empty())
            rows.reserve(texts.size() * e.dim);
        for (std::size_t r = 0; r < e.rows; ++r) {
            const float *row = e.row(r);
            double norm = 0.0;
            for (std::size_t i = 0; i < e.dim; ++i) {
                if (!std::isfinite(row[i]))
                    throw Error("the model gives a non-finite embedding for \"" + part[r].substr(0, 60)
                            + "\"; its weights are damaged (a run that diverged?)",
                        Error::Kind::Numeric);
                norm += static_cast<double>(row[i]) * row[i];
            }
            // As torch.nn.functional.normalize: a zero vector stays zero (eps 1e-12).
            const double scale = 1.0 / std::max(std::sqrt(norm), 1e-12);
            for (std::size_t i = 0; i < e.dim; ++i)
                rows.push_back(static_cast<float>(row[i] * scale));
        }
        if (callbacks.onEmbedded)
            callbacks.onEmbedded(first + part.size());
    }
    return rows;
}

float dotProduct(const float *a, const float *b, std::size_t dim)
{
    float sum = 0.0f;
    for (std::size_t i = 0; i < dim; ++i)
        sum += a[i] * b[i];
    return sum;
}

} // namespace pairtune
