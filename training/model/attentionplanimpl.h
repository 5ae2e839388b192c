#pragma once

// Engine-private (includes torch). How one forward pass lays its texts out for attention.

#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

namespace pairtune {

// The encoder keeps only the real tokens, [T, hidden] (texts one after another), for everything but
// attention, which needs each text's tokens side by side. Padding every text to the batch's longest
// makes most of attention's work padding with short, uneven texts (a text of 10 tokens in a batch
// whose longest has 75 computes 75 x 75 scores per head instead of 10 x 10). So texts are sorted by
// length and cut into groups, each padded only to its own longest text; where to cut minimises
// (padded score elements + a fixed cost per group, for the extra op dispatches) by dynamic programming.
// Masked keys get a softmax weight of exactly 0, so the result equals the padded one up to rounding.
class AttentionPlan
{
public:
    struct Group
    {
        int64_t texts = 0;
        int64_t length = 0; // the group's longest text
        int64_t firstRow = 0; // where its grid starts in the concatenated grids
        at::Tensor scoreMask; // [texts, 1, 1, length]: 0 on real keys, float32's lowest on padding
    };

    // mask: [B, L] attention mask (any 0/1 pattern; real tokens keep their order). Index tensors are
    // built on the CPU and moved to `device`; `dtype` is the scores' type. grouped = false: one group
    // of every text (the padded reference).
    AttentionPlan(const at::Tensor &mask, at::Device device, at::ScalarType dtype, bool grouped = true);

    // True when there is no padding at all: one group, the rows are the grid as they are.
    bool unpadded() const { return m_unpadded; }
    const std::vector<Group> &groups() const { return m_groups; }
    // The groups' grids concatenated in group order, one gather and one scatter for all of them (one
    // index_add in backward, not one per group). gather: [sum of texts * length], the row of the
    // [T + 1, C] real-token rows (row T: zeros) each slot takes; scatter: [T], each real token's slot.
    const at::Tensor &gather() const { return m_gather; }
    const at::Tensor &scatter() const { return m_scatter; }

private:
    bool m_unpadded = false;
    std::vector<Group> m_groups;
    at::Tensor m_gather;
    at::Tensor m_scatter;
};

} // namespace pairtune
