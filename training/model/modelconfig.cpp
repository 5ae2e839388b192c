#include "model/modelconfig.h"

#include "core/error.h"
#include "io/jsonfields.h"
#include "pairtune/version.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pairtune {
using nlohmann::json;
using namespace jsonfields;

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
    const char *dimKey = jsonfields::find(object, "embedding_dimension") ? "embedding_dimension"
                                                                         : "word_embedding_dimension";
    if (!jsonfields::find(object, dimKey))
        throw Error(
            locate(path, 0, 0, "\"embedding_dimension\" (or \"word_embedding_dimension\") is missing"));
    c.wordEmbeddingDimension = intOr(object, dimKey, 0, path);
    c.clsToken = boolOr(object, "pooling_mode_cls_token", false, path);
    c.meanTokens = boolOr(object, "pooling_mode_mean_tokens", true, path);
    c.maxTokens = boolOr(object, "pooling_mode_max_tokens", false, path);
    c.meanSqrtLenTokens = boolOr(object, "pooling_mode_mean_sqrt_len_tokens", false, path);
    c.weightedMeanTokens = boolOr(object, "pooling_mode_weightedmean_tokens", false, path);
    c.lastToken = boolOr(object, "pooling_mode_lasttoken", false, path);
    c.includePrompt = boolOr(object, "include_prompt", true, path);
    // "pooling_mode" replaces the flags: one name (Pooling(pooling_mode="cls") up to 5.3, and what 5.4+
    // write for one mode) or, from 5.4, a list whose order is the concatenation order.
    if (const json *modes = jsonfields::find(object, "pooling_mode")) {
        std::vector<std::string> names;
        if (modes->is_string())
            names.push_back(modes->get<std::string>());
        else if (modes->is_array() && !modes->empty()
            && std::all_of(modes->begin(), modes->end(), [](const json &m) { return m.is_string(); }))
            for (const json &m : *modes)
                names.push_back(m.get<std::string>());
        else
            wrongType(path, "", "pooling_mode", "a mode name or a non-empty list of mode names", *modes);
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
    if (!jsonfields::find(object, "in_features") || !jsonfields::find(object, "out_features"))
        throw Error(locate(path, 0, 0, "\"in_features\" and \"out_features\" are required"));
    c.inFeatures = intOr(object, "in_features", 0, path);
    c.outFeatures = intOr(object, "out_features", 0, path);
    if (c.inFeatures <= 0 || c.outFeatures <= 0)
        throw Error(locate(path, 0, 0, "\"in_features\" and \"out_features\" must be positive"));
    c.bias = boolOr(object, "bias", true, path);
    // 5.4+ keys: which feature the layer reads and writes, and (5.7+) a residual connection.
    for (const char *key : { "module_input_name", "module_output_name" })
        if (stringOr(object, key, "sentence_embedding", path) != "sentence_embedding")
            throw Error(locate(path, 0, 0,
                std::string("\"") + key
                    + "\" must be \"sentence_embedding\"; Pairtune applies Dense to the "
                      "pooled sentence embedding only"));
    if (boolOr(object, "use_residual", false, path))
        throw Error(locate(path, 0, 0, "\"use_residual\": true is not supported"));
    std::string act = stringOr(object, "activation_function", kTanh, path);
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
        if (stringOr(object, key, "sentence_embedding", path) != "sentence_embedding")
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
    c.similarityFnName = stringOr(object, "similarity_fn_name", "cosine", path);
    if (c.similarityFnName != "cosine" && c.similarityFnName != "dot" && c.similarityFnName != "euclidean"
        && c.similarityFnName != "manhattan")
        throw Error(locate(path, 0, 0,
            "similarity_fn_name \"" + c.similarityFnName
                + "\" is unknown; use cosine, dot, euclidean or manhattan"));
    if (const json *prompts = jsonfields::find(object, "prompts")) {
        if (!prompts->is_object())
            wrongType(path, "", "prompts", "an object", *prompts);
        c.prompts = nlohmann::ordered_json::object();
        for (const auto &[name, text] : ordered.at("prompts").items()) { // keeps the file's order
            if (!text.is_string())
                throw Error(locate(path, 0, 0, "prompt \"" + name + "\" must be a string"));
            c.prompts[name] = text.get<std::string>();
        }
    } else {
        c.prompts = nlohmann::ordered_json::object(); // files before v2.4 have no prompts
    }
    if (const json *name = jsonfields::find(object, "default_prompt_name")) {
        if (!name->is_string())
            wrongType(path, "", "default_prompt_name", "a string or null", *name);
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
