#pragma once

// Engine-private (torch). The training losses of sentence-transformers (docs/formats.md §5.1).

#include "recipe/losskind.h" // LossKind, SimilarityKind, their names and what each loss uses

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
};

// anchors [B,d], positives [B,d], negatives: k tensors [B,d] (hard negatives, may be empty),
// scores [B] (used by cosine and CoSENT only). Returns a scalar.
torch::Tensor computeLoss(const LossSpec &spec, const torch::Tensor &anchors, const torch::Tensor &positives,
    const std::vector<torch::Tensor> &negatives, const torch::Tensor &scores);

// Row-wise similarity matrix a [n,d] × b [m,d] → [n,m].
torch::Tensor similarityMatrix(SimilarityKind kind, const torch::Tensor &a, const torch::Tensor &b);

} // namespace pairtune
