#include "model/poolingimpl.h"

#include <ATen/ATen.h>

#include <tuple>
#include <vector>

namespace pairtune {

at::Tensor poolTokens(const PoolingConfig &config, const at::Tensor &tokens, const at::Tensor &mask)
{
    const int64_t batch = tokens.size(0);
    const int64_t length = tokens.size(1);
    const int64_t hidden = tokens.size(2);
    // Pooling.forward casts the mask to the embeddings' dtype; [B, L, 1] broadcasts over H.
    const at::Tensor m = mask.unsqueeze(-1).to(tokens.scalar_type());
    std::vector<at::Tensor> outputs;

    if (config.clsToken)
        outputs.push_back(tokens.select(1, 0));
    if (config.maxTokens) {
        // Padding is set to -1e9 (not -inf) before the max, as Python does.
        const at::Tensor filled = tokens.masked_fill(m.eq(0), -1e9);
        outputs.push_back(std::get<0>(filled.max(1)));
    }
    if (config.meanTokens || config.meanSqrtLenTokens) {
        const at::Tensor sum = (tokens * m).sum(1);
        const at::Tensor count = m.sum(1).clamp_min(1e-9);
        if (config.meanTokens)
            outputs.push_back(sum / count);
        if (config.meanSqrtLenTokens)
            outputs.push_back(sum / count.sqrt());
    }
    if (config.weightedMeanTokens) {
        // Position weights 1..L, zero on padding.
        const at::Tensor weights = at::arange(1, length + 1, tokens.options()).view({ 1, length, 1 }) * m;
        outputs.push_back((tokens * weights).sum(1) / weights.sum(1).clamp_min(1e-9));
    }
    if (config.lastToken) {
        // The last position whose mask is 1: flip, first maximum, map back.
        const auto [values, flippedIndex] = mask.flip({ 1 }).max(1);
        const at::Tensor index = flippedIndex.neg().add(length - 1).clamp_min(0);
        const at::Tensor gatherIndex = index.view({ batch, 1, 1 }).expand({ batch, 1, hidden });
        outputs.push_back((tokens * m).gather(1, gatherIndex).squeeze(1));
    }
    return outputs.size() == 1 ? outputs.front() : at::cat(outputs, 1);
}

at::Tensor normalizeRows(const at::Tensor &x)
{
    return x / x.norm(2, { 1 }, true).clamp_min(1e-12);
}

} // namespace pairtune
