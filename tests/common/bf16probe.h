#pragma once

// A torch-free window onto training under bf16 autocast, for tests. The trainer refuses --bf16 on a CPU
// without native bf16 instructions (emulated, it is slower than float32), but the arithmetic is the
// same there: this runs the trainer's step (Bf16Autocast around the model's forward, the loss in
// float32, backward, AdamW) on a small model, so every architecture's bf16 path (relative position
// bias, rotary embeddings, GeGLU, fused attention) is exercised on any CPU.

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace pairtune {

struct Bf16ProbeOptions
{
    bool bf16 = true; // false: the same steps in float32, the baseline
    int steps = 3;
    double lr = 1e-3;
    double scale = 20.0; // MNRL with cosine similarity, sentence-transformers' default
};

struct Bf16ProbeResult
{
    std::vector<double> losses; // one per step
    bool gradientsFinite = true; // every gradient of every step
    std::size_t parametersWithGradient = 0; // in the first step
    // The anchors' embeddings after the steps, computed in float32 without autocast, rows x dim.
    std::vector<float> embeddings;
    std::size_t dim = 0;
};

// Loads the model folder and trains `steps` steps on the (anchor, positive) pairs, all in one batch,
// dropout off. Throws pairtune::Error.
Bf16ProbeResult probeBf16Training(const std::string &modelFolder,
    const std::vector<std::pair<std::string, std::string>> &pairs, const Bf16ProbeOptions &options);

} // namespace pairtune
