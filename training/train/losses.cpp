#include "train/losses.h"

#include "core/error.h"

#include <torch/torch.h>

namespace pairtune {
namespace {

torch::Tensor normalizeRows(const torch::Tensor &x)
{
    // F.normalize: x / max(||x||, 1e-12)
    return x / x.norm(2, { 1 }, true).clamp_min(1e-12);
}

torch::Tensor mnrl(const LossSpec &spec, const torch::Tensor &anchors, const torch::Tensor &positives,
    const std::vector<torch::Tensor> &negatives)
{
    std::vector<torch::Tensor> candidates { positives };
    candidates.insert(candidates.end(), negatives.begin(), negatives.end());
    const torch::Tensor corpus = torch::cat(candidates, 0);
    const torch::Tensor logits = similarityMatrix(spec.similarity, anchors, corpus) * spec.scale;
    const torch::Tensor labels
        = torch::arange(anchors.size(0), torch::TensorOptions().dtype(torch::kLong).device(anchors.device()));
    torch::Tensor loss = torch::nn::functional::cross_entropy(logits, labels);
    if (spec.kind == LossKind::MnrlSymmetric) {
        // Positives retrieving their anchor: the [B,B] block of the scores, transposed.
        const torch::Tensor backward = logits.narrow(1, 0, anchors.size(0)).t();
        loss = (loss + torch::nn::functional::cross_entropy(backward, labels)) / 2.0;
    }
    return loss;
}

torch::Tensor cosineSimilarityLoss(
    const torch::Tensor &anchors, const torch::Tensor &positives, const torch::Tensor &scores)
{
    // torch.cosine_similarity: u·v / (max(||u||, eps) · max(||v||, eps)), eps 1e-8
    const torch::Tensor dot = (anchors * positives).sum(1);
    const torch::Tensor cos
        = dot / (anchors.norm(2, { 1 }).clamp_min(1e-8) * positives.norm(2, { 1 }).clamp_min(1e-8));
    return torch::mse_loss(cos, scores.to(cos.dtype()));
}

torch::Tensor cosentLoss(const LossSpec &spec, const torch::Tensor &anchors, const torch::Tensor &positives,
    const torch::Tensor &scores)
{
    const torch::Tensor cos = (normalizeRows(anchors) * normalizeRows(positives)).sum(1) * spec.scale;
    torch::Tensor diff = cos.unsqueeze(1) - cos.unsqueeze(0); // [i,j] = s_i − s_j
    const torch::Tensor labels = scores.to(cos.dtype());
    const torch::Tensor keep = labels.unsqueeze(1) < labels.unsqueeze(0); // label_i < label_j
    diff = diff - (1 - keep.to(diff.dtype())) * 1e12;
    const torch::Tensor flat = torch::cat({ torch::zeros({ 1 }, diff.options()), diff.flatten() });
    return torch::logsumexp(flat, 0);
}

} // namespace

torch::Tensor similarityMatrix(SimilarityKind kind, const torch::Tensor &a, const torch::Tensor &b)
{
    if (kind == SimilarityKind::Cosine)
        return torch::mm(normalizeRows(a), normalizeRows(b).t());
    return torch::mm(a, b.t());
}

namespace {

torch::Tensor singleLoss(const LossSpec &spec, const torch::Tensor &anchors, const torch::Tensor &positives,
    const std::vector<torch::Tensor> &negatives, const torch::Tensor &scores)
{
    switch (spec.kind) {
    case LossKind::Mnrl:
    case LossKind::MnrlSymmetric:
        return mnrl(spec, anchors, positives, negatives);
    case LossKind::Cosine:
        return cosineSimilarityLoss(anchors, positives, scores);
    case LossKind::CoSent:
        return cosentLoss(spec, anchors, positives, scores);
    }
    throw Error("unsupported loss");
}

// MatryoshkaLoss's shrink(): the first dim columns, L2-normalised.
torch::Tensor shrink(const torch::Tensor &x, std::int64_t dim)
{
    if (dim < 1 || dim > x.size(1))
        throw Error("Matryoshka dimension " + std::to_string(dim) + " must be between 1 and the model's "
            + "embedding dimension " + std::to_string(x.size(1)) + "; choose smaller sizes");
    return normalizeRows(x.narrow(1, 0, dim));
}

} // namespace

torch::Tensor computeLoss(const LossSpec &spec, const torch::Tensor &anchors, const torch::Tensor &positives,
    const std::vector<torch::Tensor> &negatives, const torch::Tensor &scores)
{
    if (spec.matryoshkaDims.empty())
        return singleLoss(spec, anchors, positives, negatives, scores);
    // The full-size embeddings are computed once; every size reuses them (ForwardDecorator's cache).
    torch::Tensor total;
    for (std::size_t i = 0; i < spec.matryoshkaDims.size(); ++i) {
        const std::int64_t dim = spec.matryoshkaDims[i];
        std::vector<torch::Tensor> shrunkNegatives;
        for (const auto &negative : negatives)
            shrunkNegatives.push_back(shrink(negative, dim));
        const double weight = i < spec.matryoshkaWeights.size() ? spec.matryoshkaWeights[i] : 1.0;
        const torch::Tensor term = weight
            * singleLoss(spec, shrink(anchors, dim), shrink(positives, dim), shrunkNegatives, scores);
        total = total.defined() ? total + term : term;
    }
    return total;
}

LossSpec lossSpecOf(const TrainingConfig &config)
{
    LossSpec spec { parseLossKind(config.loss), parseSimilarityKind(config.similarity), config.scale };
    if (config.matryoshka) {
        spec.matryoshkaDims.assign(config.matryoshkaDims.begin(), config.matryoshkaDims.end());
        spec.matryoshkaWeights = config.matryoshkaWeights;
    }
    return spec;
}

} // namespace pairtune
