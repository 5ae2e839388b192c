#pragma once

// Plain C++ (no torch): the automatic mini-batch of grad_cache (train/gradcache.h) from the model's size,
// the data's longest text and the memory free on the training device.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace pairtune {

// What the automatic mini-batch is chosen from.
struct MiniBatchInputs
{
    std::size_t batch = 0; // pairs per step on this process
    std::size_t columns = 2; // texts per pair (anchor, positive, hard negatives)
    std::size_t tokensPerText = 0; // the training data's longest text in tokens
    int hiddenSize = 0;
    int intermediateSize = 0;
    int layers = 0;
    int heads = 0;
    std::uint64_t availableBytes = 0; // memory free for training on the device
};

struct MiniBatchChoice
{
    std::size_t pairs = 1;
    std::string reason; // one sentence for the run's log
};

// The rule (docs/formats.md §5.1): a quarter of the available memory for one mini-batch's activations,
// each text costing layers · tokens · (4 · (10 · hidden + 2 · intermediate) + 8 · heads · tokens) bytes
// (float32 activations autograd keeps per token and layer, attention probabilities twice); the pairs
// that fit, at least 1 and at most the batch, rounded down to a multiple of 8 above 8.
MiniBatchChoice chooseMiniBatch(const MiniBatchInputs &inputs);

// MemAvailable of a /proc/meminfo text in bytes; nullopt when absent.
std::optional<std::uint64_t> memAvailableFromMeminfo(const std::string &meminfo);
// Free memory for training: the CPU's MemAvailable; on a CUDA device (cuda true) cudaMemGetInfo's free
// bytes when LibTorch's CUDA runtime is loaded, else a conservative 4 GiB.
std::uint64_t availableTrainingBytes(bool cuda);

} // namespace pairtune
