#include "model/transformermoduleconfig.h"

#include "core/error.h"
#include "core/log.h"
#include "io/jsonfile.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <set>

namespace fs = std::filesystem;

namespace pairtune {
namespace {

using nlohmann::json;

// Transformer.load_config tries these names in this order (0.x saved one per architecture).
const char *const kConfigNames[] = {
    "sentence_bert_config.json",
    "sentence_roberta_config.json",
    "sentence_distilbert_config.json",
    "sentence_camembert_config.json",
    "sentence_albert_config.json",
    "sentence_xlm-roberta_config.json",
    "sentence_xlnet_config.json",
};

// Transformer.__init__ arguments that do not change what a BERT / XLM-R encoder computes
// (unpad_inputs only changes how padding is skipped on flash-attention GPUs).
const std::set<std::string> kToleratedKeys
    = { "model_args", "tokenizer_args", "config_args", "model_kwargs", "processor_kwargs", "config_kwargs",
          "cache_dir", "tokenizer_name_or_path", "backend", "model_name_or_path", "unpad_inputs" };

[[noreturn]] void refuse(const std::string &path, const std::string &message)
{
    throw Error(locate(path, 0, 0, message));
}

// 5.4+: the module must feed the encoder's last hidden state to Pooling as token_embeddings.
void checkTaskKeys(const json &config, const std::string &path)
{
    if (const auto it = config.find("transformer_task"); it != config.end() && !it->is_null()) {
        if (!it->is_string() || *it != "feature-extraction")
            refuse(path,
                "transformer_task " + it->dump()
                    + " is not a sentence embedder's (\"feature-extraction\"); Pairtune reads "
                      "SentenceTransformer models, not CrossEncoder or SparseEncoder ones");
    }
    if (const auto it = config.find("module_output_name"); it != config.end() && !it->is_null()) {
        if (!it->is_string() || *it != "token_embeddings")
            refuse(path,
                "module_output_name " + it->dump()
                    + " is not supported; Pairtune pools \"token_embeddings\"");
    }
    if (const auto it = config.find("modality_config"); it != config.end() && !it->is_null()) {
        const json expected = { { "method", "forward" }, { "method_output_name", "last_hidden_state" } };
        if (!it->is_object() || it->size() != 1 || !it->contains("text") || (*it)["text"] != expected)
            refuse(path,
                "modality_config " + it->dump()
                    + " is not supported; Pairtune reads text models whose forward pass gives "
                      "last_hidden_state");
    }
    for (const char *key : { "query_length", "document_length", "query_expansion" }) {
        if (const auto it = config.find(key); it != config.end() && !it->is_null())
            refuse(path,
                std::string("\"") + key
                    + "\" configures a multi-vector (ColBERT-style) model, which Pairtune does not read");
    }
    if (const auto it = config.find("processing_kwargs"); it != config.end() && !it->is_null()) {
        if (!it->is_object() || !it->empty())
            refuse(path,
                "processing_kwargs " + it->dump()
                    + " is not supported; Pairtune tokenizes as the tokenizer files say, with no "
                      "extra arguments");
    }
}

} // namespace

TransformerModuleConfig readTransformerModuleConfig(const std::string &dirPath)
{
    TransformerModuleConfig out;
    const fs::path dir(dirPath);
    for (const char *name : kConfigNames) {
        const fs::path p = dir / name;
        if (!fs::exists(p))
            continue;
        out.path = p.string();
        const json config = readJsonFile(out.path);
        if (!config.is_object())
            refuse(out.path, "expected a JSON object");
        checkTaskKeys(config, out.path);
        for (const auto &[key, value] : config.items()) {
            if (key == "max_seq_length") {
                if (value.is_null())
                    continue;
                if (!value.is_number_integer() || value.get<std::int64_t>() <= 0)
                    refuse(out.path, "\"max_seq_length\" must be a positive integer");
                out.maxSeqLength = int(std::min<std::int64_t>(value.get<std::int64_t>(), 1 << 30));
            } else if (key == "do_lower_case") {
                if (!value.is_boolean())
                    refuse(out.path, "\"do_lower_case\" must be true or false");
                out.doLowerCase = value.get<bool>();
            } else if (key != "transformer_task" && key != "module_output_name" && key != "modality_config"
                && key != "processing_kwargs" && !kToleratedKeys.count(key)) {
                logWarning(out.path + ": ignoring unknown key \"" + key + "\"");
            }
        }
        // Transformer.load_config stops at the first file that has content.
        if (!config.empty())
            break;
    }
    return out;
}

} // namespace pairtune
