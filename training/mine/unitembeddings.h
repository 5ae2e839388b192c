#pragma once

// Unit-length embeddings of many texts through the engine's encode path, in chunks so that progress moves
// and a cancel is heard between them: what hard-negative mining and the near-duplicate check search with
// eval/blockedsearch.h (dot products of unit rows are cosines).

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace pairtune {

class SentenceModel;

struct UnitEmbeddingCallbacks
{
    std::function<void(std::size_t embedded)> onEmbedded; // texts of this call embedded so far; may be empty
    std::function<bool()> cancelRequested; // true ends with Error::Kind::Cancelled; may be empty
    std::string cancelMessage = "cancelled";
};

// Row-major texts.size() x dim floats, each row normalised as torch.nn.functional.normalize (a zero
// vector stays zero). dim is set to the model's embedding size (left alone when texts is empty).
// Throws Error (Kind::Numeric) naming the text when the model gives a non-finite value.
std::vector<float> embedUnitRows(const SentenceModel &model, const std::vector<std::string> &texts,
    const std::string &prompt, std::size_t batchSize, std::size_t &dim,
    const UnitEmbeddingCallbacks &callbacks = {});

// The dot product of two rows of dim floats.
float dotProduct(const float *a, const float *b, std::size_t dim);

} // namespace pairtune
