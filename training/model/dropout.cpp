#include "model/dropoutimpl.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cmath>
#include <cstdint>
#include <mutex>

namespace pairtune {
namespace {

// murmur3's 32-bit finaliser: a bijective mix of 32 bits. Two rounds keyed with the two halves of the
// seed give each element index its draw; 32-bit arithmetic, so the loop vectorises (16 lanes with
// AVX-512).
inline std::uint32_t mix(std::uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85EBCA6BU;
    h ^= h >> 13;
    h *= 0xC2B2AE35U;
    h ^= h >> 16;
    return h;
}

struct MaskParameters
{
    std::uint64_t seed = 0;
    std::uint32_t threshold = 0; // keep an element when its 32-bit draw is below this
    float scale = 1.0f;
};

// out[i] = in[i] * scale where element i is kept, else 0. Any range can be computed on its own, so
// the work splits across threads. Compiled for AVX-512 and AVX2 as well (chosen at load time), and
// with the vectoriser's full cost model (CMakeLists.txt): about 1 ns per element on one core.
__attribute__((target_clones("avx512f", "avx2", "default"))) void applyMaskRange(const float *in, float *out,
    std::int64_t begin, std::int64_t end, std::uint32_t key0, std::uint32_t key1, std::uint32_t threshold,
    float scale)
{
    for (std::int64_t i = begin; i < end; ++i) {
        const std::uint32_t draw = mix(mix(static_cast<std::uint32_t>(i) ^ key0) ^ key1);
        out[i] = draw < threshold ? in[i] * scale : 0.0f;
    }
}

void applyMask(const float *in, float *out, std::int64_t n, const MaskParameters &mask)
{
    const auto key0 = static_cast<std::uint32_t>(mask.seed);
    const auto key1 = static_cast<std::uint32_t>(mask.seed >> 32);
    at::parallel_for(0, n, 32768, [&](std::int64_t begin, std::int64_t end) {
        applyMaskRange(in, out, begin, end, key0, key1, mask.threshold, mask.scale);
    });
}

at::Tensor masked(const at::Tensor &input, const MaskParameters &mask)
{
    const at::Tensor in = input.contiguous();
    at::Tensor out = at::empty_like(in, at::MemoryFormat::Contiguous);
    applyMask(in.data_ptr<float>(), out.data_ptr<float>(), in.numel(), mask);
    return out;
}

std::uint64_t drawSeed()
{
    at::Generator generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    return at::check_generator<at::CPUGeneratorImpl>(generator)->random64();
}

class MaskedScale : public torch::autograd::Function<MaskedScale>
{
public:
    static at::Tensor forward(torch::autograd::AutogradContext *context, const at::Tensor &input, double p)
    {
        MaskParameters mask;
        mask.seed = drawSeed();
        const double keep = 1.0 - p;
        mask.threshold = static_cast<std::uint32_t>(std::min(4294967295.0, std::round(keep * 4294967296.0)));
        mask.scale = static_cast<float>(1.0 / keep);
        context->saved_data["seed"] = static_cast<std::int64_t>(mask.seed);
        context->saved_data["threshold"] = static_cast<std::int64_t>(mask.threshold);
        context->saved_data["scale"] = static_cast<double>(mask.scale);
        return masked(input, mask);
    }

    static torch::autograd::variable_list backward(
        torch::autograd::AutogradContext *context, torch::autograd::variable_list gradients)
    {
        MaskParameters mask;
        mask.seed = static_cast<std::uint64_t>(context->saved_data["seed"].toInt());
        mask.threshold = static_cast<std::uint32_t>(context->saved_data["threshold"].toInt());
        mask.scale = static_cast<float>(context->saved_data["scale"].toDouble());
        return { masked(gradients[0], mask), at::Tensor() };
    }
};

} // namespace

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
