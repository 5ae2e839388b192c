#include "ui/runestimate.h"

#include "data/pairdataset.h"
#include "model/sentencemodel.h"
#include "recipe/batchsampler.h"
#include "recipe/datasplit.h"
#include "recipe/losskind.h"
#include "train/steptiming.h"

#include <algorithm>
#include <cmath>
#include <exception>

namespace pairtune::ui {
namespace {

// Above this many training pairs the exact count (which builds every epoch's batches) is replaced by
// ceil(pairs / batch size) to keep the settings page instant.
constexpr std::size_t kExactCountLimit = 50000;

// Effective floating-point rate of a training step on a desktop CPU with OpenBLAS: well below the
// matmul peak (about 90 GFLOP/s on two cores), because attention, layer norms and small matrices run
// slower. With it a MiniLM-sized model comes out near the ~11 pairs/s measured on two cores.
constexpr double kGuessFlopsPerSecond = 40e9;
// Costs that do not scale with the tokens: per step (AdamW touches every weight, the embedding table
// included, plus bookkeeping), per evaluation, and writing a checkpoint (weights + two AdamW moments).
constexpr double kSecondsPerStep = 0.05;
constexpr double kSecondsPerWeightUpdate = 2e-8;
constexpr double kSecondsPerEvaluation = 0.1;
// With measured steps: what an evaluation does besides encoding its texts (retrieval metrics, the
// loss, exporting the best model), about 0.28 s per evaluation with the built-in model here.
constexpr double kSecondsPerMeasuredEvaluation = 0.25;
constexpr double kCheckpointBytesPerSecond = 200e6;

std::vector<std::vector<std::uint32_t>> textIdsOf(const PairDataset &dataset, bool withNegatives)
{
    std::vector<std::vector<std::string>> texts;
    texts.reserve(dataset.size());
    std::size_t negatives = dataset.negativesPerRecord();
    for (const PairRecord &record : dataset.records()) {
        std::vector<std::string> row { record.anchor, record.positive };
        if (withNegatives)
            row.insert(row.end(), record.negatives.begin(),
                record.negatives.begin() + std::ptrdiff_t(std::min(negatives, record.negatives.size())));
        texts.push_back(std::move(row));
    }
    return BatchSampler::textIdsFromTexts(texts);
}

} // namespace

RunEstimate estimateRun(const TrainingConfig &config, const EstimateInputs &inputs)
{
    RunEstimate estimate;
    if (!inputs.dataset || inputs.dataset->size() < 2) {
        estimate.problem = "at least two pairs are needed";
        return estimate;
    }
    if (config.batchSize <= 0 || config.epochs <= 0
        || !(config.trainFraction > 0 && config.trainFraction <= 1)) {
        estimate.problem = "the batch size, epochs and train fraction must be positive";
        return estimate;
    }
    const PairDataset &dataset = *inputs.dataset;
    estimate.pairs = dataset.size();
    Split split;
    try {
        split = splitIndices(dataset.size(), config.trainFraction, config.seed);
    } catch (const std::exception &error) {
        estimate.problem = error.what();
        return estimate;
    }
    estimate.trainPairs = split.train.size();
    estimate.evalPairs = split.eval.size();

    const auto batch = std::int64_t(config.batchSize);
    estimate.stepsPerEpoch = (std::int64_t(estimate.trainPairs) + batch - 1) / batch;
    estimate.totalSteps = estimate.stepsPerEpoch * config.epochs;
    const bool noDuplicates = config.noDuplicates && lossUsesNegatives(config.loss);
    if (noDuplicates && estimate.trainPairs <= kExactCountLimit) {
        BatchSamplerOptions options;
        options.batchSize = std::size_t(config.batchSize);
        options.seed = config.seed;
        options.noDuplicates = true;
        const BatchSampler sampler(split.train, options, textIdsOf(dataset, true));
        estimate.totalSteps = sampler.totalSteps(config.epochs);
        estimate.exactSteps = true;
    } else {
        estimate.exactSteps = !noDuplicates;
    }
    if (config.maxSteps > 0)
        estimate.totalSteps = std::min(estimate.totalSteps, config.maxSteps);

    if (estimate.evalPairs > 0) {
        estimate.evaluations = plannedEvaluations(
            estimate.stepsPerEpoch, config.epochs, estimate.totalSteps, config.evalEvery);
        estimate.evalSamplePairs = config.evalSample > 0
            ? std::min(estimate.evalPairs, std::size_t(config.evalSample))
            : estimate.evalPairs;
        estimate.evalPairsScored
            = scoredEvalPairs(estimate.evaluations, estimate.evalPairs, config.evalSample);
    }

    if (!inputs.model)
        return estimate;
    const ModelSummary &model = *inputs.model;
    const int maxSeq = config.maxSeqLength > 0 ? config.maxSeqLength : model.maxSeqLength;
    const double tokens
        = std::clamp(inputs.meanTokensPerText > 0 ? inputs.meanTokensPerText * 1.2 : maxSeq * 0.5, 4.0,
            double(std::max(4, maxSeq)));
    const double textsPerPair
        = 2.0 + double(lossUsesNegatives(config.loss) ? dataset.negativesPerRecord() : 0);
    const double trainedPairs = double(estimate.totalSteps) * double(config.batchSize);
    // Evaluation embeds each scored pair's anchor, positive and, when the loss uses them, negatives.
    const double evalTexts = double(estimate.evalPairsScored) * textsPerPair;
    const auto steps = double(estimate.totalSteps);
    const double weights = double(model.parameterCount);
    const double checkpoints = (config.checkpointEvery > 0 ? steps / double(config.checkpointEvery) : 0.0)
        + double(std::max<std::int64_t>(
            1, estimate.stepsPerEpoch > 0 ? estimate.totalSteps / estimate.stepsPerEpoch : 1));
    const double checkpointSeconds = checkpoints * weights * 12.0 / kCheckpointBytesPerSecond;
    if (inputs.stepTiming && inputs.stepTiming->secondsPerStep > 0) {
        // Everything that grows with the run was timed here; only writing checkpoints and what an
        // evaluation does besides encoding (metrics, exporting the best model) are guesses.
        const StepTiming &timing = *inputs.stepTiming;
        estimate.measured = true;
        estimate.fromMeasuredSteps = true;
        estimate.evaluationSeconds = evalTexts * timing.secondsPerEncodedText
            + double(estimate.evaluations) * kSecondsPerMeasuredEvaluation;
        estimate.seconds = timing.loadSeconds + steps * timing.secondsPerStep + estimate.evaluationSeconds
            + checkpointSeconds;
        return estimate;
    }
    if (inputs.measuredPairsPerSecond > 0) {
        estimate.measured = true;
        // Encoding a text without gradients costs about a third of training on it.
        const double textsPerSecond = inputs.measuredPairsPerSecond * textsPerPair;
        estimate.evaluationSeconds = evalTexts / (3.0 * textsPerSecond);
        estimate.seconds = trainedPairs / inputs.measuredPairsPerSecond + estimate.evaluationSeconds;
        return estimate;
    }
    // Transformer cost: about 2 * weights * tokens per forward, 3x that with the backward pass; the
    // weights that multiply every token are 12 * hidden^2 per layer (attention + feed-forward).
    const double layerWeights = 12.0 * double(model.hidden) * double(model.hidden) * double(model.layers);
    const double attention = 2.0 * double(model.layers) * tokens * double(model.hidden);
    const double forwardPerText = 2.0 * (layerWeights + attention) * tokens;
    estimate.evaluationSeconds = evalTexts * forwardPerText / kGuessFlopsPerSecond
        + double(estimate.evaluations) * kSecondsPerEvaluation;
    estimate.seconds = trainedPairs * textsPerPair * forwardPerText * 3.0 / kGuessFlopsPerSecond
        + steps * (kSecondsPerStep + weights * kSecondsPerWeightUpdate) + estimate.evaluationSeconds
        + checkpointSeconds;
    return estimate;
}

std::int64_t plannedEvaluations(
    std::int64_t stepsPerEpoch, int epochs, std::int64_t totalSteps, std::int64_t evalEvery)
{
    std::int64_t evaluations = 1; // the baseline before the first step
    if (stepsPerEpoch <= 0)
        return evaluations;
    std::int64_t step = 0;
    std::int64_t lastEvaluated = 0;
    for (int epoch = 0; epoch < epochs && step < totalSteps; ++epoch) {
        const std::int64_t end = std::min(step + stepsPerEpoch, totalSteps);
        if (evalEvery > 0) {
            const std::int64_t periodic = end / evalEvery - step / evalEvery;
            evaluations += periodic;
            if (periodic > 0)
                lastEvaluated = end / evalEvery * evalEvery;
        }
        const bool epochCompleted = end - step == stepsPerEpoch;
        step = end;
        if (!epochCompleted)
            break; // the step limit ended the run inside this epoch
        if (lastEvaluated != step) {
            ++evaluations;
            lastEvaluated = step;
        }
    }
    if (lastEvaluated != step)
        ++evaluations; // the final evaluation of the last step
    return evaluations;
}

std::int64_t scoredEvalPairs(std::int64_t evaluations, std::size_t evalPairs, std::int64_t evalSample)
{
    // training/train/trainingloop.cpp evaluateNow: step 0 and the last step score every held-out pair,
    // the others the sample, and the last step the sample too when it is smaller.
    const auto all = std::int64_t(evalPairs);
    const std::int64_t sample = evalSample > 0 ? std::min(all, evalSample) : all;
    const std::int64_t full = std::min<std::int64_t>(evaluations, 2);
    const std::int64_t sampled = evaluations - full + (evaluations >= 2 && sample < all ? 1 : 0);
    return full * all + sampled * sample;
}

std::string formatDuration(double seconds)
{
    if (!(seconds >= 0) || !std::isfinite(seconds))
        return "unknown";
    if (seconds < 1.0)
        return "under a second";
    const auto total = std::int64_t(std::llround(seconds));
    if (total < 60)
        return std::to_string(total) + " s";
    const std::int64_t minutes = total / 60;
    if (minutes < 60)
        return std::to_string(minutes) + " min " + std::to_string(total % 60) + " s";
    const std::int64_t hours = minutes / 60;
    if (hours < 48)
        return std::to_string(hours) + " h " + std::to_string(minutes % 60) + " min";
    return std::to_string(hours / 24) + " days " + std::to_string(hours % 24) + " h";
}

} // namespace pairtune::ui
