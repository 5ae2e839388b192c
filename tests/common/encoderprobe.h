#pragma once

// Torch-free checks of the encoder's speed-ups, for the Qt Test suites (which cannot include torch
// headers, docs/pitfalls.md §1): the fused CPU attention against one padded grid, and the training dropout.

#include <cstdint>
#include <vector>

namespace pairtune {

struct FusedAttentionCheck
{
    double maxOutputDifference = 0.0; // last_hidden_state, real tokens, fused vs one padded grid
    double maxGradientDifference = 0.0; // every parameter's gradient of a fixed projection of it
    double maxOutputMagnitude = 0.0;
    double maxGradientMagnitude = 0.0;
};

// A small random BERT (2 layers, hidden 32, 4 heads, dropout off) on texts of the given lengths
// (random ids, padded to the longest as makeBatch does), run once with the fused CPU attention and
// once with every text in one padded grid (the SDPA / matmul path).
FusedAttentionCheck checkFusedAttention(const std::vector<int64_t> &lengths, std::uint64_t seed);

// The fused attention kernel on its own with dropout p on the probabilities, against the same
// attention written with tensor ops and the mask the kernel draws (recomputed from the same seed of
// the default generator): outputs and the gradient with respect to the [T, 3 * hidden] input.
struct FusedDropoutCheck
{
    double maxOutputDifference = 0.0;
    double maxGradientDifference = 0.0;
    double maxOutputMagnitude = 0.0;
    double maxGradientMagnitude = 0.0;
    double droppedFraction = 0.0; // of the attention probabilities
    bool reproducibleFromSeed = false;
};
FusedDropoutCheck checkFusedAttentionDropout(
    const std::vector<int64_t> &lengths, int64_t heads, int64_t headSize, double p, std::uint64_t seed);

struct DropoutCheck
{
    double keptFraction = 0.0;
    double maxKeptScaleError = 0.0; // |out / in - 1 / (1 - p)| over kept elements
    bool zerosWhereDropped = false; // out is exactly 0 where not kept
    bool gradientFollowsMask = false; // backward passes gradient exactly where forward kept, scaled
    bool reproducibleFromSeed = false; // the same default-generator seed gives the same mask
    bool consecutiveCallsDiffer = false; // two calls in a row draw different masks
};

// trainingDropout() on n elements of a random tensor with drop probability p, the default CPU
// generator seeded with `seed`.
DropoutCheck checkDropout(int64_t n, double p, std::uint64_t seed);

} // namespace pairtune
