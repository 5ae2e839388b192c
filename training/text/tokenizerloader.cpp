#include "core/error.h"
#include "io/jsonfile.h"
#include "text/robertaconventions.h"
#include "text/tokenizer.h"
#include "text/tokenizerfactories.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace pairtune {

namespace {

std::unique_ptr<Tokenizer> loadTokenizerFiles(const std::string &folder, const std::string &modelType)
{
    const fs::path dir(folder);
    const fs::path tokenizerJsonPath = dir / "tokenizer.json";
    if (fs::exists(tokenizerJsonPath)) {
        const nlohmann::json json = readJsonFile(tokenizerJsonPath.string());
        const auto model = json.find("model");
        if (model == json.end() || !model->is_object() || !model->contains("type"))
            throw Error(locate(tokenizerJsonPath.string(), 0, 0, "no \"model\" object with a \"type\""));
        const std::string type = model->at("type").is_string() ? model->at("type").get<std::string>() : "";
        if (type == "WordPiece")
            return makeWordPieceTokenizer(json, folder);
        if (type == "Unigram")
            return makeUnigramTokenizer(json, folder);
        if (type == "BPE")
            return makeBpeTokenizer(json, folder);
        throw Error(locate(tokenizerJsonPath.string(), 0, 0,
            "tokenizer model type \"" + type
                + "\" is not supported; Pairtune reads WordPiece (BERT, MPNet), Unigram (XLM-R) and BPE "
                  "(RoBERTa, ModernBERT) tokenizers"));
    }
    const bool hasVocabJson = fs::exists(dir / "vocab.json");
    const bool hasMerges = fs::exists(dir / "merges.txt");
    if (hasVocabJson && hasMerges)
        return makeBpeTokenizer(robertaTokenizerJson(folder), folder);
    if (hasVocabJson != hasMerges)
        throw Error(locate(folder, 0, 0,
            std::string("the folder has ")
                + (hasVocabJson ? "vocab.json but no merges.txt" : "merges.txt but no vocab.json")
                + ": a byte-level BPE tokenizer needs both (or a tokenizer.json)"));
    if (fs::exists(dir / "vocab.txt") && modelType != "xlm-roberta")
        return makeWordPieceTokenizerFromFolder(folder);
    if (fs::exists(dir / "sentencepiece.bpe.model"))
        return makeSentencePieceTokenizerFromFolder(folder);
    throw Error(locate(folder, 0, 0,
        "no tokenizer found: expected tokenizer.json, vocab.json + merges.txt (RoBERTa), vocab.txt (BERT) or "
        "sentencepiece.bpe.model (XLM-R) in the model folder"));
}

// tokenizer_config.json's truncation_side, which transformers applies to every call.
TruncationSide truncationSideOf(const std::string &folder)
{
    const fs::path path = fs::path(folder) / "tokenizer_config.json";
    if (!fs::exists(path))
        return TruncationSide::Right;
    const nlohmann::json config = readJsonFile(path.string());
    const auto it = config.is_object() ? config.find("truncation_side") : config.end();
    if (!config.is_object() || it == config.end() || it->is_null())
        return TruncationSide::Right;
    if (*it == "left")
        return TruncationSide::Left;
    if (*it == "right")
        return TruncationSide::Right;
    throw Error(locate(path.string(), 0, 0,
        "\"truncation_side\" is " + it->dump() + "; transformers accepts \"right\" or \"left\""));
}

} // namespace

std::unique_ptr<Tokenizer> loadTokenizer(const std::string &folder, const std::string &modelType)
{
    std::unique_ptr<Tokenizer> tokenizer = loadTokenizerFiles(folder, modelType);
    tokenizer->setTruncationSide(truncationSideOf(folder));
    return tokenizer;
}

} // namespace pairtune
