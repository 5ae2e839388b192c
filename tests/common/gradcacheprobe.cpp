#include "gradcacheprobe.h"

#include "model/sentencemodelimpl.h"
#include "train/bf16autocast.h"
#include "train/gradcache.h"
#include "train/losses.h"

#include <torch/torch.h>

#include <optional>

namespace pairtune {

GradCacheProbeResult probeGradCacheStep(const std::string &modelFolder,
    const std::vector<std::pair<std::string, std::string>> &pairs, const GradCacheProbeOptions &options)
{
    SentenceModel model = SentenceModel::load(modelFolder);
    SentenceModel::Impl &impl = model.impl();
    impl.setTraining(options.dropout);
    torch::manual_seed(options.seed);
    // As TrainingRun::trainStep: rows [begin, begin + count), anchors then positives in one forward pass.
    const EmbedRows embedRows = [&](std::size_t begin, std::size_t count) {
        std::vector<Encoding> encodings;
        for (std::size_t row = begin; row < begin + count; ++row)
            encodings.push_back(impl.tokenize(pairs[row].first));
        for (std::size_t row = begin; row < begin + count; ++row)
            encodings.push_back(impl.tokenize(pairs[row].second));
        const std::vector<std::size_t> promptLengths(encodings.size(), 0);
        const Bf16Autocast autocast(options.bf16, impl.device());
        return impl.embed(encodings, promptLengths).to(at::kFloat).split(static_cast<int64_t>(count));
    };
    LossSpec spec;
    spec.kind = LossKind::Mnrl;
    spec.similarity = SimilarityKind::Cosine;
    spec.scale = options.scale;
    const torch::Tensor scores = torch::zeros({ static_cast<int64_t>(pairs.size()) });

    std::optional<GradCache> cache;
    if (options.gradCache)
        cache.emplace(embedRows, pairs.size(), options.miniBatch, impl.device());
    const std::vector<torch::Tensor> embeddings
        = cache ? cache->embedWithoutGrad() : embedRows(0, pairs.size());
    const torch::Tensor loss = computeLoss(spec, embeddings[0], embeddings[1], {}, scores);
    GradCacheProbeResult result;
    result.loss = loss.item<double>();
    if (cache) {
        cache->backward(loss);
        const torch::NoGradGuard noGrad;
        const std::vector<torch::Tensor> &replayed = cache->replayed();
        result.replayedLoss = computeLoss(spec, replayed[0], replayed[1], {}, scores).item<double>();
        result.replayDifference = cache->replayDifference();
    } else {
        loss.backward();
    }
    for (const auto &[name, parameter] : impl.namedParameters()) {
        if (!parameter.grad().defined())
            continue;
        const torch::Tensor grad = parameter.grad().detach().to(torch::kCPU, at::kFloat).contiguous();
        result.gradients.emplace_back(
            name, std::vector<float>(grad.data_ptr<float>(), grad.data_ptr<float>() + grad.numel()));
    }
    return result;
}

} // namespace pairtune
