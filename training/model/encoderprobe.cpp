#include "model/encoderprobe.h"

#include "model/attentionplanimpl.h"
#include "model/dropoutimpl.h"
#include "model/transformermodelimpl.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>

namespace pairtune {
namespace {

double maxAbs(const at::Tensor &t)
{
    return t.numel() == 0 ? 0.0 : t.abs().max().item<double>();
}

} // namespace

GroupedAttentionCheck checkGroupedAttention(const std::vector<int64_t> &lengths, std::uint64_t seed)
{
    TransformerConfig config;
    config.vocabSize = 100;
    config.hiddenSize = 32;
    config.numHiddenLayers = 2;
    config.numAttentionHeads = 4;
    config.intermediateSize = 64;
    config.maxPositionEmbeddings = 256;
    config.initializerRange = 0.2; // large weights: attention far from uniform
    TransformerModel model(config);
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

    GroupedAttentionCheck check;
    const AttentionPlan plan(mask, at::kCPU, at::kFloat);
    for (const AttentionPlan::Group &group : plan.groups())
        check.groupSizes.push_back(group.texts);
    std::vector<at::Tensor> outputs;
    std::vector<std::vector<at::Tensor>> gradients;
    for (const bool grouped : { true, false }) {
        model.setGroupedAttention(grouped);
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
    for (std::size_t i = 0; i < gradients[0].size(); ++i)
        check.maxGradientDifference
            = std::max(check.maxGradientDifference, maxAbs(gradients[0][i] - gradients[1][i]));
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
