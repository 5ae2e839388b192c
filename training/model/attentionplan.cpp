#include "model/attentionplanimpl.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace pairtune {
namespace {

// In units of padded score elements (one text x one query x one key, all heads): what a group's
// extra dispatches cost (about 30 LibTorch ops forward and backward) against the element-wise work
// of a score. Measured on the MiniLM shape; the choice only moves speed, never results.
constexpr int64_t groupCost = 6000;

// Cut points over texts sorted by length: groups [cuts[i], cuts[i + 1]).
std::vector<int64_t> chooseCuts(const std::vector<int64_t> &sortedLengths)
{
    const int64_t n = static_cast<int64_t>(sortedLengths.size());
    std::vector<int64_t> best(n + 1, std::numeric_limits<int64_t>::max());
    std::vector<int64_t> from(n + 1, 0);
    best[0] = 0;
    for (int64_t end = 1; end <= n; ++end) {
        const int64_t longest = sortedLengths[end - 1]; // sorted ascending
        for (int64_t begin = 0; begin < end; ++begin) {
            const int64_t cost = best[begin] + (end - begin) * longest * longest + groupCost;
            if (cost < best[end]) {
                best[end] = cost;
                from[end] = begin;
            }
        }
    }
    std::vector<int64_t> cuts { n };
    for (int64_t at = n; at > 0; at = from[at])
        cuts.push_back(from[at]);
    std::reverse(cuts.begin(), cuts.end());
    return cuts;
}

} // namespace

AttentionPlan::AttentionPlan(const at::Tensor &mask, at::Device device, at::ScalarType dtype, bool grouped)
{
    const at::Tensor cpuMask = mask.ne(0).to(at::kCPU, at::kLong).contiguous();
    const int64_t batch = cpuMask.size(0);
    const int64_t width = cpuMask.size(1);
    std::vector<int64_t> lengths(batch);
    const int64_t *m = cpuMask.data_ptr<int64_t>();
    for (int64_t b = 0; b < batch; ++b)
        lengths[b] = std::accumulate(m + b * width, m + (b + 1) * width, int64_t(0));
    std::vector<int64_t> offsets(batch + 1, 0); // text b's rows: [offsets[b], offsets[b + 1])
    std::partial_sum(lengths.begin(), lengths.end(), offsets.begin() + 1);
    const int64_t tokens = offsets.back();
    if (tokens == batch * width) {
        m_unpadded = true;
        Group all { batch, width, 0, at::zeros({ batch, 1, 1, width }, at::dtype(dtype)).to(device) };
        m_groups.push_back(all);
        return;
    }

    std::vector<int64_t> order(batch);
    std::iota(order.begin(), order.end(), int64_t(0));
    std::stable_sort(
        order.begin(), order.end(), [&](int64_t a, int64_t b) { return lengths[a] < lengths[b]; });
    std::vector<int64_t> sorted(batch);
    for (int64_t i = 0; i < batch; ++i)
        sorted[i] = lengths[order[i]];
    const std::vector<int64_t> cuts = grouped ? chooseCuts(sorted) : std::vector<int64_t> { 0, batch };

    std::vector<int64_t> scatter(tokens);
    std::vector<int64_t> gather;
    const auto longs = at::TensorOptions().dtype(at::kLong);
    for (std::size_t c = 0; c + 1 < cuts.size(); ++c) {
        Group group;
        group.texts = cuts[c + 1] - cuts[c];
        group.length = sorted[cuts[c + 1] - 1];
        if (group.length == 0) // texts without tokens: nothing to attend, no rows to give back
            continue;
        group.firstRow = static_cast<int64_t>(gather.size());
        gather.resize(gather.size() + group.texts * group.length, tokens); // row T: the zero row
        at::Tensor scoreMask = at::full(
            { group.texts, 1, 1, group.length }, std::numeric_limits<float>::lowest(), at::dtype(at::kFloat));
        float *maskData = scoreMask.data_ptr<float>();
        for (int64_t slot = 0; slot < group.texts; ++slot) {
            const int64_t text = order[cuts[c] + slot];
            for (int64_t q = 0; q < lengths[text]; ++q) {
                const int64_t row = slot * group.length + q;
                gather[group.firstRow + row] = offsets[text] + q;
                scatter[offsets[text] + q] = group.firstRow + row;
                maskData[slot * group.length + q] = 0.0f;
            }
        }
        group.scoreMask = scoreMask.to(device, dtype);
        m_groups.push_back(std::move(group));
    }
    m_gather = at::tensor(gather, longs).to(device);
    m_scatter = at::tensor(scatter, longs).to(device);
}

} // namespace pairtune
