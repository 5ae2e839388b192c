#pragma once

// Torch-free checks of the encoder's row-split element-wise layers (model/fusedlayersimpl.h) against
// LibTorch's own ops, for the Qt Test suites (which cannot include torch headers, docs/pitfalls.md §1).

#include <cstdint>

namespace pairtune {

struct FusedLayerCheck
{
    double maxOutputDifference = 0.0;
    double maxInputGradientDifference = 0.0; // d/dx
    double maxResidualGradientDifference = 0.0;
    double maxWeightGradientDifference = 0.0; // LayerNorm's weight and bias
    double maxOutputMagnitude = 0.0;
    double maxInputGradientMagnitude = 0.0;
    double maxWeightGradientMagnitude = 0.0;
};

// residualLayerNorm(x, residual, weight, bias) against at::layer_norm(x + residual) on random [rows, width]
// inputs (rows far from zero mean, random weight and bias), forward and the gradients of a random
// projection of the output with respect to x, residual, weight and bias.
FusedLayerCheck checkAddLayerNorm(std::int64_t rows, std::int64_t width, std::uint64_t seed);

// splitGelu(x) against at::gelu(x), forward and backward (LibTorch's kernels on row ranges: exact).
FusedLayerCheck checkSplitGelu(std::int64_t rows, std::int64_t width, std::uint64_t seed);

} // namespace pairtune
