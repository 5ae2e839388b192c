#pragma once

#include "recipe/modeltuning.h"
#include "recipe/trainingconfig.h"

#include <QString>

#include <cstddef>
#include <cstdint>

namespace pairtune::ui {

// Starting points for the settings page. A preset changes the training knobs only; the data, base
// model and run folder of the current configuration are kept.
enum class TrainingPreset {
    Recipe, // the classic recipe exactly (TrainingConfig's defaults)
    Recommended, // the model's own tested settings when its folder has them, else sentence-transformers'
                 // usual MNRL setup; sized to the data
    QuickCheck, // a few steps to see the whole pipeline work before a long run
};

QString presetName(TrainingPreset preset);
// evaluations: how many evaluations the preset's run will do on the current data (plannedEvaluations
// in ui/runestimate.h, the count the settings summary shows); 0 when unknown (no data yet).
// tuning: the chosen model's tested settings (recipe/modeltuning.h), null when its folder has none.
QString presetDescription(
    TrainingPreset preset, std::int64_t evaluations = 0, const ModelTuning *tuning = nullptr);
// trainPairs: pairs in the training split (sizes warmup and evaluation interval; 0 = unknown).
// With a tuning, Recommended takes the model's tested settings over its own choices.
TrainingConfig applyPreset(TrainingPreset preset, const TrainingConfig &current, std::size_t trainPairs,
    const ModelTuning *tuning = nullptr);

} // namespace pairtune::ui
