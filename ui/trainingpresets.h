#pragma once

#include "recipe/trainingconfig.h"

#include <QString>

#include <cstddef>
#include <cstdint>

namespace pairtune::ui {

// Starting points for the settings page. A preset changes the training knobs only; the data, base
// model and run folder of the current configuration are kept.
enum class TrainingPreset {
    Recipe, // the classic recipe exactly (TrainingConfig's defaults)
    Recommended, // sentence-transformers' usual MNRL setup, sized to the data
    QuickCheck, // a few steps to see the whole pipeline work before a long run
};

QString presetName(TrainingPreset preset);
// evaluations: how many evaluations the preset's run will do on the current data (plannedEvaluations
// in ui/runestimate.h, the count the settings summary shows); 0 when unknown (no data yet).
QString presetDescription(TrainingPreset preset, std::int64_t evaluations = 0);
// trainPairs: pairs in the training split (sizes warmup and evaluation interval; 0 = unknown).
TrainingConfig applyPreset(TrainingPreset preset, const TrainingConfig &current, std::size_t trainPairs);

} // namespace pairtune::ui
