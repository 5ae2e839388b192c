#include "model/familytokenizerfiles.h"

#include "io/jsonfile.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <set>
#include <utility>
#include <vector>

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace pairtune {

namespace {

struct FamilyTokenizer
{
    const char *tokenizerClass = nullptr;
    // special_tokens_map.json keys and the class's default tokens, in save order.
    std::vector<std::pair<const char *, const char *>> specials;
};

// nullptr: the tokenizer's own files stand.
const FamilyTokenizer *familyTokenizer(
    const std::string &modelType, const Tokenizer &tokenizer, const json &written)
{
    static const FamilyTokenizer distilBert { "DistilBertTokenizer", {} };
    static const FamilyTokenizer mpnet { "MPNetTokenizer",
        { { "bos_token", "<s>" }, { "cls_token", "<s>" }, { "eos_token", "</s>" }, { "mask_token", "<mask>" },
            { "pad_token", "<pad>" }, { "sep_token", "</s>" }, { "unk_token", "[UNK]" } } };
    static const FamilyTokenizer roberta { "RobertaTokenizer",
        { { "bos_token", "<s>" }, { "cls_token", "<s>" }, { "eos_token", "</s>" }, { "mask_token", "<mask>" },
            { "pad_token", "<pad>" }, { "sep_token", "</s>" }, { "unk_token", "<unk>" } } };
    static const FamilyTokenizer modernBert { "PreTrainedTokenizerFast",
        { { "cls_token", "[CLS]" }, { "mask_token", "[MASK]" }, { "pad_token", "[PAD]" },
            { "sep_token", "[SEP]" }, { "unk_token", "[UNK]" } } };

    const std::string kind = tokenizer.kind();
    if (kind == "wordpiece") { // its files are always BertTokenizer's, written afresh
        if (modelType == "distilbert")
            return &distilBert;
        if (modelType == "mpnet")
            return &mpnet;
        return nullptr;
    }
    // A byte-level BPE tokenizer carries the tokenizer_config.json it came with; without one it writes
    // a bare PreTrainedTokenizerFast config (no added_tokens_decoder), which AutoTokenizer would have
    // filled with the family's class.
    const bool bare = written.value("tokenizer_class", "") == "PreTrainedTokenizerFast"
        && !written.contains("added_tokens_decoder");
    if (kind == "bpe" && bare && modelType == "roberta")
        return &roberta;
    if (kind == "bpe" && bare && modelType == "modernbert")
        return &modernBert;
    return nullptr;
}

} // namespace

void applyFamilyTokenizerFiles(
    const std::string &folder, const std::string &modelType, const Tokenizer &tokenizer)
{
    const std::string configPath = (fs::path(folder) / "tokenizer_config.json").string();
    const std::string mapPath = (fs::path(folder) / "special_tokens_map.json").string();
    if (!fs::exists(configPath))
        return;
    json config = readJsonFile(configPath);
    const FamilyTokenizer *family = familyTokenizer(modelType, tokenizer, config);
    if (!family)
        return;
    json specials = fs::exists(mapPath) ? readJsonFile(mapPath) : json::object();

    std::set<std::string> vocabulary;
    for (std::size_t id = 0; id < tokenizer.vocabSize(); ++id)
        vocabulary.insert(tokenizer.idToToken(std::int64_t(id)));
    // The WordPiece tokenizer names BERT's tokens unless the model's tokenizer_config.json named others, and
    // an MPNet vocabulary holds BERT's [CLS] [SEP] [MASK] too: those defaults give way to the family's;
    // a name the model's own tokenizer_config.json gave stays.
    const json bertDefaults = { { "cls_token", "[CLS]" }, { "mask_token", "[MASK]" },
        { "pad_token", "[PAD]" }, { "sep_token", "[SEP]" } };
    for (const auto &[key, token] : family->specials) {
        const bool ownName
            = config.contains(key) && !(bertDefaults.contains(key) && config[key] == bertDefaults[key]);
        if (ownName || !vocabulary.count(token))
            continue;
        config[key] = token;
        specials[key] = token;
    }
    config["tokenizer_class"] = family->tokenizerClass;
    writeJsonFile(configPath, config, 2);
    writeJsonFile(mapPath, specials, 2);
}

} // namespace pairtune
