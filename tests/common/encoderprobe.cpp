#include "encoderprobe.h"

#include "model/bertencoderimpl.h"
#include "model/dropouthash.h"
#include "model/dropoutimpl.h"
#include "model/fusedattentionimpl.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace pairtune {
namespace {

double maxAbs(const at::Tensor &t)
{
    return t.numel() == 0 ? 0.0 : t.abs().max().item<double>();
}

} // namespace

FusedAttentionCheck checkFusedAttention(const std::vector<int64_t> &lengths, std::uint64_t seed)
{
    TransformerConfig config;
    config.vocabSize = 100;
    config.hiddenSize = 32;
    config.numHiddenLayers = 2;
    config.numAttentionHeads = 4;
    config.intermediateSize = 64;
    config.maxPositionEmbeddings = 256;
    config.initializerRange = 0.2; // large weights: attention far from uniform
    BertEncoder model(config, BertLayout::bert());
    at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
    model.initialise(generator);
    model.eval();

    const int64_t batch = static_cast<int64_t>(lengths.size());
    const int64_t longest = lengths.empty() ? 0 : *std::max_element(lengths.begin(), lengths.end());
    at::Tensor ids = at::zeros({ batch, longest }, at::kLong);
    at::Tensor mask = at::zeros({ batch, longest }, at::kLong);
    const at::Tensor random = at::randint(1, config.vocabSize, { batch, longest }, generator, at::kLong);
    for (int64_t b = 0; b < batch; ++b) {
        ids[b].narrow(0, 0, lengths[b]).copy_(random[b].narrow(0, 0, lengths[b]));
        mask[b].narrow(0, 0, lengths[b]).fill_(1);
    }
    const at::Tensor projection = at::randn({ batch, longest, config.hiddenSize }, generator, at::kFloat);

    FusedAttentionCheck check;
    std::vector<at::Tensor> outputs;
    std::vector<std::vector<at::Tensor>> gradients;
    for (const bool fused : { true, false }) {
        model.setFusedAttention(fused);
        model.zero_grad();
        const at::Tensor out = model.forward(ids, mask, at::Tensor());
        (out * projection).sum().backward();
        outputs.push_back(out.detach() * mask.unsqueeze(-1));
        std::vector<at::Tensor> grads;
        for (const at::Tensor &p : model.parameters())
            grads.push_back(p.grad().defined() ? p.grad().clone() : at::zeros_like(p));
        gradients.push_back(grads);
    }
    check.maxOutputMagnitude = maxAbs(outputs[0]);
    check.maxOutputDifference = maxAbs(outputs[0] - outputs[1]);
    for (std::size_t i = 0; i < gradients[0].size(); ++i) {
        check.maxGradientDifference
            = std::max(check.maxGradientDifference, maxAbs(gradients[0][i] - gradients[1][i]));
        check.maxGradientMagnitude = std::max(check.maxGradientMagnitude, maxAbs(gradients[1][i]));
    }
    return check;
}

FusedDropoutCheck checkFusedAttentionDropout(
    const std::vector<int64_t> &lengths, int64_t heads, int64_t headSize, double p, std::uint64_t seed)
{
    const int64_t hidden = heads * headSize;
    std::vector<int64_t> offsets { 0 };
    for (const int64_t l : lengths)
        offsets.push_back(offsets.back() + l);
    const int64_t tokens = offsets.back();
    at::Generator generator = at::detail::getDefaultCPUGenerator();
    generator.set_current_seed(seed);
    const at::Tensor input = at::randn({ tokens, 3 * hidden });
    const at::Tensor projection = at::randn({ tokens, hidden });

    FusedDropoutCheck check;
    generator.set_current_seed(seed + 1);
    const at::Tensor qkv = input.clone().requires_grad_(true);
    const at::Tensor out = fusedAttention(qkv, offsets, heads, p);
    (out * projection).sum().backward();
    generator.set_current_seed(seed + 1);
    const at::Tensor replay = fusedAttention(input, offsets, heads, p);
    check.reproducibleFromSeed = at::equal(out.detach(), replay);

    // The reference: per text, softmax(Q K^T / sqrt(d)) with the kernel's mask, times V, in tensor ops.
    generator.set_current_seed(seed + 1);
    const DropoutKey key = DropoutKey::make(drawDropoutSeed(), p);
    const at::Tensor reference = input.clone().requires_grad_(true);
    std::vector<at::Tensor> contexts;
    int64_t probOffset = 0;
    int64_t kept = 0, total = 0;
    for (std::size_t b = 0; b < lengths.size(); ++b) {
        const int64_t l = lengths[b];
        if (l == 0)
            continue;
        const at::Tensor rows = reference.narrow(0, offsets[b], l).view({ l, 3, heads, headSize });
        const at::Tensor q = rows.select(1, 0).transpose(0, 1); // [heads, l, d]
        const at::Tensor k = rows.select(1, 1).transpose(0, 1);
        const at::Tensor v = rows.select(1, 2).transpose(0, 1);
        const at::Tensor probs
            = at::softmax(at::matmul(q, k.transpose(1, 2)) / std::sqrt(double(headSize)), -1);
        at::Tensor factor = at::empty({ heads, l, l });
        float *f = factor.data_ptr<float>();
        for (int64_t e = 0; e < heads * l * l; ++e) { // blocks: text by text, head by head, row-major
            const bool keep = key.keeps(static_cast<std::uint64_t>(probOffset + e));
            f[e] = keep ? key.scale : 0.0f;
            kept += keep;
        }
        probOffset += heads * l * l;
        total += heads * l * l;
        contexts.push_back(at::matmul(probs * factor, v).transpose(0, 1).reshape({ l, hidden }));
    }
    const at::Tensor expected = at::cat(contexts);
    (expected * projection).sum().backward();

    check.maxOutputMagnitude = maxAbs(expected.detach());
    check.maxOutputDifference = maxAbs(out.detach() - expected.detach());
    check.maxGradientMagnitude = maxAbs(reference.grad());
    check.maxGradientDifference = maxAbs(qkv.grad() - reference.grad());
    check.droppedFraction = total == 0 ? 0.0 : 1.0 - double(kept) / double(total);
    return check;
}

DropoutCheck checkDropout(int64_t n, double p, std::uint64_t seed)
{
    at::Generator generator = at::detail::getDefaultCPUGenerator();
    generator.set_current_seed(seed);
    const at::Tensor input = (at::rand({ n }) + 0.5).requires_grad_(true); // no exact zeros
    const at::Tensor upstream = at::rand({ n }) + 0.5;

    generator.set_current_seed(seed + 1);
    const at::Tensor out = trainingDropout(input, p, true);
    const at::Tensor again = trainingDropout(input, p, true);
    generator.set_current_seed(seed + 1);
    const at::Tensor replay = trainingDropout(input, p, true);
    out.backward(upstream);

    DropoutCheck check;
    const at::Tensor kept = out.ne(0);
    const double scale = 1.0 / (1.0 - p);
    check.keptFraction = kept.to(at::kDouble).mean().item<double>();
    const at::Tensor ratio = out.detach().masked_select(kept) / input.detach().masked_select(kept);
    check.maxKeptScaleError = maxAbs(ratio - scale);
    check.zerosWhereDropped = out.detach().masked_select(kept.logical_not()).eq(0).all().item<bool>();
    const at::Tensor expectedGradient
        = at::where(kept, upstream * static_cast<float>(scale), at::zeros_like(upstream));
    check.gradientFollowsMask = at::allclose(input.grad(), expectedGradient, 1e-6, 0.0);
    check.reproducibleFromSeed = at::equal(out.detach(), replay.detach());
    check.consecutiveCallsDiffer = !at::equal(out.ne(0), again.ne(0));
    return check;
}

} // namespace pairtune
