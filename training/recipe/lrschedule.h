#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pairtune {

// The schedules of sentence-transformers' fit (transformers optimization.py), by their fit names.
enum class ScheduleKind {
    ConstantLr, // "constantlr": 1
    WarmupConstant, // "warmupconstant": s/max(1,W) during warmup, then 1
    WarmupLinear, // "warmuplinear": s/max(1,W), then max(0, (T-s)/max(1,T-W))
    WarmupCosine, // "warmupcosine": then max(0, 0.5(1 + cos(pi * cycles * 2 * p)))
    WarmupCosineWithHardRestarts, // "warmupcosinewithhardrestarts": then 0 if p >= 1, else
                                  // max(0, 0.5(1 + cos(pi * ((cycles * p) mod 1))))
};
// where p = (s - W) / max(1, T - W).

// Case-insensitive, as fit lowercases the name. Throws pairtune::Error listing the valid names.
ScheduleKind scheduleKindFromName(std::string_view name);
std::string scheduleKindName(ScheduleKind kind);
const std::vector<std::string> &scheduleKindNames();

// The multiplier of the base learning rate for optimizer step `step` (0-based).
// torch's LambdaLR applies λ(0) when it is constructed and λ(k) after the k-th scheduler.step(), and
// fit calls scheduler.step() after each optimizer.step(); so optimizer step k runs with lr = base·λ(k).
// In particular the very first step runs at lr 0 whenever warmupSteps > 0 (docs/formats.md §5.2).
// totalSteps is steps_per_epoch * epochs. cycles: nullopt means transformers' defaults (0.5 for
// warmupcosine, i.e. half a cosine down to 0; 1 for hard restarts); ignored by the other kinds.
// Throws pairtune::Error for negative step, warmupSteps or totalSteps.
double lrFactor(ScheduleKind kind, std::int64_t step, std::int64_t warmupSteps, std::int64_t totalSteps,
    std::optional<double> cycles = std::nullopt);

} // namespace pairtune
