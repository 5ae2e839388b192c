#include "model/modelfiles.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <set>
#include <string_view>

namespace pairtune {
namespace {

// The tokenizer files transformers' tokenizer classes for BERT, XLM-R, RoBERTa/MPNet (BPE), T5/ALBERT
// (spiece) look for, plus the fast tokenizer's tokenizer.json.
constexpr std::array<std::string_view, 9> kTokenizerFiles
    = { "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json",
          "vocab.txt", "vocab.json", "merges.txt", "sentencepiece.bpe.model", "spiece.model" };

bool startsWith(std::string_view s, std::string_view prefix)
{
    return s.substr(0, prefix.size()) == prefix;
}

bool endsWith(std::string_view s, std::string_view suffix)
{
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool allDigits(std::string_view s)
{
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// "1_Pooling", "2_Dense", "0_Transformer": the folders SentenceTransformer.save() names "{idx}_{Class}".
bool isModuleFolder(std::string_view component)
{
    const std::size_t underscore = component.find('_');
    return underscore != std::string_view::npos && underscore + 1 < component.size()
        && allDigits(component.substr(0, underscore));
}

// Whether every component of a folder path may hold model files: the root, or a module folder (and
// anything below it, where sentence-transformers' nested modules keep their own files).
bool isModelFolder(std::string_view folder)
{
    if (folder.empty())
        return true;
    const std::string_view first = folder.substr(0, folder.find('/'));
    return isModuleFolder(first) && folder.find("/.") == std::string_view::npos;
}

// "model-00001-of-00003.safetensors" / "pytorch_model-00001-of-00002.bin": one shard named by an index.
bool isShard(std::string_view name, std::string_view stem, std::string_view extension)
{
    if (!startsWith(name, stem) || !endsWith(name, extension))
        return false;
    const std::string_view middle = name.substr(stem.size(), name.size() - stem.size() - extension.size());
    const std::size_t of = middle.find("-of-");
    return of != std::string_view::npos && middle.size() > 1 && middle[0] == '-'
        && allDigits(middle.substr(1, of - 1)) && allDigits(middle.substr(of + 4));
}

bool isConfigFile(std::string_view name)
{
    // config.json, and sentence_bert_config.json / sentence_xlm-roberta_config.json / ... (the
    // Transformer module's own settings, one name per architecture in older versions).
    return name == "config.json"
        || (startsWith(name, "sentence_") && endsWith(name, "_config.json") && name.size() > 21);
}

// The weights of one folder, in the order transformers prefers them: safetensors first, the pickled
// PyTorch file only when there are none (Pairtune's loader then explains how to convert it).
std::vector<std::string> weightFiles(const std::set<std::string> &names)
{
    const auto pick = [&names](std::string_view single, std::string_view index, std::string_view stem,
                          std::string_view extension) {
        std::vector<std::string> chosen;
        if (names.count(std::string(single))) {
            chosen.emplace_back(single);
            return chosen;
        }
        if (!names.count(std::string(index)))
            return chosen;
        chosen.emplace_back(index);
        for (const std::string &name : names) {
            if (isShard(name, stem, extension))
                chosen.push_back(name);
        }
        return chosen;
    };
    std::vector<std::string> chosen
        = pick("model.safetensors", "model.safetensors.index.json", "model", ".safetensors");
    if (chosen.empty())
        chosen = pick("pytorch_model.bin", "pytorch_model.bin.index.json", "pytorch_model", ".bin");
    return chosen;
}

} // namespace

std::vector<std::string> sentenceTransformersFiles(const std::vector<std::string> &repoFiles)
{
    std::map<std::string, std::set<std::string>> byFolder; // folder ("" = root) → file names in it
    for (const std::string &path : repoFiles) {
        const std::size_t slash = path.rfind('/');
        const std::string folder = slash == std::string::npos ? std::string() : path.substr(0, slash);
        const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
        if (name.empty() || name[0] == '.' || !isModelFolder(folder))
            continue;
        byFolder[folder].insert(name);
    }

    std::vector<std::string> chosen;
    for (const auto &[folder, names] : byFolder) {
        const std::string prefix = folder.empty() ? std::string() : folder + "/";
        for (const std::string &name : names) {
            const bool rootOnly = name == "modules.json" || name == "config_sentence_transformers.json"
                || name == "README.md";
            const bool tokenizer
                = std::find(kTokenizerFiles.begin(), kTokenizerFiles.end(), name) != kTokenizerFiles.end();
            if ((rootOnly && folder.empty()) || tokenizer || isConfigFile(name))
                chosen.push_back(prefix + name);
        }
        for (const std::string &name : weightFiles(names))
            chosen.push_back(prefix + name);
    }
    std::sort(chosen.begin(), chosen.end());
    return chosen;
}

} // namespace pairtune
