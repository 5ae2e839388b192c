#include "train/trainingevent.h"

namespace pairtune {

const char *toString(TrainingEvent::Type type)
{
    switch (type) {
    case TrainingEvent::Type::Started:
        return "started";
    case TrainingEvent::Type::Step:
        return "step";
    case TrainingEvent::Type::Evaluation:
        return "evaluation";
    case TrainingEvent::Type::Checkpoint:
        return "checkpoint";
    case TrainingEvent::Type::Message:
        return "message";
    case TrainingEvent::Type::Finished:
        return "finished";
    }
    return "unknown";
}

nlohmann::json toJson(const TrainingEvent &e)
{
    nlohmann::json j = { { "type", toString(e.type) }, { "step", e.step }, { "epoch", e.epoch } };
    switch (e.type) {
    case TrainingEvent::Type::Started:
        j.update({ { "total_steps", e.totalSteps }, { "steps_per_epoch", e.stepsPerEpoch },
            { "epochs", e.totalEpochs }, { "train_pairs", e.trainPairs }, { "eval_pairs", e.evalPairs } });
        break;
    case TrainingEvent::Type::Step:
        j.update({ { "loss", e.loss }, { "smoothed_loss", e.smoothedLoss }, { "lr", e.learningRate },
            { "pairs_per_second", e.pairsPerSecond }, { "elapsed_seconds", e.elapsedSeconds },
            { "eta_seconds", e.etaSeconds } });
        break;
    case TrainingEvent::Type::Evaluation:
        j["metrics"] = e.metrics;
        j["eval_pairs"] = e.evalPairs;
        j["eval_scope"] = e.evalScope;
        j["elapsed_seconds"] = e.elapsedSeconds;
        break;
    default:
        break;
    }
    if (!e.message.empty())
        j["message"] = e.message;
    return j;
}

} // namespace pairtune
