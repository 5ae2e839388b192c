#include "text/addedtokens.h"

#include "core/error.h"
#include "io/jsonfields.h"
#include "text/utf8.h"

#include <algorithm>

namespace pairtune {

AddedToken addedTokenFromJson(const nlohmann::json &entry, const std::string &file, const std::string &where,
    std::optional<std::int64_t> id)
{
    if (!entry.is_object())
        throw Error(locate(file, 0, 0, where + "each added token must be an object with \"content\""));
    AddedToken token;
    token.content = jsonfields::requiredString(entry, "content", file, where);
    token.id = id ? *id : jsonfields::requiredInt64(entry, "id", file, where);
    const std::string flags = where + token.content + ".";
    token.special = jsonfields::boolOr(entry, "special", false, file, flags);
    token.singleWord = jsonfields::boolOr(entry, "single_word", false, file, flags);
    token.lstrip = jsonfields::boolOr(entry, "lstrip", false, file, flags);
    token.rstrip = jsonfields::boolOr(entry, "rstrip", false, file, flags);
    token.normalized = jsonfields::boolOr(entry, "normalized", !token.special, file, flags);
    return token;
}

std::map<std::int64_t, AddedToken> addedTokensDecoder(const nlohmann::json &config, const std::string &file)
{
    std::map<std::int64_t, AddedToken> tokens;
    const nlohmann::json *decoder = jsonfields::find(config, "added_tokens_decoder");
    if (!decoder)
        return tokens;
    if (!decoder->is_object())
        jsonfields::wrongType(
            file, "", "added_tokens_decoder", "an object mapping token ids to tokens", *decoder);
    for (const auto &[key, entry] : decoder->items()) {
        std::int64_t id = -1;
        try {
            std::size_t used = 0;
            id = std::stoll(key, &used);
            if (used != key.size())
                id = -1;
        } catch (const std::exception &) { }
        if (id < 0)
            throw Error(locate(file, 0, 0,
                "added_tokens_decoder: \"" + key + "\" is not a token id; its keys must be the tokens' ids"));
        tokens[id] = addedTokenFromJson(entry, file, "added_tokens_decoder." + key + ".", id);
    }
    return tokens;
}

std::optional<std::string> specialTokenContent(
    const nlohmann::json &config, std::string_view key, const std::string &file)
{
    const nlohmann::json *value = jsonfields::find(config, key);
    if (!value)
        return std::nullopt;
    if (value->is_string())
        return value->get<std::string>();
    if (const nlohmann::json *content = jsonfields::find(*value, "content"); content && content->is_string())
        return content->get<std::string>();
    jsonfields::wrongType(file, "", key, "a string or an object with a string \"content\"", *value);
}

void AddedTokenMatcher::add(std::u32string pattern, const AddedToken &token)
{
    if (pattern.empty())
        return; // an empty pattern would match everywhere; HF never matches it either
    const int index = static_cast<int>(m_patterns.size());
    const char32_t first = pattern.front();
    m_patterns.push_back({ std::move(pattern), token.id, token.singleWord, token.lstrip, token.rstrip });
    if (first < 128) {
        m_asciiBuckets[first].push_back(index);
        m_asciiFirst[first] = true;
    } else
        m_otherBuckets[first].push_back(index);
}

int AddedTokenMatcher::longestAt(std::u32string_view text, std::size_t pos) const
{
    const char32_t c = text[pos];
    const std::vector<int> *bucket = nullptr;
    if (c < 128) {
        bucket = &m_asciiBuckets[c];
    } else {
        const auto it = m_otherBuckets.find(c);
        if (it != m_otherBuckets.end())
            bucket = &it->second;
    }
    if (bucket == nullptr || bucket->empty())
        return -1;
    int best = -1;
    std::size_t bestLength = 0;
    const std::u32string_view rest = text.substr(pos);
    for (const int index : *bucket) {
        const std::u32string &p = m_patterns[index].text;
        if (p.size() > bestLength && rest.starts_with(p)) {
            best = index;
            bestLength = p.size();
        }
    }
    return best;
}

void AddedTokenMatcher::split(std::u32string_view text, std::vector<Segment> &out) const
{
    std::size_t plainStart = 0; // end of the previous accepted match
    std::size_t pos = 0;
    while (pos < text.size()) {
        const char32_t c = text[pos];
        if (c < 128 ? !m_asciiFirst[c] : m_otherBuckets.empty()) {
            ++pos; // the common case: no pattern starts with this character
            continue;
        }
        const int index = longestAt(text, pos);
        if (index < 0) {
            ++pos;
            continue;
        }
        const Pattern &p = m_patterns[index];
        std::size_t start = pos;
        std::size_t stop = pos + p.text.size();
        pos = stop;
        if (p.singleWord) {
            const bool wordBefore = start > 0 && isWordCharacter(text[start - 1]);
            const bool wordAfter = stop < text.size() && isWordCharacter(text[stop]);
            if (wordBefore || wordAfter)
                continue;
        }
        if (p.lstrip) {
            std::size_t newStart = start;
            while (newStart > 0 && isUnicodeWhitespace(text[newStart - 1]))
                --newStart;
            start = std::max(newStart, plainStart);
        }
        if (p.rstrip) {
            while (stop < text.size() && isUnicodeWhitespace(text[stop]))
                ++stop;
            pos = stop;
        }
        if (start > plainStart)
            out.push_back({ plainStart, start, -1 });
        out.push_back({ start, stop, p.id });
        plainStart = stop;
    }
    if (plainStart < text.size())
        out.push_back({ plainStart, text.size(), -1 });
}

} // namespace pairtune
