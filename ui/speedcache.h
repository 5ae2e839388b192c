#pragma once

// Training-step timings measured on this computer, kept across restarts (issue 17: the run estimate
// from a calibration on first use, cached), so the Settings page shows a measured estimate at once
// after the first start. Stored in the studio's QSettings, one entry per key, at most kMaxEntries.

#include "recipe/trainingconfig.h"
#include "train/steptiming.h"

#include <QDateTime>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pairtune {
class PairDataset;
}

namespace pairtune::ui {

struct MeasuredStepTiming
{
    StepTiming timing;
    QDateTime measuredAt; // when the steps were timed (UTC)
};

// The computer and program a timing was measured with: a timing from another CPU or another
// Pairtune (whose kernels may differ) is not this one's.
struct MachineIdentity
{
    std::string cpuModel; // /proc/cpuinfo's "model name" (else the architecture)
    int logicalCores = 0;
    std::string version; // Pairtune's
};
MachineIdentity thisMachine();

// The run's data as the timed batch sees it: up to kStepTimingSamplePairs pairs spread over the records
// (enough for a batch that looks like the data).
inline constexpr std::size_t kStepTimingSamplePairs = 512;
std::vector<std::pair<std::string, std::string>> stepTimingSample(const PairDataset &dataset);

// Everything that changes a step's cost: the model folder as it is on disk (canonical path, total size,
// newest modification time), the step's settings (batch size, max length, loss, dropout, bf16 as
// resolved, grad cache and mini-batch, device, threads), the sampled texts (their lengths decide the
// padded batch) and the machine. Any difference gives another key, so a stale timing is never used.
std::string stepTimingKey(const std::string &modelFolder, const TrainingConfig &config,
    const std::vector<std::pair<std::string, std::string>> &samplePairs,
    const MachineIdentity &machine = thisMachine());

std::optional<MeasuredStepTiming> loadStepTiming(const std::string &key);
// Keeps the newest kMaxEntries timings.
void storeStepTiming(const std::string &key, const MeasuredStepTiming &measured);
void forgetStepTiming(const std::string &key);

inline constexpr int kMaxStepTimingEntries = 64;

} // namespace pairtune::ui
