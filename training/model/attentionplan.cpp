#include "model/attentionplanimpl.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace pairtune {

AttentionPlan::AttentionPlan(const at::Tensor &mask, at::Device device, at::ScalarType dtype)
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
        m_grid = { batch, width, 0, at::zeros({ batch, 1, 1, width }, at::dtype(dtype)).to(device) };
        return;
    }
    // One grid of every text padded to the longest: slot (text, q) takes real row offsets[text] + q,
    // padding slots take row T (zeros).
    const int64_t longest = *std::max_element(lengths.begin(), lengths.end());
    m_grid = { batch, longest, 0, at::Tensor() };
    std::vector<int64_t> gather(batch * longest, tokens);
    std::vector<int64_t> scatter(tokens);
    at::Tensor scoreMask
        = at::full({ batch, 1, 1, longest }, std::numeric_limits<float>::lowest(), at::dtype(at::kFloat));
    float *maskData = scoreMask.data_ptr<float>();
    for (int64_t text = 0; text < batch; ++text) {
        for (int64_t q = 0; q < lengths[text]; ++q) {
            gather[text * longest + q] = offsets[text] + q;
            scatter[offsets[text] + q] = text * longest + q;
            maskData[text * longest + q] = 0.0f;
        }
    }
    m_grid.scoreMask = scoreMask.to(device, dtype);
    const auto longs = at::TensorOptions().dtype(at::kLong);
    m_gather = at::tensor(gather, longs).to(device);
    m_scatter = at::tensor(scatter, longs).to(device);
}

} // namespace pairtune
