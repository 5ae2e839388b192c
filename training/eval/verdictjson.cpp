#include "eval/verdictjson.h"

#include <cstdio>

namespace pairtune {
namespace {

nlohmann::json changeJson(const RankChange &change, const VerdictTexts &texts)
{
    const auto hitText = [&](const QueryRank &r) {
        return r.rank == 1 ? nlohmann::json(nullptr) : nlohmann::json(texts.corpus[r.topHit]);
    };
    const auto rank = [](std::size_t r) { return r == 0 ? nlohmann::json(nullptr) : nlohmann::json(r); };
    return { { "pair", change.query }, { "query", texts.queries[change.query] },
        { "positive", texts.positives[change.query] }, { "rank_before", rank(change.before.rank) },
        { "rank_after", rank(change.after.rank) }, { "outranked_by_before", hitText(change.before) },
        { "outranked_by_after", hitText(change.after) } };
}

} // namespace

nlohmann::json verdictJson(const VerdictReport &report, const VerdictTexts &texts)
{
    nlohmann::json metrics = nlohmann::json::object();
    for (const MetricChange &m : report.metrics)
        metrics[m.name] = { { "before", m.before }, { "after", m.after },
            { "difference", m.after - m.before }, { "low", m.difference.low }, { "high", m.difference.high },
            { "verdict", toString(m.verdict) } };
    nlohmann::json gains = nlohmann::json::array(), losses = nlohmann::json::array();
    for (const RankChange &c : report.gains)
        gains.push_back(changeJson(c, texts));
    for (const RankChange &c : report.losses)
        losses.push_back(changeJson(c, texts));
    return { { "pairs", report.queries }, { "corpus", texts.corpus.size() }, { "depth", report.depth },
        { "resamples", report.bootstrap.resamples }, { "confidence", report.bootstrap.confidence },
        { "headline", report.headline }, { "verdict", toString(report.verdict) }, { "metrics", metrics },
        { "gains", gains }, { "losses", losses } };
}

std::string verdictLine(const VerdictReport &report, const std::string &pairs)
{
    std::string out = toString(report.verdict);
    for (const MetricChange &m : report.metrics) {
        if (m.name != report.headline)
            continue;
        char text[200];
        std::snprintf(text, sizeof text, ": %s %.4f -> %.4f (%+.4f, %g %% interval [%+.4f, %+.4f])",
            m.name.c_str(), m.before, m.after, m.after - m.before, report.bootstrap.confidence * 100.0,
            m.difference.low, m.difference.high);
        out += text;
    }
    return out + " on " + std::to_string(report.queries) + " " + pairs;
}

} // namespace pairtune
