#include "mine/hardnegativemining.h"

#include "core/error.h"
#include "eval/blockedsearch.h"
#include "mine/miningtexts.h"
#include "mine/unitembeddings.h"
#include "model/prompts.h"
#include "model/sentencemodel.h"
#include "recipe/datasplit.h"
#include "recipe/rng.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <unordered_set>

namespace pairtune {
namespace {

// Random streams of the sampling strategy and the filling of short rows: one per row, so a row's draw
// depends on the seed and the row alone, not on chunking or threads. Far above recipe/rng.h's streams.
constexpr std::uint64_t kMiningStreamBase = std::uint64_t { 0x6d696e65 } << 32; // "mine"

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void checkOptions(const PairDataset &pairs, const SelectionRules &rules)
{
    if (pairs.negativesPerRecord() > 0)
        throw Error("the pairs already have " + std::to_string(pairs.negativesPerRecord())
                + " hard negatives per row; mine from a file with anchor and positive columns only",
            Error::Kind::InvalidInput);
    if (rules.numNegatives == 0)
        throw Error("--num-negatives must be at least 1", Error::Kind::InvalidInput);
    if (rules.rangeMax < rules.rangeMin + rules.numNegatives)
        throw Error("--range-max (" + std::to_string(rules.rangeMax) + ") must be at least --range-min ("
                + std::to_string(rules.rangeMin) + ") + --num-negatives ("
                + std::to_string(rules.numNegatives) + ")",
            Error::Kind::InvalidInput);
    if (rules.relativeMargin && !(*rules.relativeMargin >= 0.0 && *rules.relativeMargin < 1.0))
        throw Error(
            "--relative-margin must be in [0, 1): 0.05 keeps negatives at most 95 % as similar as the "
            "positive",
            Error::Kind::InvalidInput);
}

// Embeds texts with the shared unit-row path, counting into the mining progress.
std::vector<float> embedForMining(const SentenceModel &model, const std::vector<std::string> &texts,
    const std::string &prompt, std::size_t batchSize, std::size_t &dim, std::size_t &done, std::size_t total,
    const MiningCallbacks &callbacks)
{
    const std::size_t before = done;
    UnitEmbeddingCallbacks unit;
    unit.cancelRequested = callbacks.cancelRequested;
    unit.cancelMessage = "mining cancelled";
    unit.onEmbedded = [&](std::size_t embedded) {
        done = before + embedded;
        if (callbacks.onProgress)
            callbacks.onProgress({ MiningStage::Embedding, done, total });
    };
    return embedUnitRows(model, texts, prompt, batchSize, dim, unit);
}

// Tops up a short selection with random candidates outside the search window that pass every guard:
// first random draws (cheap for a big corpus), then, if still short, every candidate in a random order.
// Returns how many it added.
template <typename MakeCandidate>
std::size_t fillShortRow(Selection &selection, const std::unordered_set<std::size_t> &windowIds,
    const SelectionRules &rules, Rng &rng, std::size_t candidateCount, MakeCandidate makeCandidate,
    float positiveScore)
{
    std::unordered_set<std::size_t> tried(windowIds);
    tried.insert(selection.ids.begin(), selection.ids.end());
    std::size_t filled = 0;
    const auto offer = [&](std::size_t id) {
        if (!tried.insert(id).second)
            return;
        const RankedCandidate c = makeCandidate(id);
        if (skippingGuard(c, positiveScore, rules))
            return;
        selection.ids.push_back(c.id);
        selection.scores.push_back(c.score);
        ++filled;
    };
    for (std::size_t draw = 0; draw < 64 * rules.numNegatives && selection.ids.size() < rules.numNegatives;
         ++draw)
        offer(static_cast<std::size_t>(rng.uniformInt(candidateCount)));
    if (selection.ids.size() < rules.numNegatives) {
        std::vector<std::size_t> order(candidateCount);
        for (std::size_t i = 0; i < candidateCount; ++i)
            order[i] = i;
        rng.shuffle(order);
        for (std::size_t i = 0; i < order.size() && selection.ids.size() < rules.numNegatives; ++i)
            offer(order[i]);
    }
    return filled;
}

// A row whose positive the model scores below (1 - margin) x every candidate (or above max_score) has no
// negative the score guards allow. It takes the least similar candidates that are not its positive, its
// anchor or a near-duplicate: the ones least likely to be false negatives. Returns how many it added.
template <typename MakeCandidate>
std::size_t fillWithLeastSimilar(Selection &selection, const SelectionRules &rules,
    std::size_t candidateCount, MakeCandidate makeCandidate)
{
    std::vector<RankedCandidate> all;
    for (std::size_t id = 0; id < candidateCount; ++id) {
        const RankedCandidate c = makeCandidate(id);
        if (c.isPositive || c.isAnchor || c.positiveCosine >= rules.nearDuplicate
            || std::find(selection.ids.begin(), selection.ids.end(), id) != selection.ids.end())
            continue;
        all.push_back(c);
    }
    std::sort(all.begin(), all.end(), [](const RankedCandidate &a, const RankedCandidate &b) {
        return a.score < b.score || (a.score == b.score && a.id < b.id);
    });
    std::size_t added = 0;
    for (std::size_t i = 0; i < all.size() && selection.ids.size() < rules.numNegatives; ++i, ++added) {
        selection.ids.push_back(all[i].id);
        selection.scores.push_back(all[i].score);
    }
    return added;
}

} // namespace

std::size_t defaultRangeMax(const SelectionRules &rules)
{
    const bool guarded = rules.relativeMargin || rules.maxScore || rules.nearDuplicate <= 1.0;
    return rules.rangeMin + rules.numNegatives * (guarded ? 10 : 1);
}

MiningResult mineHardNegatives(const SentenceModel &model, const PairDataset &pairs,
    const std::vector<std::string> &corpusTexts, const MiningOptions &options,
    const MiningCallbacks &callbacks)
{
    SelectionRules rules = options.rules;
    if (rules.rangeMax == 0)
        rules.rangeMax = defaultRangeMax(rules);
    checkOptions(pairs, rules);
    const std::vector<PairRecord> &records = pairs.records();
    const Split split = splitIndices(records.size(), options.trainFraction, options.seed);
    const MiningTexts texts = collectMiningTexts(records, split, corpusTexts);

    MiningReport report;
    report.rules = rules;
    report.seed = options.seed;
    report.trainFraction = options.trainFraction;
    report.trainRows = split.train.size();
    report.heldOutRows = split.eval.size();
    report.candidateTexts = texts.candidateCount;
    report.heldOutTextsExcluded = texts.heldOutExcluded;
    report.corpusFileTexts = texts.corpusFileTexts;
    if (texts.candidateCount == 0)
        throw Error(
            "no candidate texts: every training positive is also a held-out text", Error::Kind::InvalidInput);

    // Anchors as queries, candidates as documents: encode_query and encode_document as
    // sentence-transformers' mine_hard_negatives embeds them.
    const ColumnPrompts prompts = columnPrompts(model.prompts());
    const auto embedStart = std::chrono::steady_clock::now();
    std::size_t dim = 0, queryDim = 0, embedded = 0;
    const std::size_t embedTotal = texts.queries.size() + texts.documents.size();
    const std::vector<float> queries = embedForMining(
        model, texts.queries, prompts.anchor, options.batchSize, queryDim, embedded, embedTotal, callbacks);
    const std::vector<float> documents = embedForMining(
        model, texts.documents, prompts.positive, options.batchSize, dim, embedded, embedTotal, callbacks);
    report.embedSeconds = secondsSince(embedStart);
    if (queryDim != dim)
        throw Error("the model's query and document embeddings differ in size", Error::Kind::InvalidInput);
    const auto queryRow = [&](std::size_t q) { return queries.data() + q * dim; };
    const auto documentRow = [&](std::size_t d) { return documents.data() + d * dim; };

    // Each anchor's lowest positive score: the margin's reference when an anchor has several positives.
    std::vector<float> rowPositiveScore(records.size());
    std::vector<float> queryPositiveScore(texts.queries.size(), INFINITY);
    for (std::size_t r = 0; r < records.size(); ++r) {
        const std::size_t q = texts.rowQuery[r];
        rowPositiveScore[r] = dotProduct(queryRow(q), documentRow(texts.rowPositive[r]), dim);
        queryPositiveScore[q] = std::min(queryPositiveScore[q], rowPositiveScore[r]);
    }

    const auto rankedCandidate = [&](std::size_t q, std::size_t id, float score) {
        RankedCandidate c { id, score, -INFINITY, false, id == texts.queryAnchorDocument[q] };
        for (const std::size_t p : texts.queryPositives[q]) {
            c.isPositive = c.isPositive || p == id;
            c.positiveCosine = std::max(c.positiveCosine, dotProduct(documentRow(id), documentRow(p), dim));
        }
        return c;
    };

    std::vector<std::vector<std::size_t>> chosen(records.size());
    std::vector<std::vector<float>> chosenScores(records.size());
    std::vector<bool> inTraining(records.size(), false);
    for (const std::size_t r : split.train)
        inTraining[r] = true;
    const auto searchStart = std::chrono::steady_clock::now();
    std::size_t maxPositives = 1;
    for (const auto &positives : texts.queryPositives)
        maxPositives = std::max(maxPositives, positives.size());
    // The positives and the anchor itself may sit in the window; the range counts only what passes.
    const std::size_t window = rules.rangeMax + maxPositives + 1;
    blockedTopK({ queries.data(), queries.size() }, texts.queries.size(),
        { documents.data(), texts.candidateCount * dim }, texts.candidateCount, dim, window,
        [&](const TopKHits &hits) {
            if (callbacks.cancelRequested && callbacks.cancelRequested())
                throw Error("mining cancelled", Error::Kind::Cancelled);
            for (std::size_t local = 0; local < hits.count; ++local) {
                const std::size_t q = hits.firstQuery + local;
                std::vector<RankedCandidate> ranked;
                std::unordered_set<std::size_t> windowIds;
                for (std::size_t i = 0; i < hits.width; ++i) {
                    ranked.push_back(rankedCandidate(q, hits.idsOf(local)[i], hits.scoresOf(local)[i]));
                    windowIds.insert(hits.idsOf(local)[i]);
                }
                for (const std::size_t r : texts.queryRows[q]) {
                    Rng rng(options.seed, kMiningStreamBase + r);
                    Selection selection = selectNegatives(ranked, queryPositiveScore[q], rules, rng);
                    const bool shortRow = selection.ids.size() < rules.numNegatives;
                    // Short rows: every row needs the same number of negatives (data/pairrecord.h), so the
                    // rest are random candidates outside the window that pass every guard.
                    const std::size_t filled = shortRow
                        ? fillShortRow(
                            selection, windowIds, rules, rng, texts.candidateCount,
                            [&](std::size_t id) {
                                return rankedCandidate(q, id, dotProduct(queryRow(q), documentRow(id), dim));
                            },
                            queryPositiveScore[q])
                        : 0;
                    const std::size_t waived = selection.ids.size() < rules.numNegatives
                        ? fillWithLeastSimilar(selection, rules, texts.candidateCount,
                            [&](std::size_t id) {
                                return rankedCandidate(q, id, dotProduct(queryRow(q), documentRow(id), dim));
                            })
                        : 0;
                    if (selection.ids.size() < rules.numNegatives) {
                        const PairRecord &record = records[r];
                        const std::string path = record.sourceFile < pairs.sourcePaths().size()
                            ? pairs.sourcePaths()[record.sourceFile]
                            : std::string("pairs");
                        throw Error(
                            locate(path, record.sourceLine, 0,
                                "only " + std::to_string(selection.ids.size()) + " of "
                                    + std::to_string(rules.numNegatives)
                                    + " candidate texts are neither this row's positive, its anchor nor a "
                                      "near-duplicate among "
                                    + std::to_string(texts.candidateCount)
                                    + "; lower --num-negatives or add texts with --corpus"),
                            Error::Kind::InvalidInput);
                    }
                    if (inTraining[r]) {
                        report.removed += selection.counts;
                        if (shortRow) {
                            ++report.anchorsShort;
                            report.randomFilled += filled;
                            if (report.shortLines.size() < 20)
                                report.shortLines.push_back(records[r].sourceLine);
                        }
                        if (waived > 0) {
                            ++report.rowsMarginWaived;
                            report.marginWaived += waived;
                            if (report.waivedLines.size() < 20)
                                report.waivedLines.push_back(records[r].sourceLine);
                        }
                    }
                    chosen[r] = std::move(selection.ids);
                    chosenScores[r] = std::move(selection.scores);
                }
            }
            if (callbacks.onProgress)
                callbacks.onProgress(
                    { MiningStage::Searching, hits.firstQuery + hits.count, texts.queries.size() });
        });
    report.searchSeconds = secondsSince(searchStart);

    std::vector<PairRecord> out = records;
    std::vector<float> positiveScores, negativeScores;
    for (std::size_t r = 0; r < out.size(); ++r) {
        for (const std::size_t id : chosen[r])
            out[r].negatives.push_back(texts.documents[id]);
        if (inTraining[r]) {
            positiveScores.push_back(rowPositiveScore[r]);
            negativeScores.insert(negativeScores.end(), chosenScores[r].begin(), chosenScores[r].end());
        }
    }
    report.positiveScores = summarizeScores(std::move(positiveScores));
    report.negativeScores = summarizeScores(std::move(negativeScores));
    return { PairDataset::fromRecords(std::move(out)), std::move(report), std::move(rowPositiveScore),
        std::move(chosenScores) };
}

} // namespace pairtune
