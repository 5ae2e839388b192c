#pragma once

// Helpers shared by the WordPiece suites: the real bert-base-uncased vocabulary and a tokenizer.json
// written the way HF tokenizers serializes a BERT fast tokenizer (docs/formats.md §4.2), built here
// independently of the code under test.

#include <QtTest>

#include <nlohmann/json.hpp>

#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace wordpiecetest {

inline std::string vocabPath()
{
    return PAIRTUNE_TEST_DATA_DIR "/bert-base-uncased-vocab.txt";
}

inline std::vector<std::string> readLines(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line))
        lines.push_back(line);
    return lines;
}

inline void writeFile(const std::string &path, const std::string &bytes)
{
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline nlohmann::json readJson(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    return nlohmann::json::parse(in);
}

inline std::int64_t indexOf(const std::vector<std::string> &vocab, const std::string &token)
{
    for (std::size_t i = 0; i < vocab.size(); ++i)
        if (vocab[i] == token)
            return static_cast<std::int64_t>(i);
    return -1;
}

// tokenizer.json as BertConverter + tokenizers save it for bert-base-uncased.
inline nlohmann::json hfBertTokenizerJson(const std::vector<std::string> &vocab, bool lowercase = true,
    std::optional<bool> stripAccents = std::nullopt)
{
    using nlohmann::json;
    json added = json::array();
    for (const char *special : { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" }) {
        const std::int64_t id = indexOf(vocab, special);
        if (id >= 0)
            added.push_back({ { "id", id }, { "content", special }, { "single_word", false },
                { "lstrip", false }, { "rstrip", false }, { "normalized", false }, { "special", true } });
    }
    std::sort(added.begin(), added.end(), [](const json &a, const json &b) { return a["id"] < b["id"]; });
    const std::int64_t cls = indexOf(vocab, "[CLS]");
    const std::int64_t sep = indexOf(vocab, "[SEP]");
    const auto special = [](const char *id, int type) {
        return json { { "SpecialToken", { { "id", id }, { "type_id", type } } } };
    };
    const auto sequence = [](const char *id, int type) {
        return json { { "Sequence", { { "id", id }, { "type_id", type } } } };
    };
    json vocabObject = json::object();
    for (std::size_t i = 0; i < vocab.size(); ++i)
        vocabObject[vocab[i]] = i;
    return json {
        { "version", "1.0" },
        { "truncation", nullptr },
        { "padding", nullptr },
        { "added_tokens", added },
        { "normalizer",
            { { "type", "BertNormalizer" }, { "clean_text", true }, { "handle_chinese_chars", true },
                { "strip_accents", stripAccents ? json(*stripAccents) : json(nullptr) },
                { "lowercase", lowercase } } },
        { "pre_tokenizer", { { "type", "BertPreTokenizer" } } },
        { "post_processor",
            { { "type", "TemplateProcessing" },
                { "single", { special("[CLS]", 0), sequence("A", 0), special("[SEP]", 0) } },
                { "pair",
                    { special("[CLS]", 0), sequence("A", 0), special("[SEP]", 0), sequence("B", 1),
                        special("[SEP]", 1) } },
                { "special_tokens",
                    { { "[CLS]", { { "id", "[CLS]" }, { "ids", { cls } }, { "tokens", { "[CLS]" } } } },
                        { "[SEP]",
                            { { "id", "[SEP]" }, { "ids", { sep } }, { "tokens", { "[SEP]" } } } } } } } },
        { "decoder", { { "type", "WordPiece" }, { "prefix", "##" }, { "cleanup", true } } },
        { "model",
            { { "type", "WordPiece" }, { "unk_token", "[UNK]" }, { "continuing_subword_prefix", "##" },
                { "max_input_chars_per_word", 100 }, { "vocab", vocabObject } } },
    };
}

inline QStringList toQStringList(const std::vector<std::string> &tokens)
{
    QStringList list;
    for (const std::string &t : tokens)
        list << QString::fromStdString(t);
    return list;
}

} // namespace wordpiecetest
