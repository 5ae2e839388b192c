#include "eval/evalresult.h"

#include "core/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace pairtune {

const std::vector<std::string> &evalMetricKeys()
{
    static const std::vector<std::string> keys = {
        "accuracy@1",
        "accuracy@3",
        "accuracy@5",
        "accuracy@10",
        "precision@1",
        "precision@3",
        "precision@5",
        "precision@10",
        "recall@1",
        "recall@3",
        "recall@5",
        "recall@10",
        "mrr@10",
        "ndcg@10",
        "map@100",
        "mean_cos_pos",
        "mean_cos_neg",
        "spearman",
        "pearson",
        "eval_loss",
    };
    return keys;
}

bool isEvalMetricKey(const std::string &key)
{
    const auto &keys = evalMetricKeys();
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

bool higherIsBetter(const std::string &key)
{
    return key != "eval_loss" && key != "mean_cos_neg";
}

nlohmann::json toJson(const EvalResult &result)
{
    nlohmann::json metrics = nlohmann::json::object();
    for (const auto &[key, value] : result.metrics)
        metrics[key] = std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
    return { { "step", result.step }, { "epoch", result.epoch }, { "metrics", std::move(metrics) } };
}

EvalResult evalResultFromJson(const nlohmann::json &json)
{
    const auto bad = [](const std::string &what) { throw Error("evaluation result: " + what); };
    if (!json.is_object())
        bad("expected a JSON object");
    EvalResult result;
    if (!json.contains("step") || !json.at("step").is_number_integer())
        bad("\"step\" must be an integer");
    result.step = json.at("step").get<std::int64_t>();
    if (!json.contains("epoch") || !json.at("epoch").is_number_integer())
        bad("\"epoch\" must be an integer");
    result.epoch = json.at("epoch").get<int>();
    if (json.contains("metrics")) {
        const auto &metrics = json.at("metrics");
        if (!metrics.is_object())
            bad("\"metrics\" must be an object");
        for (const auto &[key, value] : metrics.items()) {
            if (value.is_null())
                result.metrics[key] = std::numeric_limits<double>::quiet_NaN();
            else if (value.is_number())
                result.metrics[key] = value.get<double>();
            else
                bad("metric \"" + key + "\" must be a number or null");
        }
    }
    return result;
}

} // namespace pairtune
