#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace pairtune {

// One evaluation of the model on the evaluation pairs, at a training step (0 = before training).
// metrics holds some or all of evalMetricKeys(); a metric that could not be computed (e.g. Spearman of
// constant scores) is NaN.
struct EvalResult
{
    std::int64_t step = 0;
    int epoch = 0;
    std::map<std::string, double> metrics;

    bool operator==(const EvalResult &) const = default; // note: NaN != NaN, as for doubles
};

// The keys the engine reports: "accuracy@1", "accuracy@3", "accuracy@5", "accuracy@10",
// "precision@k"/"recall@k" for the same k, "mrr@10", "ndcg@10", "map@100", "mean_cos_pos",
// "mean_cos_neg", "spearman", "pearson", "eval_loss".
const std::vector<std::string> &evalMetricKeys();
bool isEvalMetricKey(const std::string &key);
// False only for metrics where lower is better ("eval_loss", "mean_cos_neg").
bool higherIsBetter(const std::string &key);

// {"step": N, "epoch": N, "metrics": {key: value}}; NaN and infinities are written as null (JSON has
// no NaN) and read back as NaN.
nlohmann::json toJson(const EvalResult &result);
// Throws pairtune::Error for a malformed object. Unknown metric keys are kept (newer files).
EvalResult evalResultFromJson(const nlohmann::json &json);

} // namespace pairtune
