#include "train/adamw.h"

#include <torch/torch.h>

#include <cmath>

namespace pairtune {

bool AdamW::excludedFromDecay(const std::string &name)
{
    for (const char *pattern : { "bias", "LayerNorm.bias", "LayerNorm.weight" }) {
        if (name.find(pattern) != std::string::npos)
            return true;
    }
    return false;
}

AdamW::AdamW(const std::vector<std::pair<std::string, torch::Tensor>> &namedParameters, AdamWOptions options)
    : m_options(options)
{
    for (const auto &[name, value] : namedParameters) {
        Param p;
        p.name = name;
        p.value = value;
        p.decay = !excludedFromDecay(name);
        m_params.push_back(std::move(p));
    }
}

void AdamW::zeroGrad()
{
    // set_to_none, as optimizer.zero_grad() does in torch 2.x: the next backward allocates fresh grads.
    for (Param &p : m_params) {
        if (p.value.grad().defined())
            p.value.mutable_grad() = torch::Tensor();
    }
}

double AdamW::clipGradNorm(double maxNorm)
{
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> norms;
    for (const Param &p : m_params) {
        if (p.value.grad().defined())
            norms.push_back(p.value.grad().norm(2));
    }
    if (norms.empty())
        return 0.0;
    const torch::Tensor total = torch::stack(norms).norm(2);
    const torch::Tensor coefficient = (maxNorm / (total + 1e-6)).clamp_max(1.0);
    for (Param &p : m_params) {
        if (p.value.grad().defined())
            p.value.mutable_grad().mul_(coefficient);
    }
    return total.item<double>();
}

void AdamW::step(double lr)
{
    torch::NoGradGuard noGrad;
    for (Param &p : m_params) {
        const torch::Tensor grad = p.value.grad();
        if (!grad.defined())
            continue;
        if (!p.expAvg.defined()) {
            p.expAvg = torch::zeros_like(p.value, torch::MemoryFormat::Preserve);
            p.expAvgSq = torch::zeros_like(p.value, torch::MemoryFormat::Preserve);
        }
        ++p.steps;
        const double weightDecay = p.decay ? m_options.weightDecay : 0.0;
        p.value.mul_(1.0 - lr * weightDecay);
        p.expAvg.mul_(m_options.beta1).add_(grad, 1.0 - m_options.beta1);
        p.expAvgSq.mul_(m_options.beta2).addcmul_(grad, grad, 1.0 - m_options.beta2);
        const double biasCorrection1 = 1.0 - std::pow(m_options.beta1, static_cast<double>(p.steps));
        const double biasCorrection2 = 1.0 - std::pow(m_options.beta2, static_cast<double>(p.steps));
        const double stepSize = lr / biasCorrection1;
        const torch::Tensor denominator
            = (p.expAvgSq.sqrt() / std::sqrt(biasCorrection2)).add_(m_options.eps);
        p.value.addcdiv_(p.expAvg, denominator, -stepSize);
    }
}

} // namespace pairtune
