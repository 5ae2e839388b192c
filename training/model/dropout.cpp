#include "model/corethreads.h"
#include "model/dropouthash.h"
#include "model/dropoutimpl.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cmath>
#include <cstdint>
#include <mutex>

namespace pairtune {
namespace {

// out[i] = in[i] * scale where element i is kept, else 0. Any range can be computed on its own, so
// the work splits across threads. Compiled for AVX-512 and AVX2 as well (chosen at load time), and
// with the vectoriser's full cost model (CMakeLists.txt): about 1 ns per element on one core.
__attribute__((target_clones("avx512f", "avx2", "default"))) void applyMaskRange(
    const float *in, float *out, std::int64_t begin, std::int64_t end, const DropoutKey key)
{
    for (std::int64_t i = begin; i < end; ++i)
        out[i] = key.keeps(static_cast<std::uint64_t>(i)) ? in[i] * key.scale : 0.0f;
}

void applyMask(const float *in, float *out, std::int64_t n, const DropoutKey &key)
{
    // Across the cores the matrix products use, not LibTorch's single intra-op thread (corethreads.h).
    splitRangeAcrossCores(
        n, 1 << 16, [&](std::int64_t begin, std::int64_t end) { applyMaskRange(in, out, begin, end, key); });
}

at::Tensor masked(const at::Tensor &input, const DropoutKey &key)
{
    const at::Tensor in = input.contiguous();
    at::Tensor out = at::empty_like(in, at::MemoryFormat::Contiguous);
    applyMask(in.data_ptr<float>(), out.data_ptr<float>(), in.numel(), key);
    return out;
}

class MaskedScale : public torch::autograd::Function<MaskedScale>
{
public:
    static at::Tensor forward(torch::autograd::AutogradContext *context, const at::Tensor &input, double p)
    {
        const std::uint64_t seed = drawDropoutSeed();
        context->saved_data["seed"] = static_cast<std::int64_t>(seed);
        context->saved_data["p"] = p;
        return masked(input, DropoutKey::make(seed, p));
    }

    static torch::autograd::variable_list backward(
        torch::autograd::AutogradContext *context, torch::autograd::variable_list gradients)
    {
        const DropoutKey key
            = DropoutKey::make(static_cast<std::uint64_t>(context->saved_data["seed"].toInt()),
                context->saved_data["p"].toDouble());
        return { masked(gradients[0], key), at::Tensor() };
    }
};

} // namespace

std::uint64_t drawDropoutSeed()
{
    at::Generator generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    return at::check_generator<at::CPUGeneratorImpl>(generator)->random64();
}

at::Tensor trainingDropout(const at::Tensor &input, double p, bool training)
{
    if (!training || p <= 0.0 || p >= 1.0 || !input.device().is_cpu())
        return at::dropout(input, p, training);
    if (input.scalar_type() == at::kBFloat16) // a matrix product's output under bf16 autocast
        return MaskedScale::apply(input.to(at::kFloat), p);
    if (input.scalar_type() != at::kFloat)
        return at::dropout(input, p, training);
    return MaskedScale::apply(input, p);
}

} // namespace pairtune
