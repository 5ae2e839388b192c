#include "text/robertaconventions.h"

#include "core/error.h"
#include "io/fileutil.h"
#include "io/jsonfile.h"
#include "text/addedtokens.h"

#include <filesystem>
#include <map>
#include <sstream>

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

namespace pairtune {

namespace {

[[noreturn]] void fail(const std::string &source, const std::string &message)
{
    throw Error(locate(source, 0, 0, message));
}

// merges.txt as transformers' RobertaTokenizer reads it: split("\n")[1:-1] (the first line is the
// "#version" header, the last the empty string after the final line feed), each line split on whitespace.
ordered_json readMerges(const std::string &path)
{
    const std::string text = readFileBytes(path);
    std::vector<std::string> lines;
    std::size_t pos = 0;
    while (true) {
        const std::size_t end = text.find('\n', pos);
        lines.push_back(text.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
        if (end == std::string::npos)
            break;
        pos = end + 1;
    }
    ordered_json merges = ordered_json::array();
    for (std::size_t i = 1; i + 1 < lines.size(); ++i) {
        std::istringstream parts(lines[i]);
        std::string left, right, extra;
        parts >> left >> right;
        if (left.empty() || right.empty() || (parts >> extra))
            throw Error(locate(path, i + 1, 1, "expected two tokens separated by a space"));
        merges.push_back(ordered_json::array({ left, right }));
    }
    return merges;
}

} // namespace

nlohmann::json robertaTokenizerJson(const std::string &folder)
{
    const fs::path dir(folder);
    const std::string vocabPath = (dir / "vocab.json").string();
    const std::string mergesPath = (dir / "merges.txt").string();
    const std::string configPath = (dir / "tokenizer_config.json").string();
    const json vocab = readJsonFile(vocabPath);
    if (!vocab.is_object())
        fail(vocabPath, "expected an object mapping each token to its id");
    const json config = fs::is_regular_file(configPath) ? readJsonFile(configPath) : json::object();
    if (!config.is_object())
        fail(configPath, "expected a JSON object");
    const auto flagOf = [&](const char *key) {
        const auto it = config.find(key);
        return it != config.end() && it->is_boolean() && it->get<bool>();
    };
    const bool addPrefixSpace = flagOf("add_prefix_space");
    const auto idOf = [&](const std::string &token) -> std::int64_t {
        const auto it = vocab.find(token);
        if (it == vocab.end() || !it->is_number_integer())
            fail(vocabPath, "the special token \"" + token + "\" is not in the vocabulary");
        return it->get<std::int64_t>();
    };

    // The special tokens, each an added token (special, not normalized; <mask> swallows the space before
    // it), then whatever added_tokens_decoder says.
    std::map<std::int64_t, AddedToken> added;
    const auto addToken = [&](const std::string &content, std::int64_t id, bool lstrip) {
        AddedToken &token = added[id];
        token = AddedToken { id, content };
        token.lstrip = lstrip;
        token.normalized = false;
        token.special = true;
    };
    const std::string bos = specialTokenContent(config, "bos_token", configPath).value_or("<s>");
    const std::string eos = specialTokenContent(config, "eos_token", configPath).value_or("</s>");
    const std::string sep = specialTokenContent(config, "sep_token", configPath).value_or("</s>");
    const std::string cls = specialTokenContent(config, "cls_token", configPath).value_or("<s>");
    const std::string unk = specialTokenContent(config, "unk_token", configPath).value_or("<unk>");
    const std::string pad = specialTokenContent(config, "pad_token", configPath).value_or("<pad>");
    const std::string mask = specialTokenContent(config, "mask_token", configPath).value_or("<mask>");
    for (const std::string *name : { &bos, &pad, &eos, &unk, &sep, &cls })
        if (vocab.contains(*name))
            addToken(*name, idOf(*name), false);
    if (vocab.contains(mask))
        addToken(mask, idOf(mask), true);
    for (auto &[id, token] : addedTokensDecoder(config, configPath))
        added[id] = std::move(token);

    ordered_json result;
    result["version"] = "1.0";
    result["truncation"] = nullptr;
    result["padding"] = nullptr;
    ordered_json addedList = ordered_json::array();
    for (const auto &[id, token] : added)
        addedList.push_back(addedTokenJson(token, true));
    result["added_tokens"] = std::move(addedList);
    result["normalizer"] = nullptr;
    const ordered_json byteLevel = { { "type", "ByteLevel" }, { "add_prefix_space", addPrefixSpace },
        { "trim_offsets", true }, { "use_regex", true } };
    result["pre_tokenizer"] = byteLevel;
    result["post_processor"] = { { "type", "RobertaProcessing" }, { "sep", { sep, idOf(sep) } },
        { "cls", { cls, idOf(cls) } }, { "trim_offsets", true }, { "add_prefix_space", addPrefixSpace } };
    result["decoder"] = byteLevel;
    ordered_json model;
    model["type"] = "BPE";
    model["dropout"] = nullptr;
    model["unk_token"] = nullptr;
    model["continuing_subword_prefix"] = "";
    model["end_of_word_suffix"] = "";
    model["fuse_unk"] = false;
    model["byte_fallback"] = false;
    model["ignore_merges"] = false;
    model["vocab"] = vocab;
    model["merges"] = readMerges(mergesPath);
    result["model"] = std::move(model);
    return json(result);
}

} // namespace pairtune
