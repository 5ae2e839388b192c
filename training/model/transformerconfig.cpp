// TransformerConfig (modelconfig.h) and the encoder families' config.json layouts (encoderfamily.h).

#include "core/error.h"
#include "io/jsonfields.h"
#include "model/encoderfamily.h"
#include "model/modelconfig.h"

#include <array>
#include <utility>

namespace pairtune {
namespace {

using nlohmann::json;
using namespace jsonfields;

// The activations the encoders compute; transformers' aliases of the same formulas are folded in.
std::string readActivation(const json &object, const char *key, const std::string &path)
{
    std::string act = stringOr(object, key, "gelu", path);
    if (act == "gelu_python")
        act = "gelu"; // the same erf formula written in Python
    if (act == "gelu_pytorch_tanh")
        act = "gelu_new"; // the same tanh approximation
    if (act != "gelu" && act != "gelu_new" && act != "relu")
        throw Error(locate(
            path, 0, 0, std::string(key) + " \"" + act + "\" is not supported; use gelu, gelu_new or relu"));
    return act;
}

// BertConfig, XLMRobertaConfig and RobertaConfig: the same keys, different defaults.
void readBertKeys(TransformerConfig &c, const json &object, const std::string &path, int defaultVocab,
    int defaultPad, bool specialIds)
{
    c.vocabSize = intOr(object, "vocab_size", defaultVocab, path);
    c.hiddenSize = intOr(object, "hidden_size", 768, path);
    c.numHiddenLayers = intOr(object, "num_hidden_layers", 12, path);
    c.numAttentionHeads = intOr(object, "num_attention_heads", 12, path);
    c.intermediateSize = intOr(object, "intermediate_size", 3072, path);
    c.hiddenAct = readActivation(object, "hidden_act", path);
    c.hiddenDropoutProb = doubleOr(object, "hidden_dropout_prob", 0.1, path);
    c.attentionProbsDropoutProb = doubleOr(object, "attention_probs_dropout_prob", 0.1, path);
    c.maxPositionEmbeddings = intOr(object, "max_position_embeddings", 512, path);
    c.typeVocabSize = intOr(object, "type_vocab_size", 2, path);
    c.initializerRange = doubleOr(object, "initializer_range", 0.02, path);
    c.layerNormEps = doubleOr(object, "layer_norm_eps", 1e-12, path);
    c.padTokenId = intOr(object, "pad_token_id", defaultPad, path);
    if (jsonfields::find(object, "bos_token_id") || specialIds)
        c.bosTokenId = intOr(object, "bos_token_id", 0, path);
    if (jsonfields::find(object, "eos_token_id") || specialIds)
        c.eosTokenId = intOr(object, "eos_token_id", 2, path);
    const std::string positions = stringOr(object, "position_embedding_type", "absolute", path);
    if (positions != "absolute")
        throw Error(locate(path, 0, 0,
            "position_embedding_type \"" + positions + "\" is not supported; only \"absolute\" is"));
}

void readBert(TransformerConfig &c, const json &object, const std::string &path)
{
    readBertKeys(c, object, path, 30522, 0, false);
}

void readXlmRoberta(TransformerConfig &c, const json &object, const std::string &path)
{
    readBertKeys(c, object, path, 30522, 1, true);
}

void readRoberta(TransformerConfig &c, const json &object, const std::string &path)
{
    readBertKeys(c, object, path, 50265, 1, true);
}

void writeBert(const TransformerConfig &c, json &out)
{
    out["vocab_size"] = c.vocabSize;
    out["hidden_size"] = c.hiddenSize;
    out["num_hidden_layers"] = c.numHiddenLayers;
    out["num_attention_heads"] = c.numAttentionHeads;
    out["intermediate_size"] = c.intermediateSize;
    out["hidden_act"] = c.hiddenAct;
    out["hidden_dropout_prob"] = c.hiddenDropoutProb;
    out["attention_probs_dropout_prob"] = c.attentionProbsDropoutProb;
    out["max_position_embeddings"] = c.maxPositionEmbeddings;
    out["type_vocab_size"] = c.typeVocabSize;
    out["initializer_range"] = c.initializerRange;
    out["layer_norm_eps"] = c.layerNormEps;
    out["pad_token_id"] = c.padTokenId;
    if (c.bosTokenId)
        out["bos_token_id"] = *c.bosTokenId;
    if (c.eosTokenId)
        out["eos_token_id"] = *c.eosTokenId;
    out["position_embedding_type"] = "absolute";
    if (!out.contains("use_cache"))
        out["use_cache"] = true;
    if (!out.contains("classifier_dropout"))
        out["classifier_dropout"] = nullptr;
}

// DistilBertConfig: its own key names (attribute_map: hidden_size = dim, num_attention_heads = n_heads,
// num_hidden_layers = n_layers), no token types, every LayerNorm with eps 1e-12.
void readDistilBert(TransformerConfig &c, const json &object, const std::string &path)
{
    c.vocabSize = intOr(object, "vocab_size", 30522, path);
    c.maxPositionEmbeddings = intOr(object, "max_position_embeddings", 512, path);
    c.sinusoidalPositions = boolOr(object, "sinusoidal_pos_embds", false, path);
    c.numHiddenLayers = intOr(object, "n_layers", 6, path);
    c.numAttentionHeads = intOr(object, "n_heads", 12, path);
    c.hiddenSize = intOr(object, "dim", 768, path);
    c.intermediateSize = intOr(object, "hidden_dim", 4 * 768, path);
    c.hiddenDropoutProb = doubleOr(object, "dropout", 0.1, path);
    c.attentionProbsDropoutProb = doubleOr(object, "attention_dropout", 0.1, path);
    c.hiddenAct = readActivation(object, "activation", path);
    c.initializerRange = doubleOr(object, "initializer_range", 0.02, path);
    c.padTokenId = intOr(object, "pad_token_id", 0, path);
    c.typeVocabSize = 0;
    c.layerNormEps = 1e-12;
}

void writeDistilBert(const TransformerConfig &c, json &out)
{
    out["vocab_size"] = c.vocabSize;
    out["max_position_embeddings"] = c.maxPositionEmbeddings;
    out["sinusoidal_pos_embds"] = c.sinusoidalPositions;
    out["n_layers"] = c.numHiddenLayers;
    out["n_heads"] = c.numAttentionHeads;
    out["dim"] = c.hiddenSize;
    out["hidden_dim"] = c.intermediateSize;
    out["dropout"] = c.hiddenDropoutProb;
    out["attention_dropout"] = c.attentionProbsDropoutProb;
    out["activation"] = c.hiddenAct;
    out["initializer_range"] = c.initializerRange;
    out["pad_token_id"] = c.padTokenId;
    if (!out.contains("qa_dropout"))
        out["qa_dropout"] = 0.1;
    if (!out.contains("seq_classif_dropout"))
        out["seq_classif_dropout"] = 0.2;
}

// MPNetConfig: BERT's keys without token types or position_embedding_type, plus
// relative_attention_num_buckets; the defaults of MPNetConfig.__init__ (vocab 30527, pad 1, bos 0, eos 2).
void readMPNet(TransformerConfig &c, const json &object, const std::string &path)
{
    c.vocabSize = intOr(object, "vocab_size", 30527, path);
    c.hiddenSize = intOr(object, "hidden_size", 768, path);
    c.numHiddenLayers = intOr(object, "num_hidden_layers", 12, path);
    c.numAttentionHeads = intOr(object, "num_attention_heads", 12, path);
    c.intermediateSize = intOr(object, "intermediate_size", 3072, path);
    c.hiddenAct = readActivation(object, "hidden_act", path);
    c.hiddenDropoutProb = doubleOr(object, "hidden_dropout_prob", 0.1, path);
    c.attentionProbsDropoutProb = doubleOr(object, "attention_probs_dropout_prob", 0.1, path);
    c.maxPositionEmbeddings = intOr(object, "max_position_embeddings", 512, path);
    c.initializerRange = doubleOr(object, "initializer_range", 0.02, path);
    c.layerNormEps = doubleOr(object, "layer_norm_eps", 1e-12, path);
    c.relativeAttentionNumBuckets = intOr(object, "relative_attention_num_buckets", 32, path);
    c.padTokenId = intOr(object, "pad_token_id", 1, path);
    c.bosTokenId = intOr(object, "bos_token_id", 0, path);
    c.eosTokenId = intOr(object, "eos_token_id", 2, path);
    c.typeVocabSize = 0;
    // MPNetEmbeddings numbers positions from its fixed padding_idx 1, and MPNetEncoder looks up 32
    // relative-position buckets whatever the table holds: other values would index outside it.
    if (c.padTokenId != 1)
        throw Error(locate(path, 0, 0,
            "pad_token_id " + std::to_string(c.padTokenId)
                + " is not supported for MPNet: MPNetModel pads and numbers positions with id 1"));
    if (c.relativeAttentionNumBuckets < 32)
        throw Error(locate(path, 0, 0,
            "relative_attention_num_buckets " + std::to_string(c.relativeAttentionNumBuckets)
                + " is too small: MPNetModel looks up 32 relative-position buckets"));
}

void writeMPNet(const TransformerConfig &c, json &out)
{
    out["vocab_size"] = c.vocabSize;
    out["hidden_size"] = c.hiddenSize;
    out["num_hidden_layers"] = c.numHiddenLayers;
    out["num_attention_heads"] = c.numAttentionHeads;
    out["intermediate_size"] = c.intermediateSize;
    out["hidden_act"] = c.hiddenAct;
    out["hidden_dropout_prob"] = c.hiddenDropoutProb;
    out["attention_probs_dropout_prob"] = c.attentionProbsDropoutProb;
    out["max_position_embeddings"] = c.maxPositionEmbeddings;
    out["initializer_range"] = c.initializerRange;
    out["layer_norm_eps"] = c.layerNormEps;
    out["relative_attention_num_buckets"] = c.relativeAttentionNumBuckets;
    out["pad_token_id"] = c.padTokenId;
    out["bos_token_id"] = c.bosTokenId.value_or(0);
    out["eos_token_id"] = c.eosTokenId.value_or(2);
}

// ModernBertConfig (transformers' configuration_modernbert.py): its own key names (hidden_activation,
// norm_eps, *_bias, *_dropout), the defaults of ModernBertConfig.__init__ (answerdotai/ModernBERT-base),
// the sliding-window pattern (global_attn_every_n_layers, local_attention) and the two RoPE bases, read
// from global_rope_theta / local_rope_theta as Hub checkpoints write them or from newer transformers'
// rope_parameters {"full_attention": {...}, "sliding_attention": {...}}.
void readModernBert(TransformerConfig &c, const json &object, const std::string &path)
{
    TransformerConfig::ModernBert &m = c.modernBert;
    c.vocabSize = intOr(object, "vocab_size", 50368, path);
    c.hiddenSize = intOr(object, "hidden_size", 768, path);
    c.numHiddenLayers = intOr(object, "num_hidden_layers", 22, path);
    c.numAttentionHeads = intOr(object, "num_attention_heads", 12, path);
    c.intermediateSize = intOr(object, "intermediate_size", 1152, path);
    c.hiddenAct = readActivation(object, "hidden_activation", path);
    c.maxPositionEmbeddings = intOr(object, "max_position_embeddings", 8192, path);
    c.initializerRange = doubleOr(object, "initializer_range", 0.02, path);
    c.layerNormEps = doubleOr(object, "norm_eps", 1e-5, path);
    c.padTokenId = intOr(object, "pad_token_id", 50283, path);
    c.bosTokenId = intOr(object, "bos_token_id", 50281, path);
    c.eosTokenId = intOr(object, "eos_token_id", 50282, path);
    c.typeVocabSize = 0;
    c.attentionProbsDropoutProb = doubleOr(object, "attention_dropout", 0.0, path);
    c.hiddenDropoutProb = doubleOr(object, "mlp_dropout", 0.0, path);
    m.embeddingDropout = doubleOr(object, "embedding_dropout", 0.0, path);
    m.normBias = boolOr(object, "norm_bias", false, path);
    m.attentionBias = boolOr(object, "attention_bias", false, path);
    m.mlpBias = boolOr(object, "mlp_bias", false, path);
    m.globalAttnEveryNLayers = intOr(object, "global_attn_every_n_layers", 3, path);
    m.localAttention = intOr(object, "local_attention", 128, path);
    m.globalRopeTheta = doubleOr(object, "global_rope_theta", 160000.0, path);
    m.localRopeTheta = doubleOr(object, "local_rope_theta", 10000.0, path);
    if (const json *local = jsonfields::find(object, "local_rope_theta"); local && local->is_null())
        m.localRopeTheta = m.globalRopeTheta; // transformers < 4.53 used the global base then
    m.initializerCutoffFactor = doubleOr(object, "initializer_cutoff_factor", 2.0, path);
    if (m.globalAttnEveryNLayers <= 0 || m.localAttention < 0)
        throw Error(
            locate(path, 0, 0, "global_attn_every_n_layers must be positive and local_attention >= 0"));
    if (const json *scaling = jsonfields::find(object, "rope_scaling"); scaling && !scaling->is_null())
        throw Error(
            locate(path, 0, 0, "rope_scaling is not supported for ModernBERT; only the default RoPE is"));
    if (const json *rope = jsonfields::find(object, "rope_parameters"); rope && rope->is_object()) {
        for (const auto &[key, theta] : { std::pair { "full_attention", &m.globalRopeTheta },
                 std::pair { "sliding_attention", &m.localRopeTheta } }) {
            const json *entry = jsonfields::find(*rope, key);
            if (!entry || !entry->is_object())
                continue;
            if (stringOr(*entry, "rope_type", "default", path) != "default")
                throw Error(locate(path, 0, 0,
                    std::string("rope_parameters.") + key
                        + ".rope_type is not supported; only \"default\" is"));
            *theta = doubleOr(*entry, "rope_theta", *theta, path);
        }
    }
    // Newer transformers also write layer_types; Pairtune follows global_attn_every_n_layers, which
    // decides the attention window there too, and refuses a list that disagrees with it.
    if (const json *types = jsonfields::find(object, "layer_types"); types && types->is_array()) {
        bool agrees = int(types->size()) == c.numHiddenLayers;
        for (std::size_t i = 0; agrees && i < types->size(); ++i)
            agrees = (*types)[i]
                == (i % std::size_t(m.globalAttnEveryNLayers) == 0 ? "full_attention" : "sliding_attention");
        if (!agrees)
            throw Error(locate(path, 0, 0,
                "layer_types disagrees with global_attn_every_n_layers; Pairtune computes global attention "
                "in every layer i with i % global_attn_every_n_layers == 0"));
    }
}

void writeModernBert(const TransformerConfig &c, json &out)
{
    const TransformerConfig::ModernBert &m = c.modernBert;
    out["vocab_size"] = c.vocabSize;
    out["hidden_size"] = c.hiddenSize;
    out["num_hidden_layers"] = c.numHiddenLayers;
    out["num_attention_heads"] = c.numAttentionHeads;
    out["intermediate_size"] = c.intermediateSize;
    out["hidden_activation"] = c.hiddenAct;
    out["max_position_embeddings"] = c.maxPositionEmbeddings;
    out["initializer_range"] = c.initializerRange;
    out["initializer_cutoff_factor"] = m.initializerCutoffFactor;
    out["norm_eps"] = c.layerNormEps;
    out["norm_bias"] = m.normBias;
    out["attention_bias"] = m.attentionBias;
    out["mlp_bias"] = m.mlpBias;
    out["attention_dropout"] = c.attentionProbsDropoutProb;
    out["mlp_dropout"] = c.hiddenDropoutProb;
    out["embedding_dropout"] = m.embeddingDropout;
    out["global_attn_every_n_layers"] = m.globalAttnEveryNLayers;
    out["local_attention"] = m.localAttention;
    out["global_rope_theta"] = m.globalRopeTheta;
    out["local_rope_theta"] = m.localRopeTheta;
    if (out.contains("rope_parameters") && out["rope_parameters"].is_object()) {
        json &rope = out["rope_parameters"];
        if (rope.contains("full_attention") && rope["full_attention"].is_object())
            rope["full_attention"]["rope_theta"] = m.globalRopeTheta;
        if (rope.contains("sliding_attention") && rope["sliding_attention"].is_object())
            rope["sliding_attention"]["rope_theta"] = m.localRopeTheta;
    }
    out["pad_token_id"] = c.padTokenId;
    out["bos_token_id"] = c.bosTokenId.value_or(50281);
    out["eos_token_id"] = c.eosTokenId.value_or(50282);
}

constexpr std::array<EncoderFamily, 6> kFamilies { {
    { "bert", "BertModel", "bert.", readBert, writeBert },
    { "xlm-roberta", "XLMRobertaModel", "roberta.", readXlmRoberta, writeBert },
    { "roberta", "RobertaModel", "roberta.", readRoberta, writeBert },
    { "distilbert", "DistilBertModel", "distilbert.", readDistilBert, writeDistilBert },
    { "mpnet", "MPNetModel", "mpnet.", readMPNet, writeMPNet },
    // ModernBertForMaskedLM keeps the base model under base_model_prefix "model".
    { "modernbert", "ModernBertModel", "model.", readModernBert, writeModernBert },
} };

} // namespace

const EncoderFamily *findEncoderFamily(std::string_view modelType)
{
    for (const EncoderFamily &family : kFamilies)
        if (family.modelType == modelType)
            return &family;
    return nullptr;
}

const EncoderFamily &encoderFamily(const TransformerConfig &config)
{
    if (const EncoderFamily *family = findEncoderFamily(config.modelType))
        return *family;
    throw Error("model_type \"" + config.modelType + "\" is not supported; Pairtune supports "
        + supportedModelTypes());
}

std::string supportedModelTypes()
{
    std::string out;
    for (std::size_t i = 0; i < kFamilies.size(); ++i)
        out += (i == 0                             ? "\""
                       : i + 1 == kFamilies.size() ? " and \""
                                                   : ", \"")
            + std::string(kFamilies[i].modelType) + "\"";
    return out;
}

// ---------------------------------------------------------------------------------------------
// TransformerConfig

std::string TransformerConfig::architecture() const
{
    return std::string(encoderFamily(*this).architecture);
}

int TransformerConfig::usablePositions() const
{
    return positionsFromPadding() ? maxPositionEmbeddings - padTokenId - 1 : maxPositionEmbeddings;
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
    if (modelType != "distilbert" && modelType != "mpnet"
        && modelType != "modernbert") // the families without token types
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
    const json *type = jsonfields::find(object, "model_type");
    if (!type || !type->is_string())
        throw Error(
            locate(path, 0, 0, "no \"model_type\"; Pairtune reads " + supportedModelTypes() + " models"));
    c.modelType = type->get<std::string>();
    // A model that brings its own modelling code (auto_map, e.g. jina-embeddings-v2 under model_type
    // "bert") computes something else than BertModel with the same config.
    if (const json *autoMap = jsonfields::find(object, "auto_map"); autoMap && autoMap->is_object()
        && (autoMap->contains("AutoModel") || autoMap->contains("AutoConfig")))
        throw Error(locate(path, 0, 0,
            "the model needs custom modelling code (\"auto_map\": " + autoMap->dump()
                + "); Python loads it only with trust_remote_code=True, and Pairtune never runs code "
                  "from a model folder"));
    const EncoderFamily *family = findEncoderFamily(c.modelType);
    if (!family)
        throw Error(locate(path, 0, 0,
            "model_type \"" + c.modelType + "\" is not supported; Pairtune supports "
                + supportedModelTypes()));
    family->read(c, object, path);
    c.validate(path);
    return c;
}

json TransformerConfig::toJson(const std::string &torchDtype) const
{
    const EncoderFamily &family = encoderFamily(*this);
    json out = original.is_object() ? original : json::object();
    out.erase("dtype"); // newer transformers' name for torch_dtype; keep one spelling
    out["model_type"] = modelType;
    out["architectures"] = json::array({ std::string(family.architecture) });
    family.write(*this, out);
    out["torch_dtype"] = torchDtype;
    out["transformers_version"] = kTransformersVersion;
    return out;
}

} // namespace pairtune
