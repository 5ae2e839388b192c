#include "train/adamwkernel.h"

#include <algorithm>
#include <cmath>

namespace pairtune {

// Compiled with -ffp-contract=off (CMakeLists.txt): the AVX-512/AVX2 clones vectorise the loop without
// fusing a * b + c into one rounding, so every element gets the same float32 operations, in the same
// order, as the scalar version and as the tensor ops it replaces (tst_adamw, tst_onestep).
__attribute__((target_clones("avx512f", "avx2", "default"))) void adamwUpdate(
    float *p, const float *g, float *m, float *v, std::int64_t begin, std::int64_t end, const AdamWScalars &s)
{
    for (std::int64_t i = begin; i < end; ++i) {
        const float grad = g[i] * s.gradScale;
        const float value = p[i] * s.decay;
        const float expAvg = m[i] * s.beta1 + s.oneMinusBeta1 * grad;
        const float expAvgSq = v[i] * s.beta2 + s.oneMinusBeta2 * grad * grad;
        const float denominator = std::sqrt(expAvgSq) / s.sqrtBiasCorrection2 + s.eps;
        m[i] = expAvg;
        v[i] = expAvgSq;
        p[i] = value + s.negStepSize * (expAvg / denominator);
    }
}

__attribute__((target_clones("avx512f", "avx2", "default"))) double sumOfSquares(
    const float *g, std::int64_t begin, std::int64_t end)
{
    // 16 lanes held in registers across a block of 1,024 elements (the compiler does not reorder a
    // float reduction by itself), then each block's sum in double.
    constexpr std::int64_t kLanes = 16;
    constexpr std::int64_t kBlock = 1024;
    double total = 0.0;
    std::int64_t i = begin;
    while (end - i >= kLanes) {
        const std::int64_t blockEnd = i + std::min(kBlock, (end - i) / kLanes * kLanes);
        float lanes[kLanes] = {};
        for (; i < blockEnd; i += kLanes)
            for (std::int64_t u = 0; u < kLanes; ++u)
                lanes[u] += g[i + u] * g[i + u];
        for (const float lane : lanes)
            total += lane;
    }
    for (; i < end; ++i)
        total += double(g[i]) * double(g[i]);
    return total;
}

} // namespace pairtune
