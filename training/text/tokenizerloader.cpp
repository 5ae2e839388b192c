#include "core/error.h"
#include "io/jsonfile.h"
#include "text/tokenizer.h"
#include "text/tokenizerfactories.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace pairtune {

std::unique_ptr<Tokenizer> loadTokenizer(const std::string &folder, const std::string &modelType)
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
        throw Error(locate(tokenizerJsonPath.string(), 0, 0,
            "tokenizer model type \"" + type
                + "\" is not supported; Pairtune reads WordPiece (BERT) and Unigram (XLM-R) tokenizers"));
    }
    if (fs::exists(dir / "vocab.txt") && modelType != "xlm-roberta")
        return makeWordPieceTokenizerFromFolder(folder);
    if (fs::exists(dir / "sentencepiece.bpe.model"))
        return makeSentencePieceTokenizerFromFolder(folder);
    throw Error(locate(folder, 0, 0,
        "no tokenizer found: expected tokenizer.json, vocab.txt (BERT) or "
        "sentencepiece.bpe.model (XLM-R) in the model folder"));
}

} // namespace pairtune
