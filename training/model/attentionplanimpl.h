#pragma once

// Engine-private (includes torch). How one forward pass lays its texts out for padded attention.

#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

namespace pairtune {

// The encoder keeps only the real tokens, [T, hidden] (texts one after another), for everything but
// attention. On the CPU attention runs fused over each text's own rows (fusedattentionimpl.h); on a
// GPU, and as the reference the checks compare against, every text is padded to the batch's longest
// in one grid for scaled dot-product attention. Masked keys get a softmax weight of exactly 0, so
// padding never changes a real token's result.
class AttentionPlan
{
public:
    struct Grid
    {
        int64_t texts = 0;
        int64_t length = 0; // the longest text
        int64_t firstRow = 0;
        at::Tensor scoreMask; // [texts, 1, 1, length]: 0 on real keys, float32's lowest on padding
    };

    // mask: [B, L] attention mask (any 0/1 pattern; real tokens keep their order). Index tensors are
    // built on the CPU and moved to `device`; `dtype` is the scores' type.
    AttentionPlan(const at::Tensor &mask, at::Device device, at::ScalarType dtype);

    // True when there is no padding at all: the rows are the grid as they are.
    bool unpadded() const { return m_unpadded; }
    const Grid &grid() const { return m_grid; }
    // gather: [texts * length], the row of the [T + 1, C] real-token rows (row T: zeros) each slot
    // takes; scatter: [T], each real token's slot.
    const at::Tensor &gather() const { return m_gather; }
    const at::Tensor &scatter() const { return m_scatter; }

private:
    bool m_unpadded = false;
    Grid m_grid;
    at::Tensor m_gather;
    at::Tensor m_scatter;
};

} // namespace pairtune
