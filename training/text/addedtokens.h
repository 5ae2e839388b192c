#pragma once

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pairtune {

// One entry of tokenizer.json's "added_tokens" (tokenizer_config.json's "added_tokens_decoder").
struct AddedToken
{
    std::int64_t id = 0;
    std::string content;
    bool singleWord = false;
    bool lstrip = false;
    bool rstrip = false;
    bool normalized = true;
    bool special = false;
};

// Reads one entry of tokenizer.json's "added_tokens" (id from its "id") or of tokenizer_config.json's
// "added_tokens_decoder" (id = the entry's key, passed in). Flags default as AddedToken(content,
// special) does in HF (normalized = !special); where prefixes the keys in errors naming file.
AddedToken addedTokenFromJson(const nlohmann::json &entry, const std::string &file, const std::string &where,
    std::optional<std::int64_t> id = std::nullopt);

// tokenizer_config.json's "added_tokens_decoder" (transformers >= 4.34): id (the key) -> token. Empty
// when config has none; a key that is no token id throws, naming file.
std::map<std::int64_t, AddedToken> addedTokensDecoder(const nlohmann::json &config, const std::string &file);

// A special token that tokenizer_config.json or special_tokens_map.json names under key ("pad_token"):
// a string, or an AddedToken object with "content"; nullopt when the key is missing or null.
std::optional<std::string> specialTokenContent(
    const nlohmann::json &config, std::string_view key, const std::string &file);

// The entry as HF writes it, keys in Rust's order when Json keeps the order: with "id" for
// tokenizer.json, without for tokenizer_config.json's added_tokens_decoder (keyed by id there).
template <typename Json = nlohmann::ordered_json> Json addedTokenJson(const AddedToken &token, bool withId)
{
    Json entry = Json::object();
    if (withId)
        entry["id"] = token.id;
    entry["content"] = token.content;
    entry["single_word"] = token.singleWord;
    entry["lstrip"] = token.lstrip;
    entry["rstrip"] = token.rstrip;
    entry["normalized"] = token.normalized;
    entry["special"] = token.special;
    return entry;
}

// Finds added tokens in a text the way HF tokenizers' AddedVocabulary does: leftmost-longest,
// non-overlapping matches; a single_word token only counts when no word character (\w) touches
// it; lstrip/rstrip make the match swallow the White_Space beside it. A match rejected by
// single_word is skipped, and scanning resumes after it (as aho-corasick's iterator does).
class AddedTokenMatcher
{
public:
    // A piece of the input: either an added token (id >= 0) or plain text (id < 0).
    struct Segment
    {
        std::size_t begin;
        std::size_t end;
        std::int64_t id;
    };

    void add(std::u32string pattern, const AddedToken &token);
    bool empty() const { return m_patterns.empty(); }

    // Covers text with segments in order (plain segments are never empty). Appends to out.
    void split(std::u32string_view text, std::vector<Segment> &out) const;

private:
    struct Pattern
    {
        std::u32string text;
        std::int64_t id;
        bool singleWord;
        bool lstrip;
        bool rstrip;
    };

    // Index of the longest pattern matching at text[pos], or -1.
    int longestAt(std::u32string_view text, std::size_t pos) const;

    std::vector<Pattern> m_patterns;
    std::vector<std::vector<int>> m_asciiBuckets = std::vector<std::vector<int>>(128);
    std::array<bool, 128> m_asciiFirst {}; // some pattern starts with this ASCII character
    std::unordered_map<char32_t, std::vector<int>> m_otherBuckets;
};

} // namespace pairtune
