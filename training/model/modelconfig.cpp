#include "model/modelconfig.h"

#include "core/error.h"
#include "pairtune/version.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pairtune {
namespace {

using nlohmann::json;

// Typed look-ups with Python's behaviour for missing keys (the default) and a clear error for
// a value of the wrong type. null counts as missing, as Python's config classes treat None.
const json *findValue(const json &object, const char *key)
{
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return nullptr;
    return &*it;
}

[[noreturn]] void wrongType(const std::string &path, const char *key, const char *expected)
{
    throw Error(locate(path, 0, 0, std::string("\"") + key + "\" must be " + expected));
}

int intValue(const json &object, const char *key, int fallback, const std::string &path)
{
    const json *value = findValue(object, key);
    if (!value)
        return fallback;
    if (value->is_number_integer())
        return value->get<int>();
    if (value->is_number_float()) {
        const double d = value->get<double>();
        if (std::floor(d) == d && std::abs(d) < 2e9)
            return static_cast<int>(d);
    }
    wrongType(path, key, "an integer");
}

double doubleValue(const json &object, const char *key, double fallback, const std::string &path)
{
    const json *value = findValue(object, key);
    if (!value)
        return fallback;
    if (!value->is_number())
        wrongType(path, key, "a number");
    return value->get<double>();
}

bool boolValue(const json &object, const char *key, bool fallback, const std::string &path)
{
    const json *value = findValue(object, key);
    if (!value)
        return fallback;
    if (!value->is_boolean())
        wrongType(path, key, "true or false");
    return value->get<bool>();
}

std::string stringValue(
    const json &object, const char *key, const std::string &fallback, const std::string &path)
{
    const json *value = findValue(object, key);
    if (!value)
        return fallback;
    if (!value->is_string())
        wrongType(path, key, "a string");
    return value->get<std::string>();
}

void requireObject(const json &value, const std::string &path)
{
    if (!value.is_object())
        throw Error(locate(path, 0, 0, "expected a JSON object"));
}

} // namespace

// ---------------------------------------------------------------------------------------------
// TransformerConfig

int TransformerConfig::usablePositions() const
{
    // XLM-R numbers real tokens from pad_token_id + 1 (format-spec §3.2).
    return isXlmRoberta() ? maxPositionEmbeddings - padTokenId - 1 : maxPositionEmbeddings;
}

void TransformerConfig::validate(const std::string &path) const
{
    auto positive = [&](int value, const char *key) {
        if (value <= 0)
            throw Error(locate(
                path, 0, 0, std::string("\"") + key + "\" must be positive, found " + std::to_string(value)));
    };
    positive(vocabSize, "vocab_size");
    positive(hiddenSize, "hidden_size");
    positive(numHiddenLayers, "num_hidden_layers");
    positive(numAttentionHeads, "num_attention_heads");
    positive(intermediateSize, "intermediate_size");
    positive(maxPositionEmbeddings, "max_position_embeddings");
    positive(typeVocabSize, "type_vocab_size");
    if (hiddenSize % numAttentionHeads != 0)
        throw Error(locate(path, 0, 0,
            "hidden_size " + std::to_string(hiddenSize) + " is not a multiple of num_attention_heads "
                + std::to_string(numAttentionHeads)));
    if (padTokenId < 0 || padTokenId >= vocabSize)
        throw Error(
            locate(path, 0, 0, "pad_token_id " + std::to_string(padTokenId) + " is outside the vocabulary"));
    if (usablePositions() <= 0)
        throw Error(locate(path, 0, 0, "max_position_embeddings leaves no usable positions"));
    if (!(layerNormEps > 0))
        throw Error(locate(path, 0, 0, "\"layer_norm_eps\" must be positive"));
    for (double p : { hiddenDropoutProb, attentionProbsDropoutProb })
        if (!(p >= 0 && p < 1))
            throw Error(locate(path, 0, 0, "dropout probabilities must lie in [0, 1)"));
}

TransformerConfig TransformerConfig::fromJson(const json &object, const std::string &path)
{
    requireObject(object, path);
    TransformerConfig c;
    c.original = object;
    const json *type = findValue(object, "model_type");
    if (!type || !type->is_string())
        throw Error(locate(path, 0, 0,
            "no \"model_type\"; Pairtune reads BERT (\"bert\") and XLM-RoBERTa (\"xlm-roberta\") "
            "models"));
    c.modelType = type->get<std::string>();
    // A model that brings its own modelling code (auto_map, e.g. jina-embeddings-v2 under model_type
    // "bert") computes something else than BertModel with the same config.
    if (const json *autoMap = findValue(object, "auto_map"); autoMap && autoMap->is_object()
        && (autoMap->contains("AutoModel") || autoMap->contains("AutoConfig")))
        throw Error(locate(path, 0, 0,
            "the model needs custom modelling code (\"auto_map\": " + autoMap->dump()
                + "); Python loads it only with trust_remote_code=True, and Pairtune never runs code "
                  "from a model folder"));
    if (c.modelType != "bert" && c.modelType != "xlm-roberta")
        throw Error(locate(path, 0, 0,
            "model_type \"" + c.modelType
                + "\" is not supported; Pairtune supports \"bert\" and \"xlm-roberta\""));
    const bool xlmr = c.isXlmRoberta();
    c.vocabSize = intValue(object, "vocab_size", 30522, path);
    c.hiddenSize = intValue(object, "hidden_size", 768, path);
    c.numHiddenLayers = intValue(object, "num_hidden_layers", 12, path);
    c.numAttentionHeads = intValue(object, "num_attention_heads", 12, path);
    c.intermediateSize = intValue(object, "intermediate_size", 3072, path);
    c.hiddenAct = stringValue(object, "hidden_act", "gelu", path);
    if (c.hiddenAct == "gelu_python")
        c.hiddenAct = "gelu"; // the same erf formula written in Python
    if (c.hiddenAct == "gelu_pytorch_tanh")
        c.hiddenAct = "gelu_new"; // the same tanh approximation
    if (c.hiddenAct != "gelu" && c.hiddenAct != "gelu_new" && c.hiddenAct != "relu")
        throw Error(locate(
            path, 0, 0, "hidden_act \"" + c.hiddenAct + "\" is not supported; use gelu, gelu_new or relu"));
    c.hiddenDropoutProb = doubleValue(object, "hidden_dropout_prob", 0.1, path);
    c.attentionProbsDropoutProb = doubleValue(object, "attention_probs_dropout_prob", 0.1, path);
    c.maxPositionEmbeddings = intValue(object, "max_position_embeddings", 512, path);
    c.typeVocabSize = intValue(object, "type_vocab_size", 2, path);
    c.initializerRange = doubleValue(object, "initializer_range", 0.02, path);
    c.layerNormEps = doubleValue(object, "layer_norm_eps", 1e-12, path);
    c.padTokenId = intValue(object, "pad_token_id", xlmr ? 1 : 0, path);
    if (findValue(object, "bos_token_id") || xlmr)
        c.bosTokenId = intValue(object, "bos_token_id", 0, path);
    if (findValue(object, "eos_token_id") || xlmr)
        c.eosTokenId = intValue(object, "eos_token_id", 2, path);
    const std::string positions = stringValue(object, "position_embedding_type", "absolute", path);
    if (positions != "absolute")
        throw Error(locate(path, 0, 0,
            "position_embedding_type \"" + positions + "\" is not supported; only \"absolute\" is"));
    c.validate(path);
    return c;
}

json TransformerConfig::toJson(const std::string &torchDtype) const
{
    json out = original.is_object() ? original : json::object();
    out.erase("dtype"); // newer transformers' name for torch_dtype; keep one spelling
    out["model_type"] = modelType;
    out["architectures"] = json::array({ isXlmRoberta() ? "XLMRobertaModel" : "BertModel" });
    out["vocab_size"] = vocabSize;
    out["hidden_size"] = hiddenSize;
    out["num_hidden_layers"] = numHiddenLayers;
    out["num_attention_heads"] = numAttentionHeads;
    out["intermediate_size"] = intermediateSize;
    out["hidden_act"] = hiddenAct;
    out["hidden_dropout_prob"] = hiddenDropoutProb;
    out["attention_probs_dropout_prob"] = attentionProbsDropoutProb;
    out["max_position_embeddings"] = maxPositionEmbeddings;
    out["type_vocab_size"] = typeVocabSize;
    out["initializer_range"] = initializerRange;
    out["layer_norm_eps"] = layerNormEps;
    out["pad_token_id"] = padTokenId;
    if (bosTokenId)
        out["bos_token_id"] = *bosTokenId;
    if (eosTokenId)
        out["eos_token_id"] = *eosTokenId;
    out["position_embedding_type"] = "absolute";
    if (!out.contains("use_cache"))
        out["use_cache"] = true;
    if (!out.contains("classifier_dropout"))
        out["classifier_dropout"] = nullptr;
    out["torch_dtype"] = torchDtype;
    out["transformers_version"] = kTransformersVersion;
    return out;
}

// ---------------------------------------------------------------------------------------------
// PoolingConfig

int PoolingConfig::modeCount() const
{
    return int(clsToken) + int(maxTokens) + int(meanTokens) + int(meanSqrtLenTokens) + int(weightedMeanTokens)
        + int(lastToken);
}

std::string PoolingConfig::modeName() const
{
    std::string name;
    auto add = [&](bool on, const char *mode) {
        if (!on)
            return;
        if (!name.empty())
            name += '+';
        name += mode;
    };
    add(clsToken, "cls");
    add(maxTokens, "max");
    add(meanTokens, "mean");
    add(meanSqrtLenTokens, "mean_sqrt_len_tokens");
    add(weightedMeanTokens, "weightedmean");
    add(lastToken, "lasttoken");
    return name;
}

PoolingConfig PoolingConfig::fromModes(const std::string &modes, int dimension)
{
    PoolingConfig c;
    c.wordEmbeddingDimension = dimension;
    c.meanTokens = false;
    std::size_t start = 0;
    while (start <= modes.size()) {
        std::size_t end = modes.find_first_of("+,", start);
        if (end == std::string::npos)
            end = modes.size();
        const std::string mode = modes.substr(start, end - start);
        if (mode == "cls" || mode == "cls_token")
            c.clsToken = true;
        else if (mode == "mean" || mode == "mean_tokens")
            c.meanTokens = true;
        else if (mode == "max" || mode == "max_tokens")
            c.maxTokens = true;
        else if (mode == "mean_sqrt_len_tokens" || mode == "mean_sqrt_len")
            c.meanSqrtLenTokens = true;
        else if (mode == "weightedmean" || mode == "weightedmean_tokens")
            c.weightedMeanTokens = true;
        else if (mode == "lasttoken")
            c.lastToken = true;
        else
            throw Error("unknown pooling mode \"" + mode
                + "\"; use cls, mean, max, mean_sqrt_len_tokens, weightedmean or lasttoken (join several "
                  "with '+')");
        start = end + 1;
    }
    return c;
}

PoolingConfig PoolingConfig::fromJson(const json &object, const std::string &path)
{
    requireObject(object, path);
    PoolingConfig c;
    // 5.4+ write "embedding_dimension"; Pooling.config_key_renames maps the older name onto it
    // (the new one wins when a file has both).
    const char *dimKey
        = findValue(object, "embedding_dimension") ? "embedding_dimension" : "word_embedding_dimension";
    if (!findValue(object, dimKey))
        throw Error(
            locate(path, 0, 0, "\"embedding_dimension\" (or \"word_embedding_dimension\") is missing"));
    c.wordEmbeddingDimension = intValue(object, dimKey, 0, path);
    c.clsToken = boolValue(object, "pooling_mode_cls_token", false, path);
    c.meanTokens = boolValue(object, "pooling_mode_mean_tokens", true, path);
    c.maxTokens = boolValue(object, "pooling_mode_max_tokens", false, path);
    c.meanSqrtLenTokens = boolValue(object, "pooling_mode_mean_sqrt_len_tokens", false, path);
    c.weightedMeanTokens = boolValue(object, "pooling_mode_weightedmean_tokens", false, path);
    c.lastToken = boolValue(object, "pooling_mode_lasttoken", false, path);
    c.includePrompt = boolValue(object, "include_prompt", true, path);
    // "pooling_mode" replaces the flags: one name (Pooling(pooling_mode="cls") up to 5.3, and what 5.4+
    // write for one mode) or, from 5.4, a list whose order is the concatenation order.
    if (const json *modes = findValue(object, "pooling_mode")) {
        std::vector<std::string> names;
        if (modes->is_string())
            names.push_back(modes->get<std::string>());
        else if (modes->is_array() && !modes->empty()
            && std::all_of(modes->begin(), modes->end(), [](const json &m) { return m.is_string(); }))
            for (const json &m : *modes)
                names.push_back(m.get<std::string>());
        else
            wrongType(path, "pooling_mode", "a mode name or a non-empty list of mode names");
        std::string joined;
        for (const std::string &name : names) {
            if (name.find_first_of("+,") != std::string::npos)
                throw Error(locate(path, 0, 0, "\"pooling_mode\" \"" + name + "\" names more than one mode"));
            joined += (joined.empty() ? "" : "+") + name;
        }
        const PoolingConfig parsed = fromModes(joined, c.wordEmbeddingDimension);
        // Pairtune concatenates in Pooling's classic order (cls, max, mean, mean_sqrt_len_tokens,
        // weightedmean, lasttoken); a list in another order or with repeats gives other vectors.
        if (parsed.modeCount() != int(names.size()) || parsed.modeName() != joined)
            throw Error(locate(path, 0, 0,
                "\"pooling_mode\" " + modes->dump()
                    + " is not supported: Pairtune concatenates pooled "
                      "vectors in the order cls, max, mean, mean_sqrt_len_tokens, weightedmean, lasttoken, "
                      "each once"));
        c.clsToken = parsed.clsToken;
        c.meanTokens = parsed.meanTokens;
        c.maxTokens = parsed.maxTokens;
        c.meanSqrtLenTokens = parsed.meanSqrtLenTokens;
        c.weightedMeanTokens = parsed.weightedMeanTokens;
        c.lastToken = parsed.lastToken;
    }
    if (c.wordEmbeddingDimension <= 0)
        throw Error(locate(path, 0, 0, std::string("\"") + dimKey + "\" must be positive"));
    if (c.modeCount() == 0)
        throw Error(locate(path, 0, 0, "no pooling mode is enabled"));
    return c;
}

nlohmann::ordered_json PoolingConfig::toJson() const
{
    // The keys sentence-transformers 2.0-2.2 know, in Pooling.config_keys order; the later ones only
    // when they differ from their defaults: 2.0-2.3 build Pooling(**config) and reject keys they do
    // not know, and every later release reads a missing key as its default.
    nlohmann::ordered_json out;
    out["word_embedding_dimension"] = wordEmbeddingDimension;
    out["pooling_mode_cls_token"] = clsToken;
    out["pooling_mode_mean_tokens"] = meanTokens;
    out["pooling_mode_max_tokens"] = maxTokens;
    out["pooling_mode_mean_sqrt_len_tokens"] = meanSqrtLenTokens;
    if (weightedMeanTokens)
        out["pooling_mode_weightedmean_tokens"] = true;
    if (lastToken)
        out["pooling_mode_lasttoken"] = true;
    if (!includePrompt)
        out["include_prompt"] = false;
    return out;
}

// ---------------------------------------------------------------------------------------------
// DenseConfig

namespace {
constexpr const char *kTanh = "torch.nn.modules.activation.Tanh";
constexpr const char *kIdentity = "torch.nn.modules.linear.Identity";
} // namespace

bool DenseConfig::isTanh() const
{
    return activationFunction == kTanh;
}

DenseConfig DenseConfig::fromJson(const json &object, const std::string &path)
{
    requireObject(object, path);
    DenseConfig c;
    if (!findValue(object, "in_features") || !findValue(object, "out_features"))
        throw Error(locate(path, 0, 0, "\"in_features\" and \"out_features\" are required"));
    c.inFeatures = intValue(object, "in_features", 0, path);
    c.outFeatures = intValue(object, "out_features", 0, path);
    if (c.inFeatures <= 0 || c.outFeatures <= 0)
        throw Error(locate(path, 0, 0, "\"in_features\" and \"out_features\" must be positive"));
    c.bias = boolValue(object, "bias", true, path);
    // 5.4+ keys: which feature the layer reads and writes, and (5.7+) a residual connection.
    for (const char *key : { "module_input_name", "module_output_name" })
        if (stringValue(object, key, "sentence_embedding", path) != "sentence_embedding")
            throw Error(locate(path, 0, 0,
                std::string("\"") + key
                    + "\" must be \"sentence_embedding\"; Pairtune applies Dense to the "
                      "pooled sentence embedding only"));
    if (boolValue(object, "use_residual", false, path))
        throw Error(locate(path, 0, 0, "\"use_residual\": true is not supported"));
    std::string act = stringValue(object, "activation_function", kTanh, path);
    // import_from_string resolves the torch.nn re-exports to the same classes.
    if (act == "torch.nn.Tanh")
        act = kTanh;
    if (act == "torch.nn.Identity" || act == "torch.nn.modules.Identity")
        act = kIdentity;
    if (act == "torch.nn.modules.Tanh")
        act = kTanh;
    if (act != kTanh && act != kIdentity)
        throw Error(locate(path, 0, 0,
            "activation_function \"" + act + "\" is not supported; use " + kTanh + " or " + kIdentity));
    c.activationFunction = act;
    return c;
}

nlohmann::ordered_json DenseConfig::toJson() const
{
    nlohmann::ordered_json out;
    out["in_features"] = inFeatures;
    out["out_features"] = outFeatures;
    out["bias"] = bias;
    out["activation_function"] = activationFunction;
    return out;
}

// ---------------------------------------------------------------------------------------------
// Normalize

void checkNormalizeConfig(const json &object, const std::string &path)
{
    requireObject(object, path);
    for (const char *key : { "module_input_name", "module_output_name" })
        if (stringValue(object, key, "sentence_embedding", path) != "sentence_embedding")
            throw Error(locate(path, 0, 0,
                std::string("\"") + key
                    + "\" must be \"sentence_embedding\"; Pairtune normalizes the "
                      "sentence embedding only"));
}

// ---------------------------------------------------------------------------------------------
// SentenceTransformersConfig

SentenceTransformersConfig SentenceTransformersConfig::fromJson(
    const nlohmann::ordered_json &ordered, const std::string &path)
{
    if (!ordered.is_object())
        throw Error(locate(path, 0, 0, "expected a JSON object"));
    const json object = json::parse(ordered.dump());
    SentenceTransformersConfig c;
    c.similarityFnName = stringValue(object, "similarity_fn_name", "cosine", path);
    if (c.similarityFnName != "cosine" && c.similarityFnName != "dot" && c.similarityFnName != "euclidean"
        && c.similarityFnName != "manhattan")
        throw Error(locate(path, 0, 0,
            "similarity_fn_name \"" + c.similarityFnName
                + "\" is unknown; use cosine, dot, euclidean or manhattan"));
    if (const json *prompts = findValue(object, "prompts")) {
        if (!prompts->is_object())
            wrongType(path, "prompts", "an object");
        c.prompts = nlohmann::ordered_json::object();
        for (const auto &[name, text] : ordered.at("prompts").items()) { // keeps the file's order
            if (!text.is_string())
                throw Error(locate(path, 0, 0, "prompt \"" + name + "\" must be a string"));
            c.prompts[name] = text.get<std::string>();
        }
    } else {
        c.prompts = nlohmann::ordered_json::object(); // files before v2.4 have no prompts
    }
    if (const json *name = findValue(object, "default_prompt_name")) {
        if (!name->is_string())
            wrongType(path, "default_prompt_name", "a string or null");
        c.defaultPromptName = name->get<std::string>();
    }
    return c;
}

nlohmann::ordered_json SentenceTransformersConfig::toJson(const std::string &torchVersion) const
{
    nlohmann::ordered_json out;
    out["model_type"] = "SentenceTransformer";
    out["__version__"] = nlohmann::ordered_json { { "sentence_transformers", kSentenceTransformersVersion },
        { "transformers", kTransformersVersion }, { "pytorch", torchVersion }, { "pairtune", kVersion } };
    out["prompts"] = prompts;
    out["default_prompt_name"] = defaultPromptName;
    out["similarity_fn_name"] = similarityFnName;
    return out;
}

} // namespace pairtune
