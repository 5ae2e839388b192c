#include "lossprobe.h"

#include "core/error.h"
#include "train/losses.h"

#include <torch/torch.h>

namespace pairtune {
namespace {

torch::Tensor toTensor(const Matrix &m)
{
    if (m.empty())
        throw Error("probeLoss: empty matrix");
    std::vector<float> flat;
    for (const auto &row : m) {
        if (row.size() != m.front().size())
            throw Error("probeLoss: rows of different lengths");
        flat.insert(flat.end(), row.begin(), row.end());
    }
    return torch::tensor(flat).reshape(
        { static_cast<std::int64_t>(m.size()), static_cast<std::int64_t>(m.front().size()) });
}

Matrix toMatrix(const torch::Tensor &t)
{
    const torch::Tensor c = t.contiguous().to(torch::kFloat32);
    Matrix m(static_cast<std::size_t>(c.size(0)));
    for (std::int64_t i = 0; i < c.size(0); ++i)
        m[static_cast<std::size_t>(i)].assign(c[i].data_ptr<float>(), c[i].data_ptr<float>() + c.size(1));
    return m;
}

} // namespace

LossProbeOutput probeLoss(const LossProbeInput &input)
{
    LossSpec spec { parseLossKind(input.loss), parseSimilarityKind(input.similarity), input.scale };
    spec.matryoshkaDims = input.matryoshkaDims;
    spec.matryoshkaWeights = input.matryoshkaWeights;
    torch::Tensor anchors = toTensor(input.anchors).set_requires_grad(true);
    torch::Tensor positives = toTensor(input.positives).set_requires_grad(true);
    std::vector<torch::Tensor> negatives;
    for (const Matrix &m : input.negatives)
        negatives.push_back(toTensor(m));
    const torch::Tensor scores
        = input.scores.empty() ? torch::zeros({ anchors.size(0) }) : torch::tensor(input.scores);
    const torch::Tensor loss = computeLoss(spec, anchors, positives, negatives, scores);
    loss.backward();
    return { loss.item<double>(), toMatrix(anchors.grad()), toMatrix(positives.grad()) };
}

} // namespace pairtune
