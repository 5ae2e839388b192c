#pragma once

// Engine-private (torch). The training losses of sentence-transformers (docs/formats.md §5.1).

#include "recipe/losskind.h" // LossKind, SimilarityKind, their names and what each loss uses
#include "recipe/trainingconfig.h"

#include <torch/types.h>

#include <vector>

namespace pairtune {

struct LossSpec
{
    LossKind kind = LossKind::Mnrl;
    // MNRL's similarity. CoSENT and the cosine loss always compare by cosine, as sentence-transformers'
    // CoSENTLoss and CosineSimilarityLoss do by default: a dot product has no fixed range, so it cannot
    // be regressed onto scores in [0, 1] or scaled by a fixed 20 sensibly.
    SimilarityKind similarity = SimilarityKind::Dot;
    double scale = 1.0; // MNRL: logits = scale · sim; CoSENT: scale · cos
    // Matryoshka (sentence-transformers' MatryoshkaLoss with n_dims_per_step -1): when not empty, the loss is
    // Σ_i weight_i · loss(normalize(x[:, :dim_i])) over every dimension, each column truncated then
    // L2-normalised as its shrink() does. Empty weights = 1 each.
    std::vector<std::int64_t> matryoshkaDims;
    std::vector<double> matryoshkaWeights;
};

// The loss a run trains with: its loss, similarity, scale and Matryoshka sizes (resolved: see
// resolveMatryoshkaDims in recipe/trainingconfig.h).
LossSpec lossSpecOf(const TrainingConfig &config);

// anchors [B,d], positives [B,d], negatives: k tensors [B,d] (hard negatives, may be empty),
// scores [B] (used by cosine and CoSENT only). Returns a scalar. The one entry point of every training and
// evaluation loss, so Matryoshka (spec.matryoshkaDims) applies wherever a loss is computed from full-size
// embeddings. Throws pairtune::Error for a Matryoshka dimension larger than d.
torch::Tensor computeLoss(const LossSpec &spec, const torch::Tensor &anchors, const torch::Tensor &positives,
    const std::vector<torch::Tensor> &negatives, const torch::Tensor &scores);

// Row-wise similarity matrix a [n,d] × b [m,d] → [n,m].
torch::Tensor similarityMatrix(SimilarityKind kind, const torch::Tensor &a, const torch::Tensor &b);

} // namespace pairtune
