#include "ui/trainingpresets.h"

#include "recipe/losskind.h"

#include <QCoreApplication>

#include <algorithm>
#include <cmath>

namespace pairtune::ui {
namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("TrainingPreset", text);
}

TrainingConfig keepPaths(TrainingConfig preset, const TrainingConfig &current)
{
    preset.dataPaths = current.dataPaths;
    preset.basePath = current.basePath;
    preset.outPath = current.outPath;
    // Compute placement is about this computer, not about the recipe.
    preset.threads = current.threads;
    preset.device = current.device;
    preset.bf16 = current.bf16; // bf16 or float32 follows the computer's CPU (or the user's switch)
    return preset;
}

} // namespace

QString presetName(TrainingPreset preset)
{
    switch (preset) {
    case TrainingPreset::Recipe:
        return tr("Recipe");
    case TrainingPreset::Recommended:
        return tr("Recommended");
    case TrainingPreset::QuickCheck:
        return tr("Quick check");
    }
    return {};
}

QString presetDescription(TrainingPreset preset, std::int64_t evaluations, const ModelTuning *tuning)
{
    switch (preset) {
    case TrainingPreset::Recipe:
        return tr("The classic recipe as it was: MNRL with dot products at scale 1, 8 epochs, batches of 32, "
                  "100 warmup steps, made-up scores around 0.9.");
    case TrainingPreset::Recommended:
        if (tuning)
            return tr("Recommended for this model: tested settings from its folder (%1), four evaluations "
                      "per epoch. %2")
                .arg(QString::fromStdString(tuningFlags(*tuning)), QString::fromStdString(tuning->tested))
                .trimmed();
        return tr(
            "MNRL with cosine similarity at scale 20 (sentence-transformers' default), 3 epochs, warmup over "
            "10% of the steps, four evaluations per epoch.");
    case TrainingPreset::QuickCheck:
        if (evaluations > 0)
            return tr(
                "20 steps with %1 evaluations (the first before training): checks data, model and export "
                "in a minute before a long run.")
                .arg(evaluations);
        return tr("20 steps with an evaluation before training and every 10 steps: checks data, model and "
                  "export in a minute before a long run.");
    }
    return {};
}

TrainingConfig applyPreset(
    TrainingPreset preset, const TrainingConfig &current, std::size_t trainPairs, const ModelTuning *tuning)
{
    TrainingConfig config;
    switch (preset) {
    case TrainingPreset::Recipe:
        break;
    case TrainingPreset::Recommended: {
        config.loss = traitsOf(LossKind::Mnrl).name;
        config.similarity = traitsOf(SimilarityKind::Cosine).name;
        config.scale = 20.0;
        config.epochs = 3;
        config.batchSize = 32;
        config.noDuplicates = true;
        if (tuning)
            config = applyModelTuning(config, *tuning);
        const std::int64_t stepsPerEpoch = trainPairs > 0
            ? std::int64_t((trainPairs + std::size_t(config.batchSize) - 1) / std::size_t(config.batchSize))
            : 0;
        const std::int64_t totalSteps = stepsPerEpoch * config.epochs;
        // What the model's tested settings name stays as tested; the rest is sized to the data.
        const auto tested = [tuning](const char *key) { return tuning && tuning->settings.contains(key); };
        if (!tested("warmup_steps"))
            config.warmupSteps = totalSteps > 0 ? std::int64_t(std::ceil(0.1 * double(totalSteps))) : 100;
        if (!tested("eval_every"))
            config.evalEvery = stepsPerEpoch >= 8 ? stepsPerEpoch / 4 : 0;
        config.checkpointEvery = std::max<std::int64_t>(config.evalEvery, 500);
        config.keepCheckpoints = 3;
        break;
    }
    case TrainingPreset::QuickCheck:
        config.epochs = 1;
        config.maxSteps = 20;
        config.warmupSteps = 2;
        config.evalEvery = 10;
        config.checkpointEvery = 10;
        config.keepCheckpoints = 2;
        break;
    }
    return keepPaths(config, current);
}

} // namespace pairtune::ui
