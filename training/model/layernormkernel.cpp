#include "model/layernormkernel.h"

#include <cmath>

namespace pairtune {
namespace {

// Sums over a row in 16 lanes the compiler keeps in registers (it does not reorder a float reduction
// by itself, so a plain loop would stay scalar), then the lanes and the tail.
constexpr std::int64_t kLanes = 16;

inline float rowSum(const float *a, std::int64_t n)
{
    float lanes[kLanes] = {};
    std::int64_t j = 0;
    for (; j + kLanes <= n; j += kLanes)
        for (std::int64_t u = 0; u < kLanes; ++u)
            lanes[u] += a[j + u];
    float total = 0.0f;
    for (; j < n; ++j)
        total += a[j];
    for (const float lane : lanes)
        total += lane;
    return total;
}

inline float centredSquares(const float *a, float mean, std::int64_t n)
{
    float lanes[kLanes] = {};
    std::int64_t j = 0;
    for (; j + kLanes <= n; j += kLanes)
        for (std::int64_t u = 0; u < kLanes; ++u)
            lanes[u] += (a[j + u] - mean) * (a[j + u] - mean);
    float total = 0.0f;
    for (; j < n; ++j)
        total += (a[j] - mean) * (a[j] - mean);
    for (const float lane : lanes)
        total += lane;
    return total;
}

// sum over j of g[j] and of g[j] * xhat[j], with g = dy * weight and xhat = (x - mean) * rstd.
inline void gradientSums(const float *dy, const float *w, const float *x, float mean, float rstd,
    std::int64_t n, float &sumG, float &sumGXhat)
{
    float lanesG[kLanes] = {};
    float lanesGX[kLanes] = {};
    std::int64_t j = 0;
    for (; j + kLanes <= n; j += kLanes)
        for (std::int64_t u = 0; u < kLanes; ++u) {
            const float g = dy[j + u] * w[j + u];
            lanesG[u] += g;
            lanesGX[u] += g * ((x[j + u] - mean) * rstd);
        }
    sumG = 0.0f;
    sumGXhat = 0.0f;
    for (; j < n; ++j) {
        const float g = dy[j] * w[j];
        sumG += g;
        sumGXhat += g * ((x[j] - mean) * rstd);
    }
    for (std::int64_t u = 0; u < kLanes; ++u) {
        sumG += lanesG[u];
        sumGXhat += lanesGX[u];
    }
}

} // namespace

__attribute__((target_clones("avx512f", "avx2", "default"))) void layerNormForward(const LayerNormRows &n,
    const float *x, const float *residual, float *sum, float *out, float *mean, float *rstd,
    std::int64_t begin, std::int64_t end)
{
    const std::int64_t h = n.width;
    for (std::int64_t r = begin; r < end; ++r) {
        const float *in = x + r * h;
        if (residual) {
            float *s = sum + r * h;
            const float *res = residual + r * h;
            for (std::int64_t j = 0; j < h; ++j)
                s[j] = in[j] + res[j];
            in = s;
        }
        // Two passes (mean, then the centred squares): no cancellation for rows far from zero.
        const float m = rowSum(in, h) / float(h);
        const float variance = centredSquares(in, m, h) / float(h);
        const float inverse = 1.0f / std::sqrt(variance + n.eps);
        mean[r] = m;
        rstd[r] = inverse;
        float *y = out + r * h;
        for (std::int64_t j = 0; j < h; ++j)
            y[j] = (in[j] - m) * inverse * n.weight[j] + n.bias[j];
    }
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void layerNormBackward(const LayerNormRows &n,
    const float *dy, const float *sum, const float *mean, const float *rstd, float *dx, float *dweight,
    float *dbias, std::int64_t begin, std::int64_t end)
{
    const std::int64_t h = n.width;
    const float *w = n.weight;
    for (std::int64_t r = begin; r < end; ++r) {
        const float *g = dy + r * h;
        const float *x = sum + r * h;
        const float m = mean[r];
        const float inverse = rstd[r];
        float sumG = 0.0f;
        float sumGXhat = 0.0f;
        gradientSums(g, w, x, m, inverse, h, sumG, sumGXhat);
        // dx = rstd * (g - mean(g) - xhat * mean(g * xhat)), g = dy * weight
        const float meanG = sumG / float(h);
        const float meanGXhat = sumGXhat / float(h);
        float *d = dx + r * h;
        for (std::int64_t j = 0; j < h; ++j) {
            const float xhat = (x[j] - m) * inverse;
            d[j] = inverse * (g[j] * w[j] - meanG - xhat * meanGXhat);
            dweight[j] += g[j] * xhat;
            dbias[j] += g[j];
        }
    }
}

} // namespace pairtune
