#pragma once

// Engine-private (includes torch). Self-attention over texts of different lengths on the CPU, without
// padding and without LibTorch's batched matrix products.

#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

namespace pairtune {

// qkv: [T, 3 * hidden] float32, the real tokens of all texts one after another (text b owns rows
// offsets[b] .. offsets[b + 1]), each row query | key | value with head h in columns h*d .. h*d + d.
// Returns the context [T, hidden]: per text and head softmax(Q K^T / sqrt(d)) V, with dropout of
// probability `dropout` on the attention probabilities (0 = none; the mask is drawn as trainingDropout
// draws its masks, from one seed of the default CPU generator). Differentiable with respect to qkv.
//
// Why: LibTorch 1.13's CPU bmm multiplies each text x head matrix with its own BLAS call (one
// select + addmm per matrix, ~27,000 tiny calls per MiniLM training step) and padded grids add work
// and copies; here one parallel loop over (text, head) does scores, softmax, dropout and the
// context, and backward recomputes the dropout mask from the seed (docs/performance.md).
at::Tensor fusedAttention(
    const at::Tensor &qkv, const std::vector<int64_t> &offsets, int64_t heads, double dropout);

// offsets for fusedAttention from an attention mask [B, L]: text b's real tokens are rows
// offsets[b] .. offsets[b + 1] of the mask's nonzero entries in row-major order.
std::vector<int64_t> textOffsets(const at::Tensor &mask);

} // namespace pairtune
