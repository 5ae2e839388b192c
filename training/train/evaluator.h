#pragma once

// Evaluation on the held-out pairs (issue: baseline before the first step, every --eval-every steps,
// at each epoch end). Torch-free interface; the eval loss is computed with the training loss.

#include "model/sentencemodel.h"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace pairtune {

class SentenceModel;

struct EvalSet
{
    std::vector<std::string> anchors;
    std::vector<std::string> positives;
    std::vector<std::vector<std::string>> negatives; // per pair, may be empty
    std::vector<float> scores; // labels for the eval loss
    bool scoresFromFile = false; // Spearman/Pearson only against real scores
};

// How texts become embeddings with a prompt (train/groupencoder.h: alone, or shared by a run's processes).
using TextEncoder
    = std::function<Embeddings(const std::vector<std::string> &texts, const std::string &prompt)>;

struct EvalOptions
{
    std::string loss = "mnrl";
    std::string similarity = "dot";
    double scale = 1.0;
    std::size_t batchSize = 32;
    std::uint64_t seed = 42;
    // Matryoshka sizes: the retrieval metrics also at each size, keyed matryoshkaMetricKey(dim, metric)
    // ("dim96/mrr@10", recipe/matryoshka.h), from the same embeddings cut to their first dim numbers and
    // normalised again (one embedding pass for every size). The eval loss uses them as training does.
    std::vector<int> truncateDims;
    std::vector<double> truncateWeights;
    // How texts become embeddings (with the prompt); the model's encodeWithPrompt(batchSize) when empty.
    // Distributed training shards them: each process embeds its share, rank 0 receives all of them.
    TextEncoder encode;
    // false: only embed every column (a rank of a sharded evaluation other than 0) and return no metrics.
    bool computeMetrics = true;
};

// Metrics (keys of eval/evalresult.h): retrieval of each anchor among all distinct eval positives by
// cosine similarity (accuracy@1/3/5/10, precision/recall@k, mrr@10, ndcg@10, map@100), mean cosine of
// true pairs (mean_cos_pos) and of shuffled non-pairs (mean_cos_neg, a fixed seeded derangement),
// spearman/pearson of the pair cosines against file scores, and eval_loss.
std::map<std::string, double> evaluate(
    const SentenceModel &model, const EvalSet &set, const EvalOptions &options);

// A fixed seeded sample of count pairs (in their original order) for the evaluations during training;
// the whole set when count is 0 or not smaller than it.
EvalSet sampleEvalSet(const EvalSet &set, std::size_t count, std::uint64_t seed);

} // namespace pairtune
