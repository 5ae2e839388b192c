#include "adamwprobe.h"

#include "train/adamw.h"

#include <torch/torch.h>

namespace pairtune {

namespace {

std::vector<float> flatten(const std::vector<torch::Tensor> &tensors)
{
    std::vector<float> out;
    for (const torch::Tensor &t : tensors) {
        const torch::Tensor c = t.detach().contiguous();
        out.insert(out.end(), c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    }
    return out;
}

} // namespace

AdamWPathsResult probeAdamWPaths(int steps, double lr, std::uint64_t seed)
{
    torch::NoGradGuard noGrad;
    at::Generator generator = at::detail::createCPUGenerator(seed);
    const std::vector<std::string> names { "layer.weight", "layer.bias", "LayerNorm.weight" };
    std::vector<torch::Tensor> contiguous, transposed;
    for (std::size_t i = 0; i < names.size(); ++i) {
        const torch::Tensor base = at::randn({ 5, 3 + static_cast<int64_t>(i) }, generator);
        contiguous.push_back(base.clone().set_requires_grad(true));
        // Same values, stored transposed: t() of a contiguous [cols, rows] tensor is not contiguous.
        transposed.push_back(base.t().contiguous().t().set_requires_grad(true));
    }
    AdamWPathsResult result;
    result.initial = flatten(contiguous);
    std::vector<std::pair<std::string, torch::Tensor>> namedContiguous, namedTransposed;
    for (std::size_t i = 0; i < names.size(); ++i) {
        namedContiguous.emplace_back(names[i], contiguous[i]);
        namedTransposed.emplace_back(names[i], transposed[i]);
    }
    AdamW fused(namedContiguous, AdamWOptions {});
    AdamW general(namedTransposed, AdamWOptions {});
    for (int step = 0; step < steps; ++step) {
        for (std::size_t i = 0; i < names.size(); ++i) {
            const torch::Tensor grad = at::randn(contiguous[i].sizes(), generator);
            contiguous[i].mutable_grad() = grad.clone();
            transposed[i].mutable_grad() = grad.t().contiguous().t();
        }
        fused.step(lr);
        general.step(lr);
    }
    result.fused = flatten(contiguous);
    result.general = flatten(transposed);
    return result;
}

} // namespace pairtune
