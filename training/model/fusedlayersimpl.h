#pragma once

// Engine-private (includes torch). The encoder's element-wise layers on the CPU with their rows split
// across the cores the matrix products use (model/corethreads.h), instead of LibTorch's kernels on its
// single intra-op thread, which leave the other cores idle between products (docs/performance.md).

#include <ATen/ATen.h>

namespace pairtune {

// layer_norm(x + residual) over the last dimension, one pass for the add and the norm (an undefined
// residual: LibTorch's layer_norm(x)). Differentiable with respect to x, residual, weight and bias. Float32
// CPU tensors of two dimensions; anything else goes through LibTorch's ops.
at::Tensor residualLayerNorm(const at::Tensor &x, const at::Tensor &residual, const at::Tensor &weight,
    const at::Tensor &bias, double eps);

// at::gelu(x) (exact erf) forward and backward through LibTorch's own kernels on ranges of rows, so the
// values are LibTorch's bit for bit. Float32 CPU tensors; anything else is at::gelu.
at::Tensor splitGelu(const at::Tensor &x);

} // namespace pairtune
