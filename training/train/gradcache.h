#pragma once

// Engine-private (torch). GradCache (Gao et al. 2021), as sentence-transformers'
// CachedMultipleNegativesRankingLoss does it: a batch of in-batch-negative pairs far larger than memory
// allows for one forward pass with autograd. Pass 1 embeds the batch in mini-batches without autograd,
// remembering the random state before each; the loss runs on the whole batch's embeddings (leaf tensors)
// and its backward stops at them. Pass 2 embeds each mini-batch again with autograd from its saved random
// state (so dropout draws the same masks) and back-propagates that mini-batch's rows of the cached
// embedding gradients. The parameters' gradients are the plain step's up to float rounding; peak memory
// is one mini-batch's activations plus the batch's embeddings (docs/formats.md §5.1).

#include <torch/types.h>

#include <cstddef>
#include <functional>
#include <vector>

namespace pairtune {

// Rows [begin, begin + count) of the batch: each column's embeddings [count, d] in float32, with or
// without autograd as the caller's grad mode says, inside whatever autocast scope the step uses.
using EmbedRows = std::function<std::vector<torch::Tensor>(std::size_t begin, std::size_t count)>;

class GradCache
{
public:
    GradCache(EmbedRows embed, std::size_t rows, std::size_t miniBatch, const torch::Device &device);

    // Pass 1: each column's embeddings of all rows [rows, d], leaves that require grad.
    std::vector<torch::Tensor> embedWithoutGrad();
    // loss (computed from embedWithoutGrad's leaves) backward into the leaves, then pass 2 into the
    // parameters' gradients. The random state afterwards is the one pass 1 left.
    void backward(const torch::Tensor &loss);

    // After backward: the embeddings pass 2 computed (detached, one per column) and their largest absolute
    // difference from pass 1's; 0 on the CPU when the replay is exact.
    const std::vector<torch::Tensor> &replayed() const { return m_replayed; }
    double replayDifference() const { return m_replayDifference; }

private:
    struct RandomState
    {
        torch::Tensor cpu; // the default CPU generator: the seeds of dropout.cpp and fusedattention.cpp
        torch::Tensor device; // the device's generator (at::dropout, SDPA dropout on a GPU); undefined on CPU
    };
    RandomState saveRandomState() const;
    void restoreRandomState(const RandomState &state) const;

    EmbedRows m_embed;
    std::size_t m_rows = 0;
    std::size_t m_miniBatch = 1;
    torch::Device m_device;
    std::vector<RandomState> m_states; // before each mini-batch of pass 1
    RandomState m_after; // after pass 1
    std::vector<torch::Tensor> m_leaves;
    std::vector<torch::Tensor> m_replayed;
    double m_replayDifference = 0.0;
};

} // namespace pairtune
