#pragma once

// How fast a training run will go on this computer, measured rather than guessed: a few real training
// steps (forward, backward, clipping, AdamW) of a fresh copy of the model on a batch of the user's own
// texts, at the run's batch size and maximum length, and one no-gradient encoding of the same texts
// (what an evaluation does). The studio's run estimate (ui/runestimate.h) multiplies these out.
// Torch-free header: callable from the studio on a worker thread.

#include "recipe/trainingconfig.h"

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace pairtune {

struct StepTiming
{
    double loadSeconds = 0.0; // reading the model folder (a run does it once)
    double secondsPerStep = 0.0; // one training step of config.batchSize pairs
    double secondsPerEncodedText = 0.0; // encoding one text without gradients (evaluation)
    int stepsTimed = 0; // after one untimed warm-up step
};

struct StepTimingRequest
{
    std::string modelFolder; // a resolved folder (not "builtin")
    TrainingConfig config; // batch size, max length, loss, dropout, bf16, device, threads
    // Sample (anchor, positive) texts of the run's data; the batch takes config.batchSize of them,
    // spread over the list and repeated when there are fewer.
    std::vector<std::pair<std::string, std::string>> pairs;
    double budgetSeconds = 2.0; // timed steps stop once they took this long (at least one is timed)
    int maxSteps = 3;
    std::function<bool()> cancelled; // checked between steps
};

// Throws pairtune::Error when the model cannot be loaded or there are no pairs; Kind::Cancelled when
// cancelled() turned true.
StepTiming measureStepTiming(const StepTimingRequest &request);

} // namespace pairtune
