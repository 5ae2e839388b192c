#pragma once

// A torch-free window onto one grad-cache step (training/train/gradcache.h) under bf16 autocast, for
// tests. The trainer refuses --bf16 on a CPU without native bf16 instructions (emulated, it is slower
// than float32), but the arithmetic is the same there: this runs one MNRL step on a small model the way
// TrainingRun::trainStep does (each mini-batch's forward inside Bf16Autocast, the loss in float32), with
// grad cache or as the plain step, so the bf16 grad-cache path is checked on any CPU.

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace pairtune {

struct GradCacheProbeOptions
{
    bool bf16 = true; // false: float32
    bool dropout = false;
    bool gradCache = true; // false: the plain step (one forward pass with autograd)
    std::size_t miniBatch = 2; // pairs per mini-batch when gradCache
    double scale = 20.0; // MNRL with cosine similarity
    unsigned long long seed = 7; // the random state before the step (dropout's masks)
};

struct GradCacheProbeResult
{
    double loss = 0.0;
    // gradCache only: the loss recomputed from pass 2's embeddings and their largest absolute difference
    // from pass 1's (0 when the random state was replayed exactly).
    double replayedLoss = 0.0;
    double replayDifference = 0.0;
    // Every parameter's gradient after backward, in namedParameters() order.
    std::vector<std::pair<std::string, std::vector<float>>> gradients;
};

// Loads the model folder and runs one step's forward, loss and backward on the (anchor, positive) pairs
// (no optimizer update). Throws pairtune::Error.
GradCacheProbeResult probeGradCacheStep(const std::string &modelFolder,
    const std::vector<std::pair<std::string, std::string>> &pairs, const GradCacheProbeOptions &options);

} // namespace pairtune
