#include "train/gradcache.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <torch/torch.h>

#include <algorithm>
#include <mutex>

namespace pairtune {
namespace {

torch::Tensor generatorState(at::Generator generator)
{
    std::lock_guard<std::mutex> lock(generator.mutex());
    return generator.get_state();
}

void setGeneratorState(at::Generator generator, const torch::Tensor &state)
{
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(state);
}

} // namespace

GradCache::GradCache(EmbedRows embed, std::size_t rows, std::size_t miniBatch, const torch::Device &device)
    : m_embed(std::move(embed))
    , m_rows(rows)
    , m_miniBatch(std::max<std::size_t>(1, miniBatch))
    , m_device(device)
{ }

GradCache::RandomState GradCache::saveRandomState() const
{
    RandomState state;
    state.cpu = generatorState(at::detail::getDefaultCPUGenerator());
    if (!m_device.is_cpu())
        state.device = generatorState(at::globalContext().defaultGenerator(m_device));
    return state;
}

void GradCache::restoreRandomState(const RandomState &state) const
{
    setGeneratorState(at::detail::getDefaultCPUGenerator(), state.cpu);
    if (state.device.defined())
        setGeneratorState(at::globalContext().defaultGenerator(m_device), state.device);
}

std::vector<torch::Tensor> GradCache::embedWithoutGrad()
{
    std::vector<std::vector<torch::Tensor>> parts; // per column, per mini-batch
    {
        const torch::NoGradGuard noGrad;
        for (std::size_t begin = 0; begin < m_rows; begin += m_miniBatch) {
            m_states.push_back(saveRandomState());
            const std::vector<torch::Tensor> columns = m_embed(begin, std::min(m_miniBatch, m_rows - begin));
            parts.resize(columns.size());
            for (std::size_t c = 0; c < columns.size(); ++c)
                parts[c].push_back(columns[c]);
        }
    }
    m_after = saveRandomState();
    m_leaves.clear();
    for (const std::vector<torch::Tensor> &column : parts)
        m_leaves.push_back(torch::cat(column, 0).detach().requires_grad_(true));
    return m_leaves;
}

void GradCache::backward(const torch::Tensor &loss)
{
    // The leaves are detached from the model, so this stops at them: only the loss's graph is walked.
    loss.backward();
    std::vector<torch::Tensor> cached;
    for (const torch::Tensor &leaf : m_leaves) // a column the loss ignores has no gradient: zeros
        cached.push_back(leaf.grad().defined() ? leaf.grad() : torch::zeros_like(leaf));
    std::vector<std::vector<torch::Tensor>> replayedParts(m_leaves.size());
    m_replayDifference = 0.0;
    std::size_t chunk = 0;
    for (std::size_t begin = 0; begin < m_rows; begin += m_miniBatch, ++chunk) {
        const std::size_t count = std::min(m_miniBatch, m_rows - begin);
        const auto first = static_cast<std::int64_t>(begin);
        const auto rows = static_cast<std::int64_t>(count);
        restoreRandomState(m_states[chunk]);
        const std::vector<torch::Tensor> columns = m_embed(begin, count);
        std::vector<torch::Tensor> gradients;
        for (std::size_t c = 0; c < columns.size(); ++c) {
            gradients.push_back(cached[c].narrow(0, first, rows));
            const torch::Tensor again = columns[c].detach();
            m_replayDifference = std::max(m_replayDifference,
                (again - m_leaves[c].detach().narrow(0, first, rows)).abs().max().item<double>());
            replayedParts[c].push_back(again);
        }
        // d(loss)/d(parameters) = Σ over this mini-batch's rows of d(loss)/d(embedding) ·
        // d(embedding)/d(parameters).
        torch::autograd::backward(columns, gradients);
    }
    restoreRandomState(m_after);
    m_replayed.clear();
    for (const std::vector<torch::Tensor> &column : replayedParts)
        m_replayed.push_back(torch::cat(column, 0));
}

} // namespace pairtune
