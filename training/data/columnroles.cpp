#include "data/columnroles.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

namespace pairtune {

namespace {

constexpr std::array kAnchorNames
    = { "anchor", "sentence1", "sentencea", "sent1", "text1", "texta", "query", "question", "premise", "s1" };
constexpr std::array kPositiveNames = { "positive", "pos", "sentence2", "sentenceb", "sent2", "text2",
    "textb", "answer", "document", "passage", "hypothesis", "response", "context", "s2" };
constexpr std::array kScoreNames = { "score", "label", "labels", "similarity", "similarityscore", "relevance",
    "relatedness", "goldscore" };

template <std::size_t N> bool contains(const std::array<const char *, N> &names, std::string_view name)
{
    return std::any_of(names.begin(), names.end(), [&](const char *known) { return name == known; });
}

bool isDigits(std::string_view text)
{
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

std::string normalizeColumnName(std::string_view name)
{
    std::string out;
    for (char c : name) {
        if (c == ' ' || c == '_' || c == '-' || c == '\t')
            continue;
        out += (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
    }
    return out;
}

ColumnRole roleOfColumnName(std::string_view name)
{
    const std::string key = normalizeColumnName(name);
    if (contains(kAnchorNames, key))
        return ColumnRole::Anchor;
    if (contains(kPositiveNames, key))
        return ColumnRole::Positive;
    if (contains(kScoreNames, key))
        return ColumnRole::Score;
    // negative, negatives, negative1, negative_2, neg, neg1, hard_negative, hardnegatives3, sentence3, text3
    for (std::string_view prefix : { "hardnegatives", "hardnegative", "negatives", "negative", "neg" }) {
        if (key.starts_with(prefix) && isDigits(std::string_view(key).substr(prefix.size())))
            return ColumnRole::Negative;
    }
    for (std::string_view prefix : { "sentence", "text" }) {
        if (key.starts_with(prefix) && key.size() > prefix.size()
            && isDigits(std::string_view(key).substr(prefix.size()))
            && std::string_view(key).substr(prefix.size()) != "1"
            && std::string_view(key).substr(prefix.size()) != "2")
            return ColumnRole::Negative;
    }
    return ColumnRole::Unknown;
}

bool looksLikeHeader(const std::vector<std::string> &fields)
{
    bool anyKnown = false;
    for (const std::string &field : fields) {
        std::string_view name = field;
        while (!name.empty() && (name.front() == ' ' || name.front() == '\t'))
            name.remove_prefix(1);
        while (!name.empty() && (name.back() == ' ' || name.back() == '\t'))
            name.remove_suffix(1);
        if (name.empty())
            continue; // pandas writes an unnamed index column
        if (name.size() > 64)
            return false;
        const bool nameLike = std::all_of(name.begin(), name.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
                || c == '-' || c == ' ' || c == '.' || c == ':';
        });
        if (!nameLike)
            return false;
        if (roleOfColumnName(name) != ColumnRole::Unknown)
            anyKnown = true;
    }
    return anyKnown;
}

std::string knownPairNames()
{
    return "anchor/positive, sentence1/sentence2, text1/text2, query/answer";
}

std::optional<double> parseNumber(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
        text.remove_suffix(1);
    if (!text.empty() && text.front() == '+')
        text.remove_prefix(1);
    if (text.empty())
        return std::nullopt;
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
        return std::nullopt;
    // from_chars accepts "inf"/"nan" spellings; isfinite rejects them, and digits must be present.
    if (std::none_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    return value;
}

} // namespace pairtune
