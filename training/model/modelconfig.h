#pragma once

// Torch-free descriptions of the parts of a sentence-transformers folder (docs/formats.md §1):
// the transformer's config.json, sentence_bert_config.json, 1_Pooling/config.json, Dense configs and
// config_sentence_transformers.json. Each parses the JSON Python writes (missing keys take the Python
// defaults) and writes it back the way Python does.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pairtune {

// config.json of the transformer, for every encoder family Pairtune computes (encoderfamily.h): the
// values every family has, under BertConfig's names (each family maps its own keys onto them, e.g.
// DistilBERT's "dim" is hiddenSize), plus a block per family for the keys only that family has. Every
// value is read from the file; defaults are the family's config class defaults (docs/formats.md §1.7).
struct TransformerConfig
{
    std::string modelType = "bert"; // config.json model_type: "bert", "xlm-roberta", "roberta", "distilbert"
    int vocabSize = 30522;
    int hiddenSize = 768;
    int numHiddenLayers = 12;
    int numAttentionHeads = 12;
    int intermediateSize = 3072;
    std::string hiddenAct = "gelu"; // gelu (erf), gelu_new (tanh), relu
    double hiddenDropoutProb = 0.1;
    double attentionProbsDropoutProb = 0.1;
    int maxPositionEmbeddings = 512;
    int typeVocabSize = 2; // 0: no token type table (DistilBERT)
    double initializerRange = 0.02;
    double layerNormEps = 1e-12;
    int padTokenId = 0;
    std::optional<int> bosTokenId; // written for xlm-roberta / roberta
    std::optional<int> eosTokenId;
    // MPNet: rows of encoder.relative_attention_bias (relative_attention_num_buckets; MPNet looks up
    // the first 32 whatever the value).
    int relativeAttentionNumBuckets = 32;
    // DistilBERT's sinusoidal_pos_embds: the position table is the fixed sin/cos table (requires_grad
    // False in transformers): loaded from the weights when there, computed when missing, never trained,
    // still saved.
    bool sinusoidalPositions = false;
    // ModernBERT (ModernBertConfig's keys): hiddenDropoutProb is its mlp_dropout and
    // attentionProbsDropoutProb its attention_dropout; layerNormEps is norm_eps.
    struct ModernBert
    {
        bool normBias = false;
        bool attentionBias = false;
        bool mlpBias = false;
        int globalAttnEveryNLayers = 3; // layer i attends globally when i % n == 0
        int localAttention = 128; // sliding window: each token sees keys within localAttention / 2
        double globalRopeTheta = 160000.0;
        double localRopeTheta = 10000.0;
        double embeddingDropout = 0.0;
        double initializerCutoffFactor = 2.0;
    } modernBert;
    // The file as read: keys Pairtune does not model (e.g. _name_or_path) are written back unchanged.
    nlohmann::json original = nlohmann::json::object();

    // Whether the tokenizer's token type ids go into the model (BERT); the other families take none
    // (XLM-R / RoBERTa still add row 0 of their one-row table).
    bool takesTokenTypes() const { return modelType == "bert"; }
    // RoBERTa-style positions: real tokens count from pad_token_id + 1, padding sits at pad_token_id.
    // (MPNet too, with padding_idx fixed at 1 = its pad_token_id.)
    bool positionsFromPadding() const
    {
        return modelType == "xlm-roberta" || modelType == "roberta" || modelType == "mpnet";
    }
    // The transformers class a base model of this family is (config.json "architectures").
    std::string architecture() const;
    // Longest input the position table allows: RoBERTa-style positions start at pad_token_id + 1.
    int usablePositions() const;
    // Sizes every weight must have; throws pairtune::Error (naming path) on inconsistent values.
    void validate(const std::string &path) const;

    static TransformerConfig fromJson(const nlohmann::json &json, const std::string &path);
    // config.json as transformers' save_pretrained writes it for the family (sorted keys, the family's
    // own key names and "architectures"; write with indent 2).
    nlohmann::json toJson(const std::string &torchDtype) const;
};

// 1_Pooling/config.json. Missing mode keys take Pooling.__init__ defaults: only mean is on. Reads the
// legacy flags (2.x-5.3) and 5.4+'s "embedding_dimension" with a "pooling_mode" name or list.
struct PoolingConfig
{
    int wordEmbeddingDimension = 0;
    bool clsToken = false;
    bool meanTokens = true;
    bool maxTokens = false;
    bool meanSqrtLenTokens = false;
    bool weightedMeanTokens = false;
    bool lastToken = false;
    bool includePrompt = true;

    int modeCount() const;
    int outputDimension() const { return modeCount() * wordEmbeddingDimension; }
    // "cls+mean" style, in Pooling.forward's concatenation order.
    std::string modeName() const;

    // modes: one name or several joined with '+' or ',' (cls, mean, max, mean_sqrt_len_tokens,
    // weightedmean, lasttoken; "mean_tokens", "max_tokens", "cls_token" are accepted too).
    static PoolingConfig fromModes(const std::string &modes, int dimension);
    static PoolingConfig fromJson(const nlohmann::json &json, const std::string &path);
    // The 2.0 keys in Pooling.config_keys order, plus weightedmean / lasttoken / include_prompt only
    // when not at their defaults, so every release from 2.0 loads what it can express (indent 4).
    nlohmann::ordered_json toJson() const;
};

// N_Dense/config.json: act(x W^T + b).
struct DenseConfig
{
    int inFeatures = 0;
    int outFeatures = 0;
    bool bias = true;
    std::string activationFunction = "torch.nn.modules.activation.Tanh";

    bool isTanh() const;
    static DenseConfig fromJson(const nlohmann::json &json, const std::string &path);
    nlohmann::ordered_json toJson() const;
};

// N_Normalize/config.json, which 6.0+ write ({"module_input_name": "sentence_embedding", ...});
// throws pairtune::Error naming path when it normalizes anything but the sentence embedding.
void checkNormalizeConfig(const nlohmann::json &json, const std::string &path);

// config_sentence_transformers.json (optional file).
struct SentenceTransformersConfig
{
    std::string similarityFnName = "cosine"; // cosine, dot, euclidean, manhattan
    nlohmann::ordered_json prompts = nlohmann::ordered_json { { "query", "" }, { "document", "" } };
    nlohmann::ordered_json defaultPromptName = nullptr;

    static SentenceTransformersConfig fromJson(const nlohmann::ordered_json &json, const std::string &path);
    // The v5 layout; torchVersion goes into __version__.pytorch.
    nlohmann::ordered_json toJson(const std::string &torchVersion) const;
};

// The version strings written into saved files, in the style of a current Python stack.
inline constexpr const char *kSentenceTransformersVersion = "5.1.0";
inline constexpr const char *kTransformersVersion = "4.44.2";

} // namespace pairtune
