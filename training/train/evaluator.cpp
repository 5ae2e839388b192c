#include "train/evaluator.h"

#include "core/error.h"
#include "eval/blockedsearch.h"
#include "eval/correlation.h"
#include "eval/retrievalmetrics.h"
#include "model/prompts.h"
#include "model/sentencemodel.h"
#include "recipe/matryoshka.h"
#include "recipe/rng.h"
#include "train/losses.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace pairtune {
namespace {

torch::Tensor toTensor(const Embeddings &e)
{
    return torch::from_blob(const_cast<float *>(e.values.data()),
        { static_cast<std::int64_t>(e.rows), static_cast<std::int64_t>(e.dim) }, torch::kFloat32)
        .clone();
}

torch::Tensor unitRows(const torch::Tensor &x)
{
    return x / x.norm(2, { 1 }, true).clamp_min(1e-12);
}

// A derangement of 0..n-1 (no element stays), from a seeded shuffle rotated by one.
std::vector<std::int64_t> derangement(std::size_t n, std::uint64_t seed)
{
    std::vector<std::int64_t> order(n);
    for (std::size_t i = 0; i < n; ++i)
        order[i] = static_cast<std::int64_t>(i);
    Rng rng(seed, rngstream::evalNegatives);
    rng.shuffle(order);
    std::vector<std::int64_t> result(n);
    for (std::size_t i = 0; i < n; ++i)
        result[static_cast<std::size_t>(order[i])] = order[(i + 1) % n];
    return result;
}

// Retrieval of each anchor among the corpus by cosine, in blocks (eval/blockedsearch.h), never the whole
// anchors x corpus matrix (40,000 pairs made it 6.4 GB, issue 18). Rows need not be unit length.
std::map<std::string, double> retrievalByCosine(const torch::Tensor &anchors, const torch::Tensor &documents,
    const std::vector<std::vector<std::size_t>> &relevant)
{
    const torch::Tensor queryUnits = unitRows(anchors).contiguous();
    const torch::Tensor documentUnits = unitRows(documents).contiguous();
    const auto n = static_cast<std::size_t>(queryUnits.size(0));
    const auto corpus = static_cast<std::size_t>(documentUnits.size(0));
    const auto dim = static_cast<std::size_t>(documentUnits.size(1));
    RetrievalMetrics retrieval;
    blockedTopK({ queryUnits.data_ptr<float>(), n * dim }, n,
        { documentUnits.data_ptr<float>(), corpus * dim }, corpus, dim, retrieval.maxK(),
        [&](const TopKHits &hits) {
            for (std::size_t q = 0; q < hits.count; ++q)
                retrieval.addRanked(hits.idsOf(q), corpus, relevant[hits.firstQuery + q]);
        });
    return retrieval.result();
}

} // namespace

EvalSet sampleEvalSet(const EvalSet &set, std::size_t count, std::uint64_t seed)
{
    const std::size_t n = set.anchors.size();
    if (count == 0 || count >= n)
        return set;
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i)
        order[i] = i;
    Rng rng(seed, rngstream::evalSample);
    rng.shuffle(order);
    order.resize(count);
    std::sort(order.begin(), order.end());
    EvalSet sample;
    sample.scoresFromFile = set.scoresFromFile;
    for (const std::size_t i : order) {
        sample.anchors.push_back(set.anchors[i]);
        sample.positives.push_back(set.positives[i]);
        if (i < set.negatives.size())
            sample.negatives.push_back(set.negatives[i]);
        if (i < set.scores.size())
            sample.scores.push_back(set.scores[i]);
    }
    return sample;
}

std::map<std::string, double> evaluate(
    const SentenceModel &model, const EvalSet &set, const EvalOptions &options)
{
    std::map<std::string, double> metrics;
    const std::size_t n = set.anchors.size();
    if (n == 0)
        return metrics;
    torch::NoGradGuard noGrad;

    // Distinct positives form the corpus; an anchor's relevant document is its positive's text.
    std::vector<std::string> corpus;
    std::unordered_map<std::string, std::size_t> corpusIndex;
    std::vector<std::vector<std::size_t>> relevant(n);
    for (std::size_t i = 0; i < n; ++i) {
        auto [it, inserted] = corpusIndex.try_emplace(set.positives[i], corpus.size());
        if (inserted)
            corpus.push_back(set.positives[i]);
        relevant[i].push_back(it->second);
    }

    // Anchors are the queries, positives and negatives the documents (columnPrompts: encode_query and
    // encode_document as sentence-transformers v5's InformationRetrievalEvaluator uses them).
    const ColumnPrompts prompts = columnPrompts(model.prompts());
    const auto encode = [&](const std::vector<std::string> &texts, const std::string &prompt) {
        return toTensor(options.encode ? options.encode(texts, prompt)
                                       : model.encodeWithPrompt(texts, prompt, options.batchSize));
    };
    const torch::Tensor anchors = encode(set.anchors, prompts.anchor);
    const torch::Tensor documents = encode(corpus, prompts.positive);
    // The eval loss's negative columns, encoded here so that every text is embedded before any metric
    // (a sharded evaluation's other ranks stop after this).
    LossSpec spec { parseLossKind(options.loss), parseSimilarityKind(options.similarity), options.scale };
    const bool useNegatives
        = lossUsesNegatives(spec.kind) && !set.negatives.empty() && !set.negatives[0].empty();
    std::vector<torch::Tensor> negativeColumns;
    if (useNegatives) {
        for (std::size_t k = 0; k < set.negatives[0].size(); ++k) {
            std::vector<std::string> column;
            for (const auto &row : set.negatives)
                column.push_back(k < row.size() ? row[k] : std::string());
            negativeColumns.push_back(encode(column, prompts.negative));
        }
    }
    if (!options.computeMetrics)
        return metrics;
    std::vector<std::int64_t> positiveRow(n);
    for (std::size_t i = 0; i < n; ++i)
        positiveRow[i] = static_cast<std::int64_t>(relevant[i][0]);
    const torch::Tensor posIndex = torch::tensor(positiveRow);
    torch::Tensor pairCos;
    {
        const auto retrievalResult = retrievalByCosine(anchors, documents, relevant);
        metrics.insert(retrievalResult.begin(), retrievalResult.end());
        for (const int dim : options.truncateDims) {
            if (dim < 1 || dim > documents.size(1))
                throw Error("cannot evaluate at Matryoshka size " + std::to_string(dim) + ": the model's "
                    + "embeddings have " + std::to_string(documents.size(1)) + " numbers");
            for (const auto &[key, value] :
                retrievalByCosine(anchors.narrow(1, 0, dim), documents.narrow(1, 0, dim), relevant))
                metrics[matryoshkaMetricKey(dim, key)] = value;
        }
        const torch::Tensor queryUnits = unitRows(anchors);
        const torch::Tensor documentUnits = unitRows(documents);

        // Pair cosines: true pairs against a shuffled pairing.
        const auto rowCosines = [&](const torch::Tensor &documentRows) {
            return (queryUnits * documentUnits.index({ documentRows })).sum(1);
        };
        pairCos = rowCosines(posIndex).contiguous();
        metrics["mean_cos_pos"] = pairCos.mean().item<double>();
        if (n > 1) {
            const torch::Tensor shuffled = posIndex.index({ torch::tensor(derangement(n, options.seed)) });
            metrics["mean_cos_neg"] = rowCosines(shuffled).mean().item<double>();
        }
    }
    if (set.scoresFromFile && set.scores.size() == n && n > 1) {
        std::vector<float> cosValues(pairCos.data_ptr<float>(), pairCos.data_ptr<float>() + n);
        metrics["spearman"] = spearman(std::span<const float>(set.scores), std::span<const float>(cosValues));
        metrics["pearson"] = pearson(std::span<const float>(set.scores), std::span<const float>(cosValues));
    }

    // Eval loss: the training loss over the eval pairs in batches (in-batch negatives within a batch).
    spec.matryoshkaDims.assign(options.truncateDims.begin(), options.truncateDims.end());
    spec.matryoshkaWeights = options.truncateWeights;
    const torch::Tensor positives = documents.index({ posIndex });
    const torch::Tensor scores = torch::tensor(set.scores.empty() ? std::vector<float>(n, 1.0f) : set.scores);
    double lossSum = 0.0;
    std::size_t batches = 0;
    const auto batchSize = static_cast<std::int64_t>(options.batchSize);
    for (std::int64_t start = 0; start < static_cast<std::int64_t>(n); start += batchSize) {
        const std::int64_t length = std::min<std::int64_t>(batchSize, static_cast<std::int64_t>(n) - start);
        if (length < 2 && !lossUsesScores(spec.kind) && batches > 0)
            break; // a one-pair MNRL batch has no negatives: its loss says nothing
        std::vector<torch::Tensor> negatives;
        for (const auto &column : negativeColumns)
            negatives.push_back(column.narrow(0, start, length));
        lossSum += computeLoss(spec, anchors.narrow(0, start, length), positives.narrow(0, start, length),
            negatives, scores.narrow(0, start, length))
                       .item<double>();
        ++batches;
    }
    metrics["eval_loss"] = lossSum / static_cast<double>(std::max<std::size_t>(batches, 1));
    return metrics;
}

} // namespace pairtune
