#pragma once

// What the training loop carries from step to step, saved in each checkpoint's trainer_state.json so
// that a resumed run continues exactly where it stopped.

#include "recipe/batchsampler.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace pairtune {

// Bias-corrected exponential moving average of the loss (what the charts draw as "smoothed").
struct LossSmoother
{
    static constexpr double kAlpha = 0.05;
    double average = 0.0;
    double weight = 0.0;

    double add(double value)
    {
        average = (1.0 - kAlpha) * average + kAlpha * value;
        weight = (1.0 - kAlpha) * weight + kAlpha;
        return average / weight;
    }
};

struct LoopState
{
    std::int64_t step = 0;
    SamplerPosition position;
    LossSmoother smoother;
    double trainSeconds = 0.0;
    std::optional<double> firstLoss;
    double lastLoss = 0.0;
    std::int64_t bestStep = -1;
    double bestValue = 0.0;
    std::map<std::string, double> evalBefore;

    nlohmann::json toJson() const;
    static LoopState fromJson(const nlohmann::json &j);
};

} // namespace pairtune
