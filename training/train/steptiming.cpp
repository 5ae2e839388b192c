#include "train/steptiming.h"

#include "core/error.h"
#include "model/runtime.h"
#include "model/sentencemodelimpl.h"
#include "recipe/matryoshka.h"
#include "train/adamw.h"
#include "train/bf16autocast.h"
#include "train/gradcache.h"
#include "train/losses.h"
#include "train/minibatchsize.h"
#include "train/precision.h"

#include <algorithm>
#include <chrono>
#include <optional>

namespace pairtune {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// anchors then positives, as the trainer puts every column in one forward pass.
std::vector<Encoding> batchEncodings(const SentenceModel &model, const StepTimingRequest &request)
{
    const std::size_t batch = std::size_t(request.config.batchSize);
    const std::size_t available = request.pairs.size();
    std::vector<Encoding> encodings(2 * batch);
    for (std::size_t i = 0; i < batch; ++i) {
        // Spread over the sample, so the batch's lengths are typical of the data, not of its start.
        const auto &[anchor, positive]
            = request.pairs[available >= batch ? i * available / batch : i % available];
        encodings[i] = model.tokenizeForModel(anchor);
        encodings[batch + i] = model.tokenizeForModel(positive);
    }
    return encodings;
}

// grad_cache's pairs per forward pass, as TrainingRun::miniBatchSize chooses them (the sample's longest
// text standing in for the data's).
std::size_t gradCacheMiniBatch(
    const TrainingConfig &config, const SentenceModel::Impl &impl, const std::vector<Encoding> &encodings)
{
    if (config.miniBatchSize > 0)
        return static_cast<std::size_t>(config.miniBatchSize);
    const TransformerConfig &transformer = impl.config.transformer;
    MiniBatchInputs inputs;
    inputs.batch = static_cast<std::size_t>(config.batchSize);
    for (const Encoding &encoding : encodings)
        inputs.tokensPerText = std::max(inputs.tokensPerText, encoding.ids.size());
    inputs.hiddenSize = transformer.hiddenSize;
    inputs.intermediateSize = transformer.intermediateSize;
    inputs.layers = transformer.numHiddenLayers;
    inputs.heads = transformer.numAttentionHeads;
    inputs.availableBytes = availableTrainingBytes(impl.device().is_cuda());
    return chooseMiniBatch(inputs).pairs;
}

} // namespace

StepTiming measureStepTiming(const StepTimingRequest &request)
{
    const TrainingConfig &config = request.config;
    if (request.pairs.empty() || config.batchSize <= 0)
        throw Error("measuring the training speed needs pairs and a positive batch size");
    const auto checkCancelled = [&request] {
        if (request.cancelled && request.cancelled())
            throw Error("measuring the training speed was cancelled", Error::Kind::Cancelled);
    };
    applyComputeThreads(config.threads);
    StepTiming timing;
    const Clock::time_point loadStart = Clock::now();
    SentenceModel model = SentenceModel::load(request.modelFolder);
    timing.loadSeconds = secondsSince(loadStart);
    SentenceModel::Impl &impl = model.impl();
    if (config.maxSeqLength > 0)
        impl.config.maxSeqLength = config.maxSeqLength;
    if (config.device != "cpu")
        model.moveTo(config.device);
    const bool bf16 = usesBf16(config) && (config.device != "cpu" || cpuHasNativeBf16());

    const std::vector<Encoding> encodings = batchEncodings(model, request);
    const auto batch = static_cast<std::int64_t>(config.batchSize);
    TrainingConfig resolved = config; // Matryoshka's default sizes follow the model's dimension
    resolveMatryoshka(resolved, model.summary().embeddingDimension);
    const LossSpec loss = lossSpecOf(resolved);
    AdamW optimizer(impl.namedParameters(),
        AdamWOptions { config.adamBeta1, config.adamBeta2, config.adamEpsilon, config.weightDecay });
    const torch::Tensor scores = torch::full({ batch }, config.scoreMean).to(impl.device());
    // The trainer's step (TrainingRun::trainStep): with grad_cache, two passes over mini-batches, so the
    // second forward pass is in the timing too.
    const std::size_t miniBatch = config.gradCache ? gradCacheMiniBatch(config, impl, encodings) : 0;
    const EmbedRows embedRows = [&](std::size_t begin, std::size_t count) {
        std::vector<Encoding> rows;
        for (std::size_t column = 0; column < 2; ++column)
            for (std::size_t row = begin; row < begin + count; ++row)
                rows.push_back(encodings[column * std::size_t(batch) + row]);
        const Bf16Autocast autocast(bf16, impl.device());
        return impl.embed(rows).to(at::kFloat).split(static_cast<std::int64_t>(count));
    };
    const auto trainingStep = [&] {
        impl.setTraining(config.dropout);
        std::optional<GradCache> cache;
        if (config.gradCache)
            cache.emplace(embedRows, std::size_t(batch), miniBatch, impl.device());
        const std::vector<torch::Tensor> embeddings
            = cache ? cache->embedWithoutGrad() : embedRows(0, std::size_t(batch));
        const torch::Tensor value = computeLoss(loss, embeddings[0], embeddings[1], {}, scores);
        if (cache)
            cache->backward(value);
        else
            value.backward();
        if (config.maxGradNorm > 0)
            optimizer.clipGradNorm(config.maxGradNorm);
        optimizer.step(config.lr);
        optimizer.zeroGrad();
    };

    trainingStep(); // the first step allocates AdamW's moments and warms up the kernels
    const Clock::time_point stepsStart = Clock::now();
    do {
        checkCancelled();
        trainingStep();
        ++timing.stepsTimed;
    } while (timing.stepsTimed < request.maxSteps && secondsSince(stepsStart) < request.budgetSeconds);
    timing.secondsPerStep = secondsSince(stepsStart) / timing.stepsTimed;

    checkCancelled();
    const torch::NoGradGuard noGrad;
    impl.setTraining(false);
    const Clock::time_point encodeStart = Clock::now();
    impl.embed(encodings).sum().item<double>(); // .item() waits for the device
    timing.secondsPerEncodedText = secondsSince(encodeStart) / double(encodings.size());
    return timing;
}

} // namespace pairtune
