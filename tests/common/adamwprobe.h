#pragma once

// A torch-free window onto AdamW's two update paths, for tests (which never include torch): the fused
// CPU loop (contiguous float32 parameters) and the multi-tensor path that GPU parameters take.

#include <cstdint>
#include <vector>

namespace pairtune {

struct AdamWPathsResult
{
    std::vector<float> initial; // the parameters before any step, flattened
    std::vector<float> fused; // after the steps through the fused CPU loop
    std::vector<float> general; // after the same steps through the multi-tensor path
};

// Runs `steps` AdamW updates with the same random gradients on two copies of a few random parameters
// (with and without weight decay): one copy contiguous (fused loop), one made of transposed views
// (not fusable, so it takes the general path).
AdamWPathsResult probeAdamWPaths(int steps, double lr, std::uint64_t seed);

} // namespace pairtune
