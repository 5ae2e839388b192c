#include "mine/miningtexts.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace pairtune {

MiningTexts collectMiningTexts(
    const std::vector<PairRecord> &records, const Split &split, const std::vector<std::string> &corpusTexts)
{
    MiningTexts t;
    std::unordered_set<std::string> heldOut;
    for (const std::size_t r : split.eval) {
        heldOut.insert(records[r].anchor);
        heldOut.insert(records[r].positive);
    }

    std::unordered_map<std::string, std::size_t> documentIndex;
    std::unordered_set<std::string> excluded;
    const auto addCandidate = [&](const std::string &text) {
        if (heldOut.count(text)) {
            excluded.insert(text);
            return;
        }
        if (documentIndex.try_emplace(text, t.documents.size()).second)
            t.documents.push_back(text);
    };
    for (const std::size_t r : split.train)
        addCandidate(records[r].positive);
    std::unordered_set<std::string> corpusLines;
    for (const std::string &line : corpusTexts) {
        if (line.empty())
            continue;
        corpusLines.insert(line);
        addCandidate(line);
    }
    t.candidateCount = t.documents.size();
    t.heldOutExcluded = excluded.size();
    t.corpusFileTexts = corpusLines.size();

    std::unordered_map<std::string, std::size_t> queryIndex;
    for (std::size_t r = 0; r < records.size(); ++r) {
        const auto [query, newQuery] = queryIndex.try_emplace(records[r].anchor, t.queries.size());
        if (newQuery) {
            t.queries.push_back(records[r].anchor);
            t.queryRows.emplace_back();
            t.queryPositives.emplace_back();
            const auto anchorDocument = documentIndex.find(records[r].anchor);
            t.queryAnchorDocument.push_back(
                anchorDocument != documentIndex.end() ? anchorDocument->second : kNoDocument);
        }
        const auto [positive, newDocument]
            = documentIndex.try_emplace(records[r].positive, t.documents.size());
        if (newDocument)
            t.documents.push_back(records[r].positive);
        t.rowQuery.push_back(query->second);
        t.rowPositive.push_back(positive->second);
        t.queryRows[query->second].push_back(r);
        std::vector<std::size_t> &positives = t.queryPositives[query->second];
        if (std::find(positives.begin(), positives.end(), positive->second) == positives.end())
            positives.push_back(positive->second);
    }
    return t;
}

} // namespace pairtune
