#include "ui/runreplay.h"

#include <filesystem>

namespace pairtune::ui {
namespace {

TrainingEvent::Type eventType(const std::string &name)
{
    using Type = TrainingEvent::Type;
    for (const Type type :
        { Type::Started, Type::Step, Type::Evaluation, Type::Checkpoint, Type::Message, Type::Finished }) {
        if (name == toString(type))
            return type;
    }
    return Type::Message;
}

bool isModelFolder(const std::filesystem::path &folder)
{
    std::error_code ec;
    return std::filesystem::is_regular_file(folder / "modules.json", ec);
}

} // namespace

TrainingEvent trainingEventFromJson(const nlohmann::json &line)
{
    TrainingEvent event;
    event.type = eventType(line.value("type", std::string()));
    event.step = line.value("step", std::int64_t { 0 });
    event.epoch = line.value("epoch", 0);
    event.totalSteps = line.value("total_steps", std::int64_t { 0 });
    event.stepsPerEpoch = line.value("steps_per_epoch", std::int64_t { 0 });
    event.totalEpochs = line.value("epochs", 0);
    event.trainPairs = line.value("train_pairs", std::size_t { 0 });
    event.evalPairs = line.value("eval_pairs", std::size_t { 0 });
    event.evalScope = line.value("eval_scope", std::string());
    event.loss = line.value("loss", 0.0);
    event.smoothedLoss = line.value("smoothed_loss", 0.0);
    event.learningRate = line.value("lr", 0.0);
    event.pairsPerSecond = line.value("pairs_per_second", 0.0);
    event.elapsedSeconds = line.value("elapsed_seconds", 0.0);
    event.etaSeconds = line.value("eta_seconds", 0.0);
    if (line.contains("metrics") && line["metrics"].is_object()) {
        for (const auto &[name, value] : line["metrics"].items()) {
            if (value.is_number())
                event.metrics[name] = value.get<double>();
        }
    }
    event.message = line.value("message", std::string());
    return event;
}

std::vector<TrainingEvent> trainingEventsOf(const RunRecord &run)
{
    std::vector<TrainingEvent> events;
    events.reserve(run.events.size());
    for (const nlohmann::json &line : run.events) {
        if (line.is_object())
            events.push_back(trainingEventFromJson(line));
    }
    return events;
}

TrainingResult trainingResultOf(const RunRecord &run)
{
    TrainingResult result;
    const std::filesystem::path folder(run.path);
    result.runPath = run.path;
    result.cancelled = run.status != RunStatus::Finished;
    result.steps = run.lastStep;
    result.totalSteps = run.totalSteps;
    if (!run.losses.empty()) {
        result.firstLoss = run.losses.front().loss;
        result.lastLoss = run.losses.back().loss;
    }
    if (const EvaluationPoint *baseline = run.baseline())
        result.evalBefore = baseline->metrics;
    if (const EvaluationPoint *last = run.finalEvaluation())
        result.evalAfter = last->metrics;
    result.bestStep = run.bestStep;
    result.bestValue = run.bestValue.value_or(0.0);
    for (auto it = run.events.rbegin(); it != run.events.rend(); ++it) {
        if (it->value("type", std::string()) == "started") {
            result.trainPairs = it->value("train_pairs", std::size_t { 0 });
            result.evalPairs = it->value("eval_pairs", std::size_t { 0 });
            break;
        }
    }
    if (!result.cancelled && isModelFolder(folder / "model"))
        result.modelPath = (folder / "model").string();
    if (isModelFolder(folder / "best"))
        result.bestModelPath = (folder / "best").string();
    return result;
}

} // namespace pairtune::ui
