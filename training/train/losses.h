#pragma once

// Engine-private (torch). The training losses of sentence-transformers (docs/formats.md §5.1).

#include <torch/types.h>

#include <string>
#include <vector>

namespace pairtune {

enum class LossKind { Mnrl, MnrlSymmetric, Cosine, CoSent };
enum class SimilarityKind { Dot, Cosine };

LossKind parseLossKind(const std::string &name); // mnrl, mnrl_symmetric, cosine, cosent
SimilarityKind parseSimilarityKind(const std::string &name); // dot, cos
bool lossUsesScores(LossKind kind); // cosine and cosent learn from scores; MNRL ignores them
bool lossUsesNegatives(LossKind kind);

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
