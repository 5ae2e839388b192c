#pragma once

// Engine-private (includes torch). sentence-transformers' Pooling and Normalize (docs/formats.md §3.3).

#include "model/modelconfig.h"

#include <ATen/core/Tensor.h>

namespace pairtune {

// tokens [B, L, H], mask [B, L] (1 = real token) -> [B, modeCount * H], the enabled modes
// concatenated in the order cls, max, mean, mean_sqrt_len_tokens, weightedmean, lasttoken.
at::Tensor poolTokens(const PoolingConfig &config, const at::Tensor &tokens, const at::Tensor &mask);

// F.normalize(x, p=2, dim=1): x / max(||x||, 1e-12).
at::Tensor normalizeRows(const at::Tensor &x);

} // namespace pairtune
