#include "train/loopstate.h"

namespace pairtune {

nlohmann::json LoopState::toJson() const
{
    nlohmann::json j = { { "step", step }, { "position", pairtune::toJson(position) },
        { "loss_average", smoother.average }, { "loss_weight", smoother.weight },
        { "train_seconds", trainSeconds }, { "last_loss", lastLoss }, { "best_step", bestStep },
        { "best_value", bestValue }, { "eval_before", evalBefore } };
    if (firstLoss)
        j["first_loss"] = *firstLoss;
    return j;
}

LoopState LoopState::fromJson(const nlohmann::json &j)
{
    LoopState s;
    s.step = j.at("step").get<std::int64_t>();
    s.position = samplerPositionFromJson(j.at("position"));
    s.smoother.average = j.at("loss_average").get<double>();
    s.smoother.weight = j.at("loss_weight").get<double>();
    s.trainSeconds = j.at("train_seconds").get<double>();
    s.lastLoss = j.at("last_loss").get<double>();
    s.bestStep = j.at("best_step").get<std::int64_t>();
    s.bestValue = j.at("best_value").get<double>();
    s.evalBefore = j.at("eval_before").get<std::map<std::string, double>>();
    if (j.contains("first_loss"))
        s.firstLoss = j.at("first_loss").get<double>();
    return s;
}

} // namespace pairtune
