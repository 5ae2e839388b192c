#include "eval/verdictcard.h"

#include <cstdio>

namespace pairtune {
namespace {

bool continuationByte(char c)
{
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

std::string fixed(double value, const char *format = "%.4f")
{
    char text[32];
    std::snprintf(text, sizeof text, format, value);
    return text;
}

// A Markdown table cell: clipped, and a '|' escaped so that it cannot end the cell.
std::string cell(const std::string &text)
{
    std::string out;
    for (const char c : clipLine(text, 60)) {
        if (c == '|')
            out += '\\';
        out += c;
    }
    return out;
}

std::string changesTable(const std::vector<RankChange> &changes, const VerdictReport &report,
    const VerdictTexts &texts, bool gains)
{
    if (changes.empty())
        return "None.\n";
    std::string out = std::string("| query | true positive | rank before → after | ")
        + (gains ? "ranked first before" : "ranked first after") + " |\n|---|---|---|---|\n";
    for (const RankChange &c : changes) {
        const QueryRank &shown = gains ? c.before : c.after;
        out += "| " + cell(texts.queries[c.query]) + " | " + cell(texts.positives[c.query]) + " | "
            + rankText(c.before.rank, report.depth) + " → " + rankText(c.after.rank, report.depth) + " | "
            + (shown.rank == 1 ? std::string("(the true positive)") : cell(texts.corpus[shown.topHit]))
            + " |\n";
    }
    return out;
}

} // namespace

std::size_t codePointCount(const std::string &text)
{
    std::size_t points = 0;
    for (const char c : text)
        points += continuationByte(c) ? 0 : 1;
    return points;
}

std::string clipLine(const std::string &text, std::size_t width)
{
    std::string line = text;
    for (char &c : line)
        if (c == '\n' || c == '\r' || c == '\t')
            c = ' ';
    if (codePointCount(line) <= width)
        return line;
    // Keep width - 1 code points and the ellipsis.
    std::size_t kept = 0, end = 0;
    while (end < line.size() && kept + 1 < width) {
        ++end;
        while (end < line.size() && continuationByte(line[end]))
            ++end;
        ++kept;
    }
    return line.substr(0, end) + "…";
}

std::string verdictMetricsTable(const VerdictReport &report)
{
    const std::string level = fixed(report.bootstrap.confidence * 100.0, "%g") + " %";
    std::string out = "| metric | base | tuned | difference | " + level
        + " interval | verdict |\n|---|---|---|---|---|---|\n";
    for (const MetricChange &m : report.metrics)
        out += "| " + m.name + " | " + fixed(m.before) + " | " + fixed(m.after) + " | "
            + fixed(m.after - m.before, "%+.4f") + " | [" + fixed(m.difference.low, "%+.4f") + ", "
            + fixed(m.difference.high, "%+.4f") + "] | " + toString(m.verdict) + " |\n";
    return out;
}

std::string verdictCardSection(const VerdictReport &report, const VerdictTexts &texts,
    const std::string &baseName, const std::string &tunedName, std::uint64_t seed)
{
    const std::string level = fixed(report.bootstrap.confidence * 100.0, "%g") + " %";
    std::string out = "## Evaluation: did fine-tuning help?\n\n";
    out += "**Verdict: " + toString(report.verdict) + "** (" + report.headline + "). "
        + std::to_string(report.queries) + " held-out pairs; each query searched among "
        + std::to_string(texts.corpus.size()) + " distinct positives. Base: `" + baseName + "`, tuned: `"
        + tunedName + "`. The intervals are " + level
        + " paired bootstrap intervals of tuned − base over queries ("
        + std::to_string(report.bootstrap.resamples) + " resamples, seed " + std::to_string(seed)
        + "); a verdict is Better or Worse only when its interval excludes 0.\n\n";
    out += verdictMetricsTable(report);
    out += "\n### Biggest gains\n\n" + changesTable(report.gains, report, texts, true);
    out += "\n### Biggest losses\n\n" + changesTable(report.losses, report, texts, false);
    return out;
}

} // namespace pairtune
