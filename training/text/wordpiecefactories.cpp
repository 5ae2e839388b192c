// Builds WordPiece tokenizers from the files transformers and tokenizers write: tokenizer.json, or
// vocab.txt with tokenizer_config.json (the "slow" files that transformers converts on load with
// BertConverter; the result must behave exactly like that conversion).

#include "core/error.h"
#include "core/log.h"
#include "io/fileutil.h"
#include "io/jsonfields.h"
#include "io/jsonfile.h"
#include "text/tokenizerfactories.h"
#include "text/utf8.h"
#include "text/wordpiecetokenizer.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <unordered_map>

namespace fs = std::filesystem;
using nlohmann::json;

namespace pairtune {

namespace {

[[noreturn]] void fail(const std::string &source, const std::string &message)
{
    throw Error(locate(source, 0, 0, message));
}

std::vector<std::string> vocabFromJson(const json &vocab, const std::string &source)
{
    if (!vocab.is_object())
        fail(source, "model.vocab must be an object mapping each token to its id");
    std::vector<std::string> tokens(vocab.size());
    std::vector<bool> filled(vocab.size(), false);
    for (const auto &[token, idValue] : vocab.items()) {
        if (!idValue.is_number_integer() || idValue.get<std::int64_t>() < 0)
            fail(source, "model.vocab: the id of \"" + token + "\" is not a non-negative integer");
        const auto id = idValue.get<std::uint64_t>();
        if (id >= tokens.size())
            fail(source,
                "model.vocab: the id " + std::to_string(id) + " of \"" + token
                    + "\" leaves a gap; ids must run from 0 to " + std::to_string(tokens.size() - 1));
        if (filled[id])
            fail(source,
                "model.vocab: the tokens \"" + tokens[id] + "\" and \"" + token + "\" share the id "
                    + std::to_string(id));
        tokens[id] = token;
        filled[id] = true;
    }
    return tokens;
}

// A special token in tokenizer_config.json: a string, or an AddedToken object with "content".
// tokenizer_config.json of folder, or an empty object when there is none.
json readTokenizerConfig(const std::string &folder, std::string &path)
{
    path = (fs::path(folder) / "tokenizer_config.json").string();
    if (!fs::exists(path))
        return json::object();
    json config = readJsonFile(path);
    if (!config.is_object())
        fail(path, "expected a JSON object");
    return config;
}

void applySpecialNames(const json &config, const std::string &path, WordPieceSettings &settings)
{
    settings.clsToken = specialTokenContent(config, "cls_token", path).value_or(settings.clsToken);
    settings.sepToken = specialTokenContent(config, "sep_token", path).value_or(settings.sepToken);
    settings.padToken = specialTokenContent(config, "pad_token", path).value_or(settings.padToken);
    settings.maskToken = specialTokenContent(config, "mask_token", path).value_or(settings.maskToken);
}

// vocab.txt: one token per line, the id is the line number from 0 (transformers' load_vocab).
std::vector<std::string> readVocabTxt(const std::string &path)
{
    if (!fs::exists(path))
        fail(path, "the vocabulary file does not exist");
    const std::string bytes = readFileBytes(path);
    std::vector<std::string> tokens;
    std::unordered_map<std::string_view, std::size_t> lines;
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        std::size_t end = bytes.find('\n', pos);
        if (end == std::string::npos)
            end = bytes.size();
        std::string_view line(bytes.data() + pos, end - pos);
        if (line.ends_with('\r'))
            line.remove_suffix(1); // a file saved with Windows line endings
        const std::size_t lineNumber = tokens.size() + 1;
        if (line.empty())
            throw Error(locate(path, lineNumber, 1, "empty line: every line must hold one token"));
        if (!isValidUtf8(line))
            throw Error(locate(path, lineNumber, 1, "the token is not valid UTF-8"));
        const auto [it, inserted] = lines.emplace(line, lineNumber);
        if (!inserted)
            throw Error(locate(path, lineNumber, 1,
                "the token \"" + std::string(line) + "\" already appears on line "
                    + std::to_string(it->second)));
        tokens.emplace_back(line);
        pos = end + 1;
    }
    if (tokens.empty())
        fail(path, "the vocabulary file is empty");
    return tokens;
}

// The fast tokenizer transformers' BertConverter builds from vocab.txt and the slow options.
std::unique_ptr<Tokenizer> fromVocab(
    const std::string &vocabPath, const json &config, const std::string &configPath)
{
    WordPieceSettings settings;
    settings.vocab = readVocabTxt(vocabPath);
    BertNormalizerOptions normalizer;
    normalizer.lowercase = jsonfields::boolOr(config, "do_lower_case", true, configPath, "");
    normalizer.stripAccents = jsonfields::optionalBool(config, "strip_accents", configPath, "");
    normalizer.handleChineseChars
        = jsonfields::boolOr(config, "tokenize_chinese_chars", true, configPath, "");
    settings.normalizer = normalizer;
    settings.unkToken = specialTokenContent(config, "unk_token", configPath).value_or(settings.unkToken);
    applySpecialNames(config, configPath, settings);

    std::unordered_map<std::string, std::int64_t> ids;
    for (std::size_t id = 0; id < settings.vocab.size(); ++id)
        ids.emplace(settings.vocab[id], static_cast<std::int64_t>(id));
    for (const std::string *required : { &settings.clsToken, &settings.sepToken })
        if (!ids.contains(*required))
            fail(vocabPath, "the special token \"" + *required + "\" is not in the vocabulary");

    // Special tokens become added tokens with normalized=false; added_tokens_decoder may add or
    // refine entries (transformers >= 4.34 writes it).
    std::map<std::int64_t, AddedToken> added;
    for (const std::string *name : { &settings.padToken, &settings.unkToken, &settings.clsToken,
             &settings.sepToken, &settings.maskToken }) {
        const auto it = ids.find(*name);
        if (it == ids.end()) {
            logWarning(
                vocabPath + ": the special token \"" + *name + "\" is not in the vocabulary; ignoring it");
            continue;
        }
        added[it->second] = AddedToken { it->second, *name, false, false, false, false, true };
    }
    for (auto &[id, token] : addedTokensDecoder(config, configPath))
        added[id] = std::move(token);
    for (auto &[id, token] : added)
        settings.addedTokens.push_back(token);

    settings.postProcessor = TemplatePostProcessor::bert(
        settings.clsToken, ids.at(settings.clsToken), settings.sepToken, ids.at(settings.sepToken));
    return std::make_unique<WordPieceTokenizer>(std::move(settings), vocabPath);
}

BertNormalizerOptions bertNormalizerFromJson(const json &normalizer, const std::string &source)
{
    BertNormalizerOptions options;
    options.cleanText = jsonfields::boolOr(normalizer, "clean_text", true, source, "normalizer.");
    options.handleChineseChars
        = jsonfields::boolOr(normalizer, "handle_chinese_chars", true, source, "normalizer.");
    options.stripAccents = jsonfields::optionalBool(normalizer, "strip_accents", source, "normalizer.");
    options.lowercase = jsonfields::boolOr(normalizer, "lowercase", true, source, "normalizer.");
    return options;
}

// The normalizer: none, a BertNormalizer, or a Sequence of one BertNormalizer with Lowercase entries
// before and/or after it (sentence-transformers 5.4+ saves do_lower_case=True that way).
void readNormalizer(const json &normalizer, const std::string &source, WordPieceSettings &settings)
{
    settings.normalizer.reset();
    if (normalizer.is_null())
        return;
    const auto unsupported = [&](const std::string &type) {
        fail(source,
            "normalizer type \"" + type
                + "\" is not supported; Pairtune's WordPiece tokenizer reads BertNormalizer, a Sequence of "
                  "Lowercase and one BertNormalizer, or none");
    };
    const std::string type = jsonfields::stringOr(normalizer, "type", "", source, "normalizer.");
    if (type == "BertNormalizer") {
        settings.normalizer = bertNormalizerFromJson(normalizer, source);
        return;
    }
    if (type != "Sequence")
        unsupported(type);
    const json &steps = jsonfields::memberOrNull(normalizer, "normalizers");
    if (!steps.is_array())
        fail(source, "normalizer.normalizers must be a list");
    for (const json &step : steps) {
        const std::string stepType = jsonfields::stringOr(step, "type", "", source, "normalizer.");
        if (stepType == "Lowercase")
            (settings.normalizer ? settings.lowercaseAfter : settings.lowercaseBefore) = true;
        else if (stepType == "BertNormalizer" && !settings.normalizer && !settings.lowercaseAfter)
            settings.normalizer = bertNormalizerFromJson(step, source);
        else
            unsupported(stepType == "BertNormalizer" ? "Sequence with two BertNormalizers" : stepType);
    }
}

} // namespace

std::unique_ptr<Tokenizer> makeWordPieceTokenizer(
    const nlohmann::json &tokenizerJson, const std::string &folder)
{
    const std::string source = (fs::path(folder) / "tokenizer.json").string();
    if (!tokenizerJson.is_object())
        fail(source, "expected a JSON object");
    const json &model = jsonfields::memberOrNull(tokenizerJson, "model");
    if (!model.is_object() || model.value("type", std::string()) != "WordPiece")
        fail(source, "model.type must be \"WordPiece\" for a BERT tokenizer");

    WordPieceSettings settings;
    settings.vocab = vocabFromJson(jsonfields::memberOrNull(model, "vocab"), source);
    settings.unkToken = jsonfields::stringOr(model, "unk_token", "[UNK]", source, "model.");
    settings.continuingSubwordPrefix
        = jsonfields::stringOr(model, "continuing_subword_prefix", "##", source, "model.");
    settings.maxInputCharsPerWord = static_cast<std::size_t>(
        jsonfields::intOr(model, "max_input_chars_per_word", 100, source, "model."));

    readNormalizer(jsonfields::memberOrNull(tokenizerJson, "normalizer"), source, settings);

    const json &preTokenizer = jsonfields::memberOrNull(tokenizerJson, "pre_tokenizer");
    if (preTokenizer.is_null()) {
        settings.bertPreTokenizer = false;
    } else {
        const std::string type = jsonfields::stringOr(preTokenizer, "type", "", source, "pre_tokenizer.");
        if (type != "BertPreTokenizer")
            fail(source,
                "pre_tokenizer type \"" + type
                    + "\" is not supported; Pairtune's WordPiece tokenizer reads BertPreTokenizer (or none)");
    }

    settings.postProcessor
        = TemplatePostProcessor::fromJson(jsonfields::memberOrNull(tokenizerJson, "post_processor"), source);

    const json &added = jsonfields::memberOrNull(tokenizerJson, "added_tokens");
    if (!added.is_array() && !added.is_null())
        fail(source, "\"added_tokens\" must be a list");
    for (const json &entry : added.is_array() ? added : json::array()) {
        settings.addedTokens.push_back(addedTokenFromJson(entry, source, "added_tokens."));
    }

    std::string configPath;
    const json config = readTokenizerConfig(folder, configPath);
    applySpecialNames(config, configPath, settings);
    // MPNet's vocabulary names its padding token <pad>; without a tokenizer_config.json saying so, use it
    // when there is no [PAD].
    const auto hasToken = [&](const std::string &token) {
        return std::find(settings.vocab.begin(), settings.vocab.end(), token) != settings.vocab.end()
            || std::any_of(settings.addedTokens.begin(), settings.addedTokens.end(),
                [&](const AddedToken &t) { return t.content == token; });
    };
    if (!config.contains("pad_token") && !hasToken(settings.padToken) && hasToken("<pad>"))
        settings.padToken = "<pad>";
    return std::make_unique<WordPieceTokenizer>(std::move(settings), source);
}

std::unique_ptr<Tokenizer> makeWordPieceTokenizerFromFolder(const std::string &folder)
{
    std::string configPath;
    const json config = readTokenizerConfig(folder, configPath);
    return fromVocab((fs::path(folder) / "vocab.txt").string(), config, configPath);
}

std::unique_ptr<Tokenizer> makeWordPieceTokenizerFromVocabFile(const std::string &vocabPath, bool lowercase)
{
    const json config = { { "do_lower_case", lowercase } };
    return fromVocab(vocabPath, config, vocabPath);
}

} // namespace pairtune
