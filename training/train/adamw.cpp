#include "train/adamw.h"

#include "model/corethreads.h"
#include "train/adamwkernel.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <map>

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
    m_gradScale = 1.0f;
}

namespace {

// AdamW's update (adamwkernel.cpp) of each float32 CPU parameter in one pass over memory (p, g, m, v read
// once, p, m, v written once) instead of eight tensor operations, each a full pass over 22.7M floats for
// MiniLM: same arithmetic in float32, in the same order, so it agrees with the tensor version to
// rounding (docs/performance.md).
struct FusedJob
{
    float *p, *m, *v;
    const float *g;
    int64_t n;
    AdamWScalars s;
};

// All parameters in one split across the cores (thread t updates the t-th part of every parameter):
// threads are started once per step, not once per parameter, and no element depends on another.
void runFused(const std::vector<FusedJob> &jobs)
{
    int64_t total = 0;
    for (const FusedJob &job : jobs)
        total += job.n;
    splitAcrossCores(total < (1 << 16) ? 1 : total, [&](int64_t first, int64_t step) {
        for (const FusedJob &job : jobs) {
            const int64_t per = (job.n + step - 1) / step;
            const int64_t begin = std::min(job.n, first * per);
            adamwUpdate(job.p, job.g, job.m, job.v, begin, std::min(job.n, begin + per), job.s);
        }
    });
}

// The sum of squares of all the given gradients, each thread taking the same part of every one.
double hostSumOfSquares(const std::vector<std::pair<const float *, int64_t>> &grads, int64_t total)
{
    std::vector<double> partial(8, 0.0); // splitAcrossCores uses at most 8 threads
    splitAcrossCores(total < (1 << 16) ? 1 : total, [&](int64_t first, int64_t step) {
        double sum = 0.0;
        for (const auto &[g, n] : grads) {
            const int64_t per = (n + step - 1) / step;
            const int64_t begin = std::min(n, first * per);
            sum += sumOfSquares(g, begin, std::min(n, begin + per));
        }
        partial[std::size_t(first)] = sum;
    });
    double sum = 0.0;
    for (const double p : partial)
        sum += p;
    return sum;
}

bool fusable(const torch::Tensor &t)
{
    return t.device().is_cpu() && t.scalar_type() == torch::kFloat32 && t.is_contiguous();
}

} // namespace

double AdamW::clipGradNorm(double maxNorm)
{
    torch::NoGradGuard noGrad;
    // Float32 CPU gradients: their sum of squares in one pass split across the cores (adamwkernel.h);
    // others (a GPU's) through torch's norms, as torch.nn.utils.clip_grad_norm_ computes them.
    std::vector<torch::Tensor> norms;
    std::vector<std::pair<const float *, int64_t>> host;
    int64_t hostElements = 0;
    for (const Param &p : m_params) {
        const torch::Tensor &grad = p.value.grad();
        if (!grad.defined())
            continue;
        if (fusable(grad)) {
            host.emplace_back(grad.data_ptr<float>(), grad.numel());
            hostElements += grad.numel();
        } else {
            norms.push_back(grad.norm(2));
        }
    }
    if (norms.empty() && host.empty())
        return 0.0;
    double squares = hostSumOfSquares(host, hostElements);
    if (!norms.empty()) {
        const double deviceNorm = torch::stack(norms).norm(2).item<double>();
        squares += deviceNorm * deviceNorm;
    }
    const double totalNorm = std::sqrt(squares);
    // The coefficient is applied by step() as it reads each gradient (one pass over all of them fewer:
    // 22.7M floats read and written for MiniLM); clippedGradient() gives the clipped value meanwhile.
    m_gradScale = float(std::min(1.0, maxNorm / (totalNorm + 1e-6)));
    return totalNorm;
}

torch::Tensor AdamW::clippedGradient(const Param &p) const
{
    const torch::Tensor grad = p.value.grad();
    return m_gradScale == 1.0f || !grad.defined() ? grad : grad * m_gradScale;
}

void AdamW::step(double lr)
{
    torch::NoGradGuard noGrad;
    // Parameters the fused CPU loop cannot take (GPU tensors, other dtypes or layouts) are updated
    // together with multi-tensor (_foreach) operations, one group per (decay, step count): on a GPU that is
    // a handful of kernel launches per step instead of eight per parameter.
    std::map<std::pair<bool, std::int64_t>, std::vector<Param *>> general;
    std::vector<FusedJob> fused;
    for (Param &p : m_params) {
        const torch::Tensor grad = p.value.grad();
        if (!grad.defined())
            continue;
        if (!p.expAvg.defined()) {
            p.expAvg = torch::zeros_like(p.value, torch::MemoryFormat::Preserve);
            p.expAvgSq = torch::zeros_like(p.value, torch::MemoryFormat::Preserve);
        }
        ++p.steps;
        if (!(fusable(p.value) && fusable(grad) && fusable(p.expAvg) && fusable(p.expAvgSq))) {
            general[{ p.decay, p.steps }].push_back(&p);
            continue;
        }
        const double weightDecay = p.decay ? m_options.weightDecay : 0.0;
        const double biasCorrection1 = 1.0 - std::pow(m_options.beta1, static_cast<double>(p.steps));
        const double biasCorrection2 = 1.0 - std::pow(m_options.beta2, static_cast<double>(p.steps));
        const AdamWScalars s { float(1.0 - lr * weightDecay), float(m_options.beta1),
            float(1.0 - m_options.beta1), float(m_options.beta2), float(1.0 - m_options.beta2),
            float(std::sqrt(biasCorrection2)), float(m_options.eps), float(-lr / biasCorrection1),
            m_gradScale };
        fused.push_back({ p.value.data_ptr<float>(), p.expAvg.data_ptr<float>(), p.expAvgSq.data_ptr<float>(),
            grad.data_ptr<float>(), p.value.numel(), s });
    }
    runFused(fused);
    for (const auto &[key, group] : general)
        stepGroup(group, lr, key.first ? m_options.weightDecay : 0.0, key.second);
    m_gradScale = 1.0f;
}

void AdamW::stepGroup(const std::vector<Param *> &group, double lr, double weightDecay, std::int64_t steps)
{
    std::vector<torch::Tensor> values, grads, expAvgs, expAvgSqs;
    for (Param *p : group) {
        values.push_back(p->value);
        grads.push_back(p->value.grad());
        if (m_gradScale != 1.0f) // the clip (clipGradNorm), as clip_grad_norm_ applies it
            grads.back().mul_(m_gradScale);
        expAvgs.push_back(p->expAvg);
        expAvgSqs.push_back(p->expAvgSq);
    }
    const double biasCorrection1 = 1.0 - std::pow(m_options.beta1, static_cast<double>(steps));
    const double biasCorrection2 = 1.0 - std::pow(m_options.beta2, static_cast<double>(steps));
    // torch.optim.AdamW's single-tensor arithmetic, in its order, on lists of tensors.
    at::_foreach_mul_(values, 1.0 - lr * weightDecay);
    at::_foreach_mul_(expAvgs, m_options.beta1);
    at::_foreach_add_(expAvgs, grads, 1.0 - m_options.beta1);
    at::_foreach_mul_(expAvgSqs, m_options.beta2);
    at::_foreach_addcmul_(expAvgSqs, grads, grads, 1.0 - m_options.beta2);
    std::vector<torch::Tensor> denominators = at::_foreach_sqrt(expAvgSqs);
    at::_foreach_div_(denominators, std::sqrt(biasCorrection2));
    at::_foreach_add_(denominators, m_options.eps);
    at::_foreach_addcdiv_(values, expAvgs, denominators, -lr / biasCorrection1);
}

} // namespace pairtune
