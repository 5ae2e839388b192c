#pragma once

// Engine-private, torch-free. The per-element loops of AdamW (train/adamw.cpp) and of its gradient-norm
// clip: plain float32 arithmetic over raw memory, vectorised, so the optimizer is one pass over memory.

#include <cstdint>

namespace pairtune {

struct AdamWScalars
{
    float decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, sqrtBiasCorrection2, eps, negStepSize;
    // The clip coefficient (1 when the norm is within the limit): the gradient is multiplied by it
    // as it is read, instead of in a pass of its own before the update (same float32 product).
    float gradScale = 1.0f;
};

// Elements [begin, end) of one parameter: p, m, v updated in place from g, as torch.optim.AdamW's
// single-tensor path does, in its order of operations.
void adamwUpdate(float *p, const float *g, float *m, float *v, std::int64_t begin, std::int64_t end,
    const AdamWScalars &s);

// The sum of g[i]^2 over [begin, end): float32 partial sums of 16 lanes over short blocks, added up in
// double, so the result is as accurate as torch's float32 norm or better.
double sumOfSquares(const float *g, std::int64_t begin, std::int64_t end);

} // namespace pairtune
