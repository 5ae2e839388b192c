#pragma once

#include "text/tokenizer.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pairtune {

class ModelPrompts; // model/prompts.h

// Row-major float32 matrix: rows × dim.
struct Embeddings
{
    std::size_t rows = 0;
    std::size_t dim = 0;
    std::vector<float> values;

    const float *row(std::size_t i) const { return values.data() + i * dim; }
};

// Sizes and choices for a new, randomly initialised model (pairtune-cli create).
struct CreateOptions
{
    // "bert", "distilbert", "roberta", "xlm-roberta", "mpnet" or "modernbert"
    std::string architecture = "bert";
    std::string vocabPath; // vocab.txt: a WordPiece tokenizer (bert, distilbert; roberta)
    std::string spmPath; // sentencepiece model (xlm-roberta; roberta)
    // A folder with tokenizer files (tokenizer.json first, as a model folder is read): any family's
    // tokenizer; mpnet and modernbert need one.
    std::string tokenizerPath;
    bool sinusoidalPositions = false; // distilbert: sinusoidal_pos_embds (a fixed sin/cos position table)
    bool lowercase = true; // wordpiece: BertNormalizer lowercase/strip accents
    int layers = 2;
    int hidden = 64;
    int heads = 4;
    int intermediate = 128;
    int maxPositions = 512; // xlm-roberta: usable positions; config gets +2
    int maxSeqLength = 128;
    std::string pooling = "mean"; // cls, mean, max, mean_sqrt_len_tokens, weightedmean, lasttoken
    bool normalize = true;
    int denseOut = 0; // > 0 adds a Dense module (Tanh) with this output size
    std::uint64_t seed = 42;
};

// How save() writes a model.
struct SaveOptions
{
    bool float16Weights = false; // F16 safetensors (half the size); config.json says torch_dtype float16
    std::string modelCard; // README.md text; empty = a default card (model/modelcard.h)
};

// What the GUI and `inspect` show about a model.
struct ModelSummary
{
    std::string architecture; // config.json model_type: "bert", "distilbert", "roberta", "xlm-roberta"
    int layers = 0;
    int hidden = 0;
    int heads = 0;
    int intermediate = 0;
    int embeddingDimension = 0; // after pooling and dense
    int maxSeqLength = 0;
    std::size_t vocabSize = 0;
    std::uint64_t parameterCount = 0;
    std::string pooling; // e.g. "mean" or "cls+mean"
    bool normalize = false;
    bool hasDense = false;
    std::string similarity; // "cosine", "dot", ...
    std::string tokenizerKind;
    // What only config.json says, carried here so callers need not read the folder again.
    std::string modelClass; // the transformers class, e.g. "BertModel", "ModernBertModel"
    int maxPositions = 0; // usable positions of the position table (rotary: max_position_embeddings)
    int globalAttentionEvery = 1; // ModernBERT: layer i attends globally when i % n == 0
    int localWindow = 0; // ModernBERT: local layers see keys within localWindow / 2; 0 = none
};

// A sentence-transformers model: Transformer (BERT / XLM-R) → Pooling → [Dense] → [Normalize],
// with its tokenizer. Loading, encoding and saving match Python's SentenceTransformer.
// Not copyable; movable. encode() is const but not safe to call from two threads at once.
class SentenceModel
{
public:
    struct Impl; // torch-side state; see model/sentencemodelimpl.h (engine-private)

    static SentenceModel load(const std::string &folder);
    static SentenceModel create(const CreateOptions &options);

    SentenceModel(SentenceModel &&) noexcept;
    SentenceModel &operator=(SentenceModel &&) noexcept;
    ~SentenceModel();

    // Writes a complete sentence-transformers folder (docs/formats.md §1), atomically: it is staged next
    // to folder and renamed into place. An existing folder is replaced only if it is empty or looks
    // like a model folder (modules.json or config.json), so nothing else gets overwritten.
    void save(const std::string &folder) const;
    void save(const std::string &folder, const SaveOptions &options) const;

    // Embeddings in input order. Texts are sorted by length for batching, as encode() does in Python.
    // Like SentenceTransformer.encode(texts) without prompt arguments, the prompt named by
    // default_prompt_name (config_sentence_transformers.json) is prepended when there is one.
    Embeddings encode(const std::vector<std::string> &texts, std::size_t batchSize = 32) const;
    // encode(texts, prompt=prompt): prompt + text for every text ("" = no prompt, not the default one).
    // When Pooling's include_prompt is false, the prompt's tokens (promptLength) are left out of pooling.
    Embeddings encodeWithPrompt(
        const std::vector<std::string> &texts, const std::string &prompt, std::size_t batchSize = 32) const;

    // From now on encode() runs the encoder's dense layers in int8, dynamically quantised as
    // torch.ao.quantization.quantize_dynamic does (`embed --int8`; model/int8linearimpl.h): vectors within
    // a cosine of 0.999 of float32 (tst_int8embedding), faster where LibTorch has an int8 engine. For a
    // model whose weights no longer change (the int8 weights are packed once). Throws Error where this
    // LibTorch has no fast int8 engine or the model's family has no int8 path (MPNet, ModernBERT).
    void useInt8Inference();
    bool usesInt8Inference() const;
    // Why useInt8Inference() would refuse this model ("" = it would not; e.g. "int8 inference covers the
    // BERT, DistilBERT, RoBERTa and XLM-R families, not mpnet"), so a caller can offer int8
    // only where it runs (the studio's search switch) instead of catching the refusal.
    std::string int8Refusal() const;
    // encode() back in float32, as loaded (the packed int8 weights are dropped; useInt8Inference packs
    // them again): the studio turns its int8 search off without loading the model again.
    void useFloat32Inference();

    // The folder's prompts, as SentenceTransformer holds them after loading (model/prompts.h); a created
    // model has the empty "query" and "document" ones.
    const ModelPrompts &prompts() const;
    // Tokens of prompt that include_prompt false leaves out of pooling (sentence-transformers'
    // _get_prompt_length: the prompt tokenized alone, less a final special token).
    std::size_t promptLength(const std::string &prompt) const;

    // Moves the weights to "cpu", "cuda" or "cuda:N". Throws Error when this build or machine has no
    // CUDA device (Debian's LibTorch is CPU-only; README: building for a GPU machine).
    void moveTo(const std::string &device);

    // What the model feeds the encoder: strip, optional lower-case, tokenize, truncate to max_seq_length.
    Encoding tokenizeForModel(std::string_view text) const;

    const Tokenizer &tokenizer() const;
    ModelSummary summary() const;
    std::string sourceFolder() const; // empty for a created model

    Impl &impl();
    const Impl &impl() const;

private:
    explicit SentenceModel(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace pairtune
