#include "recipe/lrschedule.h"

#include "core/error.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numbers>

namespace pairtune {

namespace {

struct NamedKind
{
    const char *name;
    ScheduleKind kind;
};

constexpr NamedKind kKinds[] = {
    { "constantlr", ScheduleKind::ConstantLr },
    { "warmupconstant", ScheduleKind::WarmupConstant },
    { "warmuplinear", ScheduleKind::WarmupLinear },
    { "warmupcosine", ScheduleKind::WarmupCosine },
    { "warmupcosinewithhardrestarts", ScheduleKind::WarmupCosineWithHardRestarts },
};

} // namespace

ScheduleKind scheduleKindFromName(std::string_view name)
{
    std::string lower(name);
    for (auto &c : lower)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const auto &entry : kKinds)
        if (lower == entry.name)
            return entry.kind;
    std::string valid;
    for (const auto &entry : kKinds)
        valid += (valid.empty() ? "" : ", ") + std::string(entry.name);
    throw Error("unknown learning-rate schedule '" + std::string(name) + "' (valid: " + valid + ")");
}

std::string scheduleKindName(ScheduleKind kind)
{
    for (const auto &entry : kKinds)
        if (entry.kind == kind)
            return entry.name;
    return "unknown";
}

const std::vector<std::string> &scheduleKindNames()
{
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const auto &entry : kKinds)
            out.emplace_back(entry.name);
        return out;
    }();
    return names;
}

double lrFactor(ScheduleKind kind, std::int64_t step, std::int64_t warmupSteps, std::int64_t totalSteps,
    std::optional<double> cycles)
{
    if (step < 0 || warmupSteps < 0 || totalSteps < 0)
        throw Error("learning-rate schedule: step, warmup steps and total steps must not be negative");
    const auto s = static_cast<double>(step);
    if (kind == ScheduleKind::ConstantLr)
        return 1.0;
    if (step < warmupSteps)
        return s / static_cast<double>(std::max<std::int64_t>(1, warmupSteps));
    const double progress = static_cast<double>(step - warmupSteps)
        / static_cast<double>(std::max<std::int64_t>(1, totalSteps - warmupSteps));
    switch (kind) {
    case ScheduleKind::ConstantLr:
    case ScheduleKind::WarmupConstant:
        return 1.0;
    case ScheduleKind::WarmupLinear:
        return std::max(0.0,
            static_cast<double>(totalSteps - step)
                / static_cast<double>(std::max<std::int64_t>(1, totalSteps - warmupSteps)));
    case ScheduleKind::WarmupCosine: {
        const double c = cycles.value_or(0.5);
        return std::max(0.0, 0.5 * (1.0 + std::cos(std::numbers::pi * c * 2.0 * progress)));
    }
    case ScheduleKind::WarmupCosineWithHardRestarts: {
        if (progress >= 1.0)
            return 0.0;
        const double c = cycles.value_or(1.0);
        // Python's % on non-negative floats equals fmod.
        return std::max(0.0, 0.5 * (1.0 + std::cos(std::numbers::pi * std::fmod(c * progress, 1.0))));
    }
    }
    return 1.0;
}

} // namespace pairtune
