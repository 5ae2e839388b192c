#pragma once

// Engine-private, torch-free. LayerNorm over rows of `width` floats, with the residual add before it, as
// loops over a range of rows, so that model/fusedlayers.cpp can split the rows across the cores.

#include <cstdint>

namespace pairtune {

struct LayerNormRows
{
    std::int64_t width = 0; // the normalised size (hidden)
    float eps = 0.0f;
    const float *weight = nullptr;
    const float *bias = nullptr;
};

// For rows [begin, end): sum = x + residual (residual may be null: sum is then x and is not written),
// mean and rstd (1 / sqrt(biased variance + eps)) per row, out = (sum - mean) * rstd * weight + bias.
void layerNormForward(const LayerNormRows &n, const float *x, const float *residual, float *sum, float *out,
    float *mean, float *rstd, std::int64_t begin, std::int64_t end);

// The gradient for rows [begin, end) given the saved sum (the norm's input), mean and rstd: dx per row,
// and this range's share of the weight and bias gradients added to dweight and dbias ([width] each).
void layerNormBackward(const LayerNormRows &n, const float *dy, const float *sum, const float *mean,
    const float *rstd, float *dx, float *dweight, float *dbias, std::int64_t begin, std::int64_t end);

} // namespace pairtune
