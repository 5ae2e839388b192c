#pragma once

// Engine-private (includes torch). Dropout for training on the CPU without LibTorch's bernoulli_.

#include <ATen/ATen.h>

namespace pairtune {

// The same distribution as at::dropout (each element kept with probability 1 - p and then scaled by
// 1 / (1 - p), otherwise 0), drawn differently: LibTorch 1.13's CPU bernoulli_ takes one Mersenne
// Twister draw per element on one thread and was 15 % of a MiniLM training step (docs/performance.md).
// Here each call takes one 64-bit seed from the default CPU generator (so checkpoints, which save that
// generator, still resume exactly) and a counter-based hash of (seed, element index) decides each
// element, in the same pass that scales it. Backward recomputes the mask from the seed, so no mask is
// stored. bf16 input (autocast) is widened to float32 first; other devices and dtypes, p outside
// (0, 1) and inference use at::dropout.
at::Tensor trainingDropout(const at::Tensor &input, double p, bool training);

} // namespace pairtune
