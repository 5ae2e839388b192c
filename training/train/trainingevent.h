#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace pairtune {

// What the trainer tells its observer (CLI progress line, GUI charts, metrics.jsonl). Plain data:
// observers may copy it to another thread.
struct TrainingEvent
{
    enum class Type {
        Started, // sizes known: totalSteps, stepsPerEpoch, trainPairs, evalPairs
        Step, // one optimizer step done
        Evaluation, // metrics on the held-out split (step 0 = baseline before training)
        Checkpoint, // a checkpoint folder was written (message = its path)
        Message, // something worth telling the user (message)
        Finished, // training ended normally or by cancel (message says which)
    };

    Type type = Type::Step;
    std::int64_t step = 0; // optimizer steps done so far
    std::int64_t totalSteps = 0;
    int epoch = 0; // 0-based epoch the step belongs to
    int totalEpochs = 0;
    std::int64_t stepsPerEpoch = 0;
    std::size_t trainPairs = 0;
    std::size_t evalPairs = 0; // Started: the held-out pairs; Evaluation: the pairs it scored
    std::string
        evalScope; // Evaluation: "all" held-out pairs or the fixed "sample" (TrainingConfig::evalSample)
    double loss = 0.0; // this step's loss
    double smoothedLoss = 0.0; // exponential moving average (alpha 0.05, bias-corrected)
    double learningRate = 0.0; // lr used by this step
    double pairsPerSecond = 0.0; // training pairs per second of pure training time
    double elapsedSeconds = 0.0; // wall time since the run (or resume) started
    double etaSeconds = 0.0; // estimated time to finish, evaluation included
    std::map<std::string, double> metrics; // Evaluation: accuracy@1, mrr@10, ..., eval_loss
    std::string message;
};

const char *toString(TrainingEvent::Type type);
nlohmann::json toJson(const TrainingEvent &event); // one metrics.jsonl line

} // namespace pairtune
