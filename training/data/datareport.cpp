#include "data/datareport.h"

#include "core/error.h"
#include "data/pairdataset.h"
#include "data/textchecks.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <unordered_map>
#include <unordered_set>

namespace pairtune {

namespace {

std::size_t wordCount(std::string_view text)
{
    std::size_t words = 0;
    bool inWord = false;
    for (char c : text) {
        const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
        if (!space && !inWord)
            ++words;
        inWord = !space;
    }
    return words;
}

std::size_t nearestRank(const std::vector<std::size_t> &sorted, double percent)
{
    const auto rank = std::size_t(std::ceil(percent / 100.0 * double(sorted.size())));
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

DataReport::LengthStats lengthStats(std::vector<std::size_t> lengths, std::size_t limit)
{
    DataReport::LengthStats stats;
    stats.count = lengths.size();
    if (lengths.empty())
        return stats;
    std::sort(lengths.begin(), lengths.end());
    double sum = 0;
    for (std::size_t length : lengths) {
        sum += double(length);
        if (limit > 0 && length > limit)
            ++stats.overLimit;
    }
    stats.mean = sum / double(lengths.size());
    stats.p50 = nearestRank(lengths, 50);
    stats.p90 = nearestRank(lengths, 90);
    stats.p99 = nearestRank(lengths, 99);
    stats.max = lengths.back();
    stats.overLimitShare = double(stats.overLimit) / double(lengths.size());
    return stats;
}

std::vector<DataReport::HistogramBin> histogram(const std::vector<double> &scores)
{
    std::vector<DataReport::HistogramBin> bins;
    std::map<double, std::size_t> distinct;
    for (double score : scores) {
        ++distinct[score];
        if (distinct.size() > 12)
            break;
    }
    if (distinct.size() <= 12) {
        // Labels such as 0/1 or 0..5 in steps: one bin per value reads better than empty ranges.
        for (const auto &[value, count] : distinct)
            bins.push_back({ value, value, count });
        return bins;
    }
    const auto [minIt, maxIt] = std::minmax_element(scores.begin(), scores.end());
    double lower = *minIt, upper = *maxIt;
    if (lower >= 0 && upper <= 1) {
        lower = 0; // similarities in [0, 1] get the familiar tenths
        upper = 1;
    }
    constexpr int kBins = 10;
    const double width = (upper - lower) / kBins;
    for (int i = 0; i < kBins; ++i)
        bins.push_back({ lower + width * i, i + 1 == kBins ? upper : lower + width * (i + 1), 0 });
    for (double score : scores) {
        int index = int((score - lower) / width);
        ++bins[std::clamp(index, 0, kBins - 1)].count;
    }
    return bins;
}

std::string percent(double share)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, share > 0 && share < 0.001 ? "%.2f%%" : "%.1f%%", share * 100);
    return buffer;
}

std::string number(double value)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.4g", value);
    return buffer;
}

std::string pairs(std::size_t count)
{
    return std::to_string(count) + (count == 1 ? " pair" : " pairs");
}

// The verb agreeing with count: verb(1, "repeats", "repeat").
const char *verb(std::size_t count, const char *singular, const char *plural)
{
    return count == 1 ? singular : plural;
}

void splitChecks(const std::vector<PairRecord> &records, const std::vector<std::size_t> &train,
    const std::vector<std::size_t> &eval, DataReport &report)
{
    report.trainRows = train.size();
    report.evalRows = eval.size();
    std::unordered_set<std::string_view> trainTexts;
    const auto check = [&](std::size_t index) -> const PairRecord & {
        if (index >= records.size())
            throw Error("split index " + std::to_string(index) + " is out of range ("
                + std::to_string(records.size()) + " records)");
        return records[index];
    };
    for (std::size_t index : train) {
        const PairRecord &record = check(index);
        trainTexts.insert(record.anchor);
        trainTexts.insert(record.positive);
        trainTexts.insert(record.negatives.begin(), record.negatives.end());
    }
    std::unordered_set<std::string_view> shared;
    for (std::size_t index : eval) {
        const PairRecord &record = check(index);
        bool seen = false;
        for (std::string_view text : { std::string_view(record.anchor), std::string_view(record.positive) }) {
            if (trainTexts.count(text)) {
                shared.insert(text);
                seen = true;
            }
        }
        for (const std::string &negative : record.negatives) {
            if (trainTexts.count(negative))
                shared.insert(negative);
        }
        if (seen)
            ++report.evalRowsSeenInTraining;
    }
    report.trainEvalSharedTexts = shared.size();
}

void addWarnings(DataReport &report)
{
    auto &w = report.warnings;
    const std::size_t shared = report.trainEvalSharedTexts;
    if (shared > 0)
        w.push_back(std::to_string(shared) + verb(shared, " text occurs", " texts occur")
            + " in both the training and the evaluation split (" + pairs(report.evalRowsSeenInTraining)
            + " of the evaluation set): evaluation scores will look better than they are; remove the "
              "overlap or split by anchor.");
    const std::size_t duplicates = report.duplicatePairs;
    if (duplicates > 0)
        w.push_back(pairs(duplicates) + verb(duplicates, " repeats", " repeat")
            + " an earlier pair: a duplicate in the same batch is a false negative for "
              "MultipleNegativesRankingLoss, and duplicates weigh those pairs twice; drop them.");
    const std::size_t empty = report.emptyTexts;
    if (empty > 0)
        w.push_back(std::to_string(empty) + verb(empty, " text is", " texts are")
            + " empty or only whitespace (in " + pairs(report.rowsWithEmptyText)
            + "): they teach the model nothing and all empty texts embed alike; drop those pairs.");
    const std::size_t identical = report.identicalSides;
    if (identical > 0)
        w.push_back(pairs(identical) + verb(identical, " has", " have")
            + " the same text as anchor and positive: the model learns nothing from them; drop them.");
    const auto lengthWarning = [&](const char *side, const DataReport::LengthStats &stats) {
        if (stats.overLimit > 0)
            w.push_back(percent(stats.overLimitShare) + " of the " + side + " texts ("
                + std::to_string(stats.overLimit) + ") are longer than max_seq_length ("
                + std::to_string(report.maxSeqLength)
                + " tokens) and will be cut; their ends do not count in training. Raise max_seq_length "
                  "or shorten the texts.");
    };
    lengthWarning("anchor", report.anchorTokens);
    lengthWarning("positive", report.positiveTokens);
    lengthWarning("hard negative", report.negativeTokens);
    const std::size_t anchors = report.repeatedAnchors;
    if (anchors > 0)
        w.push_back(pairs(anchors) + verb(anchors, " reuses", " reuse")
            + " an earlier anchor with another positive: when two of them share a batch, "
              "MultipleNegativesRankingLoss treats the other positive as a negative; merge them or use a "
              "no-duplicates batch sampler.");
    const std::size_t positives = report.repeatedPositives;
    if (positives > 0)
        w.push_back(pairs(positives) + verb(positives, " reuses", " reuse")
            + " an earlier positive with another anchor: in the same batch it is a false negative for "
              "MultipleNegativesRankingLoss; use a no-duplicates batch sampler.");
    if (report.hasScores && (report.scoreMin < -1 || report.scoreMax > 1))
        w.push_back("scores range from " + number(report.scoreMin) + " to " + number(report.scoreMax)
            + ": CosineSimilarityLoss compares them with cosine similarities (at most 1); rescale them, "
              "e.g. divide 0-5 ratings by 5.");
    if (report.hasScores && report.rows > 1 && report.scoreMin == report.scoreMax)
        w.push_back("every score is " + number(report.scoreMin)
            + ": a constant score gives CoSENT and CosineSimilarity losses nothing to rank.");
    if (report.rows > 0 && report.rows < 100)
        w.push_back("only " + pairs(report.rows)
            + ": results from so little data vary a lot between runs; evaluate on held-out pairs before "
              "trusting them.");
}

} // namespace

DataReport buildReport(const PairDataset &dataset,
    const std::function<std::size_t(std::string_view)> &tokenCount, std::size_t maxSeqLength,
    const std::vector<std::size_t> &trainIndices, const std::vector<std::size_t> &evalIndices)
{
    const std::vector<PairRecord> &records = dataset.records();
    DataReport report;
    report.rows = records.size();
    report.maxSeqLength = maxSeqLength;
    report.lengthUnit = tokenCount ? "tokens" : "words";
    const std::size_t limit = tokenCount ? maxSeqLength : 0;
    const auto measure
        = [&](std::string_view text) { return tokenCount ? tokenCount(text) : wordCount(text); };

    TextPairSet seenPairs(records.size());
    std::unordered_map<std::string_view, std::string_view> anchorPositive(records.size()),
        positiveAnchor(records.size());
    std::vector<std::size_t> anchorLengths, positiveLengths, negativeLengths;
    std::vector<double> scores;
    for (const PairRecord &record : records) {
        std::size_t empty = isBlankText(record.anchor) + isBlankText(record.positive);
        for (const std::string &negative : record.negatives)
            empty += isBlankText(negative);
        report.emptyTexts += empty;
        report.rowsWithEmptyText += empty > 0;
        report.identicalSides += trimAscii(record.anchor) == trimAscii(record.positive);
        if (!seenPairs.emplace(record.anchor, record.positive).second) {
            ++report.duplicatePairs;
        } else {
            const auto [a, newAnchor] = anchorPositive.emplace(record.anchor, record.positive);
            report.repeatedAnchors += !newAnchor;
            const auto [p, newPositive] = positiveAnchor.emplace(record.positive, record.anchor);
            report.repeatedPositives += !newPositive;
        }
        anchorLengths.push_back(measure(record.anchor));
        positiveLengths.push_back(measure(record.positive));
        for (const std::string &negative : record.negatives)
            negativeLengths.push_back(measure(negative));
        if (record.score)
            scores.push_back(*record.score);
    }
    report.anchorTokens = lengthStats(std::move(anchorLengths), limit);
    report.positiveTokens = lengthStats(std::move(positiveLengths), limit);
    report.negativeTokens = lengthStats(std::move(negativeLengths), limit);

    report.hasScores = !scores.empty();
    if (report.hasScores) {
        const auto [minIt, maxIt] = std::minmax_element(scores.begin(), scores.end());
        report.scoreMin = *minIt;
        report.scoreMax = *maxIt;
        double sum = 0;
        for (double score : scores)
            sum += score;
        report.scoreMean = sum / double(scores.size());
        report.scoreHistogram = histogram(scores);
    }
    if (!trainIndices.empty() || !evalIndices.empty())
        splitChecks(records, trainIndices, evalIndices, report);
    addWarnings(report);
    return report;
}

} // namespace pairtune
