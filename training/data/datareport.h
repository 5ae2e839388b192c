#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace pairtune {

class PairDataset;

// What an analyst should know about a pair file before training on it (pairtune-cli inspect, the
// GUI's data page, the run folder).
struct DataReport
{
    struct LengthStats
    {
        std::size_t count = 0; // texts measured
        double mean = 0;
        std::size_t p50 = 0, p90 = 0, p99 = 0, max = 0; // nearest-rank percentiles
        std::size_t overLimit = 0; // longer than maxSeqLength (tokens only)
        double overLimitShare = 0; // overLimit / count
    };
    struct HistogramBin
    {
        double lower = 0; // a bin holds lower <= score < upper (the last bin includes upper);
        double upper = 0; // lower == upper for a bin of one distinct value
        std::size_t count = 0;
    };

    std::size_t rows = 0;
    std::size_t emptyTexts = 0; // anchors, positives and negatives that are empty or whitespace
    std::size_t rowsWithEmptyText = 0;
    std::size_t identicalSides = 0; // anchor equals positive (surrounding whitespace ignored)
    std::size_t duplicatePairs = 0; // rows repeating an earlier row's (anchor, positive)
    std::size_t repeatedAnchors = 0; // rows whose anchor is an earlier row's anchor, with another positive
    std::size_t repeatedPositives
        = 0; // rows whose positive is an earlier row's positive, with another anchor

    std::size_t trainRows = 0;
    std::size_t evalRows = 0;
    std::size_t trainEvalSharedTexts = 0; // distinct texts found in both splits (any side)
    std::size_t evalRowsSeenInTraining = 0; // eval rows whose anchor or positive occurs in training

    std::string lengthUnit = "words"; // "tokens" with a tokenCount, else whitespace-separated "words"
    std::size_t maxSeqLength = 0;
    LengthStats anchorTokens, positiveTokens, negativeTokens;

    bool hasScores = false;
    double scoreMin = 0, scoreMax = 0, scoreMean = 0;
    std::vector<HistogramBin> scoreHistogram;

    std::vector<std::string> warnings; // readable guidance, most important first
};

// tokenCount: the length the model would see for one text, special tokens included, without
// truncation. Empty: lengths are counted in whitespace-separated words and overLimit stays 0.
// trainIndices/evalIndices: a split of dataset.records() (both empty: no split checks).
DataReport buildReport(const PairDataset &dataset,
    const std::function<std::size_t(std::string_view)> &tokenCount, std::size_t maxSeqLength,
    const std::vector<std::size_t> &trainIndices = {}, const std::vector<std::size_t> &evalIndices = {});

nlohmann::json toJson(const DataReport &report);
// Several lines of plain text for a terminal.
std::string formatReport(const DataReport &report);

} // namespace pairtune
