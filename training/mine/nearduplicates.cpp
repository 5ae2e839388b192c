#include "mine/nearduplicates.h"

#include "core/error.h"
#include "eval/blockedsearch.h"
#include "mine/unitembeddings.h"
#include "model/prompts.h"
#include "model/sentencemodel.h"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <string_view>
#include <unordered_map>

namespace pairtune {
namespace {

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Union-find whose root is always the smallest member, so group ids do not depend on the link order.
class DisjointSets
{
public:
    explicit DisjointSets(std::size_t n)
        : m_parent(n)
    {
        std::iota(m_parent.begin(), m_parent.end(), std::size_t { 0 });
    }
    std::size_t root(std::size_t x)
    {
        while (m_parent[x] != x) {
            m_parent[x] = m_parent[m_parent[x]];
            x = m_parent[x];
        }
        return x;
    }
    void link(std::size_t a, std::size_t b)
    {
        a = root(a);
        b = root(b);
        if (a != b)
            m_parent[std::max(a, b)] = std::min(a, b);
    }

private:
    std::vector<std::size_t> m_parent;
};

} // namespace

float NearDuplicateGroups::cosine(std::size_t textA, std::size_t textB) const
{
    if (textA == textB)
        return 1.0f;
    return dotProduct(unitRows.data() + textA * dim, unitRows.data() + textB * dim, dim);
}

NearDuplicateGroups findNearDuplicateGroups(const SentenceModel &model,
    const std::vector<PairRecord> &records, const NearDuplicateOptions &options,
    const NearDuplicateCallbacks &callbacks)
{
    if (!(options.threshold > 0.0 && options.threshold <= 1.0))
        throw Error("the near-duplicate threshold must be a cosine in (0, 1] (0.95 is the usual choice), got "
                + std::to_string(options.threshold),
            Error::Kind::InvalidInput);
    if (records.empty())
        throw Error(
            "no pairs to check for near-duplicates: load a pair file first", Error::Kind::InvalidInput);

    NearDuplicateGroups groups;
    groups.threshold = options.threshold;
    std::unordered_map<std::string_view, std::size_t> index;
    index.reserve(records.size() * 2);
    const auto textId = [&](const std::string &text) {
        const auto [it, inserted] = index.try_emplace(text, groups.texts.size());
        if (inserted)
            groups.texts.push_back(text);
        return it->second;
    };
    for (const PairRecord &r : records) {
        groups.rowAnchor.push_back(textId(r.anchor));
        groups.rowPositive.push_back(textId(r.positive));
    }
    index.clear(); // its views point into records, which the caller owns

    const std::size_t n = groups.texts.size();
    const auto embedStart = std::chrono::steady_clock::now();
    UnitEmbeddingCallbacks unit;
    unit.cancelRequested = callbacks.cancelRequested;
    unit.cancelMessage = "near-duplicate check cancelled";
    unit.onEmbedded = [&](std::size_t done) {
        if (callbacks.onProgress)
            callbacks.onProgress({ NearDuplicateStage::Embedding, done, n });
    };
    groups.unitRows = embedUnitRows(
        model, groups.texts, columnPrompts(model.prompts()).positive, options.batchSize, groups.dim, unit);
    groups.embedSeconds = secondsSince(embedStart);

    const auto searchStart = std::chrono::steady_clock::now();
    DisjointSets textSets(n);
    std::vector<bool> linked(n, false);
    if (n > 1) {
        // Each text's nearest texts, itself among them (so one more than the neighbours asked for).
        const std::size_t k = std::min(n, std::max<std::size_t>(options.neighbours, 1) + 1);
        const auto threshold = static_cast<float>(options.threshold);
        blockedTopK({ groups.unitRows.data(), groups.unitRows.size() }, n,
            { groups.unitRows.data(), groups.unitRows.size() }, n, groups.dim, k, [&](const TopKHits &hits) {
                if (callbacks.cancelRequested && callbacks.cancelRequested())
                    throw Error(unit.cancelMessage, Error::Kind::Cancelled);
                for (std::size_t local = 0; local < hits.count; ++local) {
                    const std::size_t text = hits.firstQuery + local;
                    const auto ids = hits.idsOf(local);
                    const auto scores = hits.scoresOf(local);
                    for (std::size_t i = 0; i < hits.width && scores[i] >= threshold; ++i) {
                        if (ids[i] == text)
                            continue;
                        textSets.link(text, ids[i]);
                        linked[text] = linked[ids[i]] = true;
                    }
                }
                if (callbacks.onProgress)
                    callbacks.onProgress({ NearDuplicateStage::Searching, hits.firstQuery + hits.count, n });
            });
    }
    groups.linkedTexts = static_cast<std::size_t>(std::count(linked.begin(), linked.end(), true));
    groups.textGroup.resize(n);
    for (std::size_t t = 0; t < n; ++t)
        groups.textGroup[t] = textSets.root(t);

    // Pairs sharing a text group are one pair group: link each row to the first row seen in each of its
    // texts' groups.
    DisjointSets rowSets(records.size());
    std::vector<std::size_t> firstRowOfTextGroup(n, records.size());
    for (std::size_t r = 0; r < records.size(); ++r) {
        for (const std::size_t text : { groups.rowAnchor[r], groups.rowPositive[r] }) {
            std::size_t &first = firstRowOfTextGroup[groups.textGroup[text]];
            if (first == records.size())
                first = r;
            else
                rowSets.link(first, r);
        }
    }
    groups.rowGroup.resize(records.size());
    for (std::size_t r = 0; r < records.size(); ++r)
        groups.rowGroup[r] = rowSets.root(r);
    groups.searchSeconds = secondsSince(searchStart);
    return groups;
}

namespace {

// The closest pair of texts of two rows that are in one text group (the rows share a pair group, so
// some pair is; through a chain it may score below the threshold itself).
NearDuplicateExample closestTexts(const NearDuplicateGroups &groups, std::size_t rowA, std::size_t rowB)
{
    NearDuplicateExample best { rowA, rowB, {}, {}, -2.0f };
    for (const std::size_t a : { groups.rowAnchor[rowA], groups.rowPositive[rowA] })
        for (const std::size_t b : { groups.rowAnchor[rowB], groups.rowPositive[rowB] }) {
            if (groups.textGroup[a] != groups.textGroup[b])
                continue;
            const float c = groups.cosine(a, b);
            if (c > best.cosine) {
                best.cosine = c;
                best.textA = groups.texts[a];
                best.textB = groups.texts[b];
            }
        }
    return best;
}

} // namespace

NearDuplicateReport reportNearDuplicates(
    const NearDuplicateGroups &groups, const Split &split, std::size_t maxExamples)
{
    const std::size_t rows = groups.rowGroup.size();
    NearDuplicateReport report;
    report.threshold = groups.threshold;
    report.rows = rows;
    report.trainRows = split.train.size();
    report.evalRows = split.eval.size();
    report.distinctTexts = groups.texts.size();
    report.linkedTexts = groups.linkedTexts;
    report.embedSeconds = groups.embedSeconds;
    report.searchSeconds = groups.searchSeconds;

    std::vector<std::size_t> groupSize(rows, 0);
    for (const std::size_t g : groups.rowGroup)
        ++groupSize[g];
    for (const std::size_t size : groupSize)
        if (size >= 2) {
            ++report.groups;
            report.rowsInGroups += size;
            report.largestGroup = std::max(report.largestGroup, size);
        }

    // Within training: every training row after the first of its group among the training rows.
    constexpr std::size_t kNone = static_cast<std::size_t>(-1);
    std::vector<std::size_t> firstTrainRow(rows, kNone);
    for (const std::size_t r : split.train) {
        std::size_t &first = firstTrainRow[groups.rowGroup[r]];
        if (first == kNone) {
            first = r;
            continue;
        }
        ++report.withinTrainRepeats;
        if (report.withinTrainExamples.size() < maxExamples)
            report.withinTrainExamples.push_back(closestTexts(groups, first, r));
    }

    // Across the split: a held-out row whose text group holds a training row's text. Pair groups are
    // coarser (a chain through several rows), so test the text groups themselves.
    std::vector<std::size_t> trainRowOfTextGroup(groups.texts.size(), kNone);
    for (const std::size_t r : split.train)
        for (const std::size_t text : { groups.rowAnchor[r], groups.rowPositive[r] })
            if (trainRowOfTextGroup[groups.textGroup[text]] == kNone)
                trainRowOfTextGroup[groups.textGroup[text]] = r;
    for (const std::size_t r : split.eval) {
        std::size_t trainRow = kNone;
        for (const std::size_t text : { groups.rowAnchor[r], groups.rowPositive[r] })
            if (trainRow == kNone)
                trainRow = trainRowOfTextGroup[groups.textGroup[text]];
        if (trainRow == kNone)
            continue;
        ++report.crossSplitRows;
        if (report.crossSplitExamples.size() < maxExamples)
            report.crossSplitExamples.push_back(closestTexts(groups, trainRow, r));
    }
    return report;
}

Split dropWithinTrainRepeats(const Split &split, const std::vector<std::size_t> &rowGroup)
{
    Split out;
    out.eval = split.eval;
    std::unordered_map<std::size_t, bool> seen;
    for (const std::size_t r : split.train) {
        if (r >= rowGroup.size())
            throw Error("dropping near-duplicates: row " + std::to_string(r) + " has no group");
        if (seen.try_emplace(rowGroup[r], true).second)
            out.train.push_back(r);
    }
    return out;
}

} // namespace pairtune
