#include "model/sentencemodel.h"

#include "core/error.h"
#include "core/log.h"
#include "io/atomicdirectory.h"
#include "model/batchworkers.h"
#include "model/bertencoderimpl.h"
#include "model/familytokenizerfiles.h"
#include "model/modelcard.h"
#include "model/poolingimpl.h"
#include "model/prompts.h"
#include "model/pythontext.h"
#include "model/runtime.h"
#include "model/sentencemodelimpl.h"
#include "model/weightioimpl.h"
#include "text/tokenizerfactories.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <algorithm>
#include <filesystem>
#include <numeric>

namespace fs = std::filesystem;

namespace pairtune {
namespace {

// encode() runs in eval mode, like SentenceTransformer.encode(); the previous mode comes back after.
class EvalScope
{
public:
    explicit EvalScope(SentenceModel::Impl &impl)
        : m_impl(impl)
        , m_wasTraining(impl.isTraining())
    {
        m_impl.setTraining(false);
    }
    ~EvalScope() { m_impl.setTraining(m_wasTraining); }

private:
    SentenceModel::Impl &m_impl;
    bool m_wasTraining;
};

std::string standardHeadPrefix(std::size_t headIndex)
{
    return std::to_string(headIndex + 2) + "_Dense.";
}

void buildHeads(SentenceModel::Impl &impl)
{
    for (const HeadModule &head : impl.config.heads)
        impl.dense.push_back(
            head.kind == ModuleKind::Dense ? std::make_shared<DenseModule>(head.dense) : nullptr);
}

// Refuses to replace a folder that is not a model folder (so `--out ~` cannot wipe a home folder).
void checkReplaceable(const std::string &folder)
{
    std::error_code ec;
    const fs::path dir(folder);
    if (!fs::exists(dir, ec))
        return;
    if (!fs::is_directory(dir, ec))
        throw Error(locate(folder, 0, 0, "exists and is not a folder"), Error::Kind::Io);
    const bool empty = fs::directory_iterator(dir, ec) == fs::directory_iterator();
    if (!empty && !fs::exists(dir / "modules.json") && !fs::exists(dir / "config.json"))
        throw Error(locate(folder, 0, 0,
                        "exists and does not look like a model folder; choose a new or empty folder so "
                        "nothing else is overwritten"),
            Error::Kind::Io);
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Impl

Encoding SentenceModel::Impl::tokenize(std::string_view text) const
{
    std::string prepared = pythonStrip(text);
    if (config.doLowerCase)
        prepared = pythonLower(prepared);
    return tokenizer->encode(prepared, std::size_t(config.maxSeqLength));
}

std::size_t SentenceModel::Impl::promptLength(std::string_view prompt) const
{
    if (prompt.empty())
        return 0;
    const Encoding encoded = tokenize(prompt);
    std::size_t length = encoded.ids.size();
    // Python asks tokenizer.all_special_ids; the special tokens a template adds are the ids an empty
    // text encodes to ([CLS] [SEP], <s> </s>), and the last of a prompt's ids can only be one of those.
    const std::vector<std::int64_t> specials = tokenizer->encode("", 0).ids;
    if (length > 0 && std::find(specials.begin(), specials.end(), encoded.ids.back()) != specials.end())
        --length;
    return length;
}

BatchTensors SentenceModel::Impl::makeBatch(
    const std::vector<Encoding> &batch, const std::vector<std::size_t> &promptLengths) const
{
    const int64_t rows = int64_t(batch.size());
    int64_t length = 0;
    for (const Encoding &e : batch)
        length = std::max<int64_t>(length, int64_t(e.ids.size()));
    const auto longs = at::TensorOptions().dtype(at::kLong);
    at::Tensor ids = at::full({ rows, length }, tokenizer->padId(), longs);
    at::Tensor mask = at::zeros({ rows, length }, longs);
    at::Tensor types = at::zeros({ rows, length }, longs);
    int64_t *idData = ids.data_ptr<int64_t>();
    int64_t *maskData = mask.data_ptr<int64_t>();
    int64_t *typeData = types.data_ptr<int64_t>();
    const int64_t vocabSize = config.transformer.vocabSize;
    for (int64_t r = 0; r < rows; ++r) {
        const Encoding &e = batch[std::size_t(r)];
        for (const int64_t id : e.ids)
            if (id < 0 || id >= vocabSize)
                throw Error("token id " + std::to_string(id) + " (\"" + tokenizer->idToToken(id)
                    + "\") is outside the model's vocabulary of " + std::to_string(vocabSize)
                    + " (config.json vocab_size)");
        std::copy(e.ids.begin(), e.ids.end(), idData + r * length);
        std::fill_n(maskData + r * length, e.ids.size(), int64_t(1));
        if (e.typeIds.size() == e.ids.size())
            std::copy(e.typeIds.begin(), e.typeIds.end(), typeData + r * length);
    }
    const torch::Device target = device();
    BatchTensors out;
    out.ids = ids.to(target);
    out.mask = mask.to(target);
    if (config.transformer.takesTokenTypes()) // XLM-R's, RoBERTa's, DistilBERT's models take none
        out.typeIds = types.to(target);
    const bool excludePrompt = !config.pooling.includePrompt
        && std::any_of(promptLengths.begin(), promptLengths.end(), [](std::size_t n) { return n > 0; });
    if (excludePrompt) {
        if (promptLengths.size() != batch.size())
            throw Error("internal: one prompt length per text expected");
        // Pooling.forward: attention_mask[:, :prompt_length] = 0, after the encoder has seen the prompt.
        at::Tensor poolMask = mask.clone();
        for (int64_t r = 0; r < rows; ++r)
            poolMask[r]
                .narrow(0, 0, std::min<int64_t>(int64_t(promptLengths[std::size_t(r)]), length))
                .zero_();
        out.poolMask = poolMask.to(target);
    }
    return out;
}

torch::Tensor SentenceModel::Impl::embed(const BatchTensors &batch)
{
    const torch::Tensor tokens = transformer->forward(batch.ids, batch.mask, batch.typeIds);
    torch::Tensor x
        = poolTokens(config.pooling, tokens, batch.poolMask.defined() ? batch.poolMask : batch.mask);
    for (std::size_t i = 0; i < config.heads.size(); ++i)
        x = dense[i] ? dense[i]->forward(x) : normalizeRows(x);
    return x;
}

torch::Tensor SentenceModel::Impl::embed(
    const std::vector<Encoding> &batch, const std::vector<std::size_t> &promptLengths)
{
    return embed(makeBatch(batch, promptLengths));
}

void SentenceModel::Impl::setTraining(bool training)
{
    transformer->train(training);
    for (auto &d : dense)
        if (d)
            d->train(training);
}

bool SentenceModel::Impl::isTraining() const
{
    return transformer->is_training();
}

void SentenceModel::Impl::to(torch::Device target)
{
    transformer->to(target);
    for (auto &d : dense)
        if (d)
            d->to(target);
}

torch::Device SentenceModel::Impl::device() const
{
    return transformer->device();
}

std::vector<std::pair<std::string, torch::Tensor>> SentenceModel::Impl::namedParameters() const
{
    std::vector<std::pair<std::string, torch::Tensor>> out;
    for (const auto &item : transformer->named_parameters(true))
        out.emplace_back(item.key(), item.value());
    for (std::size_t i = 0; i < dense.size(); ++i)
        if (dense[i])
            for (const auto &item : dense[i]->named_parameters(true))
                out.emplace_back(standardHeadPrefix(i) + item.key(), item.value());
    return out;
}

std::vector<torch::Tensor> SentenceModel::Impl::parameters() const
{
    std::vector<torch::Tensor> out;
    for (auto &[name, tensor] : namedParameters())
        out.push_back(tensor);
    return out;
}

// ---------------------------------------------------------------------------------------------
// SentenceModel

SentenceModel::SentenceModel(std::unique_ptr<Impl> impl)
    : m_impl(std::move(impl))
{ }

SentenceModel::SentenceModel(SentenceModel &&) noexcept = default;
SentenceModel &SentenceModel::operator=(SentenceModel &&) noexcept = default;
SentenceModel::~SentenceModel() = default;

SentenceModel SentenceModel::load(const std::string &folder)
{
    auto impl = std::make_unique<Impl>();
    impl->config = ModelFolder::read(folder);
    impl->prompts = ModelPrompts::fromConfig(
        impl->config.sentenceTransformers, (fs::path(folder) / "config_sentence_transformers.json").string());
    impl->sourceFolder = folder;
    // Look for weights before the tokenizer, so a pytorch_model.bin-only folder gets its advice first.
    const std::vector<std::string> weightFiles = impl->config.transformerWeightFiles();
    impl->tokenizer = loadTokenizer(impl->config.transformerFolder(), impl->config.transformer.modelType);
    // Python loads such a pair too and fails only when a token beyond the table shows up; so do we
    // (makeBatch reports it), with a warning now.
    if (impl->tokenizer->vocabSize() > std::size_t(impl->config.transformer.vocabSize))
        logWarning(folder + ": the tokenizer has " + std::to_string(impl->tokenizer->vocabSize())
            + " tokens but config.json's vocab_size is " + std::to_string(impl->config.transformer.vocabSize)
            + "; texts that use the extra tokens cannot be embedded");

    impl->transformer = makeEncoder(impl->config.transformer);
    at::Generator generator = at::detail::createCPUGenerator(0);
    loadTransformerWeights(*impl->transformer, weightFiles, generator);
    buildHeads(*impl);
    for (std::size_t i = 0; i < impl->config.heads.size(); ++i)
        if (impl->dense[i])
            loadDenseWeights(*impl->dense[i], impl->config.denseWeightFile(impl->config.heads[i]));
    impl->setTraining(false);
    return SentenceModel(std::move(impl));
}

SentenceModel SentenceModel::create(const CreateOptions &options)
{
    auto impl = std::make_unique<Impl>();
    TransformerConfig &tc = impl->config.transformer;
    const std::string &arch = options.architecture;
    if (arch != "bert" && arch != "xlm-roberta" && arch != "roberta" && arch != "distilbert"
        && arch != "mpnet" && arch != "modernbert")
        throw Error("architecture \"" + arch
            + "\" is not supported; use bert, distilbert, roberta, xlm-roberta, mpnet or modernbert");
    // The tokenizer comes from what is given, whatever the architecture: XLM-R's is SentencePiece,
    // BERT's and DistilBERT's WordPiece; a tokenizer folder (tokenizer.json, or vocab.txt with its
    // tokenizer_config.json) brings any kind: MPNet's WordPiece with <s> ... </s>, RoBERTa's or
    // ModernBERT's byte-level BPE.
    const int sources = int(!options.spmPath.empty()) + int(!options.vocabPath.empty())
        + int(!options.tokenizerPath.empty());
    if (sources > 1)
        throw Error(
            "give one tokenizer: a WordPiece vocabulary (--vocab), a sentencepiece model (--spm) or a "
            "tokenizer folder (--tokenizer)");
    if (arch == "xlm-roberta" && options.spmPath.empty())
        throw Error("an xlm-roberta model needs a sentencepiece model (--spm FILE)");
    if ((arch == "bert" || arch == "distilbert") && options.vocabPath.empty()
        && options.tokenizerPath.empty())
        throw Error("a " + arch + " model needs a WordPiece vocabulary (--vocab FILE) or a tokenizer folder");
    if ((arch == "mpnet" || arch == "modernbert") && options.tokenizerPath.empty())
        throw Error("a " + arch
            + " model needs a tokenizer folder (--tokenizer DIR with the family's tokenizer.json)");
    if (sources == 0)
        throw Error("a " + arch
            + " model needs a tokenizer: --vocab FILE (WordPiece), --spm FILE or --tokenizer DIR");
    if (!options.spmPath.empty())
        impl->tokenizer = makeSentencePieceTokenizerFromModelFile(options.spmPath);
    else if (!options.tokenizerPath.empty())
        impl->tokenizer = loadTokenizer(options.tokenizerPath, arch);
    else
        impl->tokenizer = makeWordPieceTokenizerFromVocabFile(options.vocabPath, options.lowercase);
    if (options.layers <= 0 || options.hidden <= 0 || options.heads <= 0 || options.intermediate <= 0
        || options.maxPositions <= 0 || options.maxSeqLength <= 0)
        throw Error(
            "layers, hidden, heads, intermediate, max positions and max sequence length must be positive");
    if (options.hidden % options.heads != 0)
        throw Error("hidden size " + std::to_string(options.hidden)
            + " is not a multiple of the number of heads " + std::to_string(options.heads));
    if (options.maxSeqLength > options.maxPositions)
        throw Error("max sequence length " + std::to_string(options.maxSeqLength) + " exceeds max positions "
            + std::to_string(options.maxPositions));
    if (options.sinusoidalPositions && arch != "distilbert")
        throw Error("sinusoidal position embeddings are DistilBERT's (sinusoidal_pos_embds)");

    // MPNet and ModernBERT start from their config class's defaults (MPNetConfig: layer_norm_eps 1e-12,
    // 32 relative-position buckets; ModernBertConfig: RoPE bases, window 128, a global layer every 3rd).
    if (arch == "mpnet" || arch == "modernbert")
        tc = TransformerConfig::fromJson(nlohmann::json { { "model_type", arch } }, "create");
    tc.modelType = arch;
    tc.vocabSize = int(impl->tokenizer->vocabSize());
    tc.hiddenSize = options.hidden;
    tc.numHiddenLayers = options.layers;
    tc.numAttentionHeads = options.heads;
    tc.intermediateSize = options.intermediate;
    tc.padTokenId = int(impl->tokenizer->padId());
    if (arch == "mpnet" && tc.padTokenId != 1)
        throw Error("the tokenizer pads with id " + std::to_string(tc.padTokenId)
            + "; an MPNet model pads with id 1 (<pad> of MPNet's vocabulary)");
    tc.maxPositionEmbeddings
        = tc.positionsFromPadding() ? options.maxPositions + tc.padTokenId + 1 : options.maxPositions;
    if (arch == "xlm-roberta" || arch == "roberta") {
        tc.typeVocabSize = 1;
        tc.layerNormEps = 1e-5;
        tc.bosTokenId = 0;
        tc.eosTokenId = 2;
    }
    if (arch == "distilbert") {
        tc.typeVocabSize = 0;
        tc.sinusoidalPositions = options.sinusoidalPositions;
    }
    if (arch == "modernbert") { // bos/eos: the tokenizer's own [CLS]/[SEP] ids, as ModernBERT-base's are
        tc.bosTokenId.reset();
        tc.eosTokenId.reset();
        for (std::int64_t id = 0; id < std::int64_t(impl->tokenizer->vocabSize()); ++id) {
            const std::string token = impl->tokenizer->idToToken(id);
            if (token == "[CLS]")
                tc.bosTokenId = int(id);
            if (token == "[SEP]")
                tc.eosTokenId = int(id);
        }
    }
    tc.validate("create");

    ModelFolder &mf = impl->config;
    mf.maxSeqLength = options.maxSeqLength;
    mf.doLowerCase = false; // the tokenizer itself lower-cases (BertNormalizer) when asked
    mf.pooling = PoolingConfig::fromModes(options.pooling, options.hidden);
    if (options.denseOut > 0) {
        HeadModule head;
        head.kind = ModuleKind::Dense;
        head.dense.inFeatures = mf.pooling.outputDimension();
        head.dense.outFeatures = options.denseOut;
        mf.heads.push_back(head);
    }
    if (options.normalize)
        mf.heads.push_back(HeadModule { ModuleKind::Normalize, "", {} });
    mf = mf.withStandardPaths();

    at::Generator generator = at::detail::createCPUGenerator(options.seed);
    impl->transformer = makeEncoder(tc);
    impl->transformer->initialise(generator);
    buildHeads(*impl);
    for (auto &d : impl->dense)
        if (d)
            d->initialise(generator);
    impl->setTraining(false);
    return SentenceModel(std::move(impl));
}

void SentenceModel::save(const std::string &folder) const
{
    save(folder, SaveOptions {});
}

void SentenceModel::save(const std::string &folder, const SaveOptions &options) const
{
    const Impl &impl = *m_impl;
    const ModelFolder layout = impl.config.withStandardPaths();
    checkReplaceable(folder);
    AtomicDirectory staging(folder, true);
    const std::string dir = staging.stagingPath();
    layout.writeConfigs(dir, options.float16Weights ? "float16" : "float32", TORCH_VERSION);

    std::vector<std::pair<std::string, torch::Tensor>> transformerWeights;
    for (const auto &item : impl.transformer->named_parameters(true))
        transformerWeights.emplace_back(item.key(), item.value());
    saveWeights(
        (fs::path(dir) / "model.safetensors").string(), transformerWeights, options.float16Weights, true);
    for (std::size_t i = 0; i < layout.heads.size(); ++i) {
        if (!impl.dense[i])
            continue;
        std::vector<std::pair<std::string, torch::Tensor>> denseWeights;
        for (const auto &item : impl.dense[i]->named_parameters(true))
            denseWeights.emplace_back(item.key(), item.value());
        // Dense.save uses safetensors.torch.save_model: no metadata.
        saveWeights((fs::path(dir) / layout.heads[i].path / "model.safetensors").string(), denseWeights,
            options.float16Weights, false);
        // sentence-transformers 2.x-3.0.0 read a Dense module's pytorch_model.bin only
        // (docs/model-folders.md); later releases prefer model.safetensors.
        saveTorchStateDict((fs::path(dir) / layout.heads[i].path / "pytorch_model.bin").string(),
            denseWeights, options.float16Weights);
    }

    const int usable = impl.config.transformer.usablePositions();
    impl.tokenizer->save(dir, std::size_t(impl.config.tokenizerModelMaxLength.value_or(usable)));
    applyFamilyTokenizerFiles(dir, impl.config.transformer.modelType, *impl.tokenizer);
    writeTextFile((fs::path(dir) / "README.md").string(),
        options.modelCard.empty() ? makeModelCard(layout) : options.modelCard);
    staging.commit();
}

Embeddings SentenceModel::encode(const std::vector<std::string> &texts, std::size_t batchSize) const
{
    return encodeWithPrompt(texts, m_impl->prompts.resolve(std::nullopt, std::nullopt), batchSize);
}

Embeddings SentenceModel::encodeWithPrompt(
    const std::vector<std::string> &rawTexts, const std::string &prompt, std::size_t batchSize) const
{
    if (batchSize == 0)
        throw Error("the batch size must be at least 1");
    Impl &impl = *m_impl;
    Embeddings out;
    out.rows = rawTexts.size();
    out.dim = std::size_t(impl.config.embeddingDimension());
    out.values.assign(out.rows * out.dim, 0.0f);
    if (rawTexts.empty())
        return out;
    // SentenceTransformer.encode: sentences = [prompt + sentence ...] before sorting and tokenizing.
    std::vector<std::string> prompted;
    if (!prompt.empty()) {
        prompted.reserve(rawTexts.size());
        for (const std::string &text : rawTexts)
            prompted.push_back(prompt + text);
    }
    const std::vector<std::string> &texts = prompt.empty() ? rawTexts : prompted;
    const std::vector<std::size_t> promptLengths(
        std::min(batchSize, texts.size()), impl.promptLength(prompt));

    // Longest first (by code points), as SentenceTransformer.encode sorts; results go back in input order.
    std::vector<std::size_t> lengths(texts.size());
    for (std::size_t i = 0; i < texts.size(); ++i)
        lengths[i] = pythonLength(texts[i]);
    std::vector<std::size_t> order(texts.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(
        order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return lengths[a] > lengths[b]; });

    EvalScope eval(impl);
    // One batch: tokenize, embed, rows into place. Batches may run at once on several threads (below),
    // each writing its own rows; the no-grad and int8 modes are per thread, so each batch sets them.
    const auto embedBatch = [&](std::size_t batchIndex) {
        // NoGradGuard, not InferenceMode: the evaluator encodes between training steps, and inference
        // tensors must never meet autograd (not measured to matter next to the matrix products).
        const at::NoGradGuard noGrad;
        const Int8Scope int8(impl.int8.get()); // null: float32
        const std::size_t start = batchIndex * batchSize;
        const std::size_t end = std::min(order.size(), start + batchSize);
        std::vector<Encoding> batch;
        batch.reserve(end - start);
        for (std::size_t i = start; i < end; ++i)
            batch.push_back(impl.tokenize(texts[order[i]]));
        const std::vector<std::size_t> rowPromptLengths(
            promptLengths.begin(), promptLengths.begin() + std::ptrdiff_t(end - start));
        const at::Tensor result = impl.embed(batch, rowPromptLengths).to(at::kCPU, at::kFloat).contiguous();
        const float *data = result.data_ptr<float>();
        for (std::size_t i = start; i < end; ++i)
            std::copy_n(data + (i - start) * out.dim, out.dim, out.values.data() + order[i] * out.dim);
    };
    // On the CPU, one batch per core at a time (model/batchworkers.h); a GPU takes them one by one.
    const std::size_t batches = (order.size() + batchSize - 1) / batchSize;
    runOnWorkers(batches, impl.device().is_cpu() ? matrixThreads() : 1, embedBatch);
    return out;
}

std::string SentenceModel::int8Refusal() const
{
    if (!int8LinearAvailable())
        return "int8 inference needs LibTorch's oneDNN or FBGEMM int8 engine, which this LibTorch lacks";
    if (!dynamic_cast<const BertEncoder *>(m_impl->transformer.get()))
        return "int8 inference covers the BERT, DistilBERT, RoBERTa and XLM-R families, not "
            + m_impl->config.transformer.modelType;
    if (!m_impl->device().is_cpu())
        return "int8 inference runs on the CPU, not on " + m_impl->device().str();
    return {};
}

void SentenceModel::useInt8Inference()
{
    if (const std::string refusal = int8Refusal(); !refusal.empty())
        throw Error(refusal + "; embed without --int8");
    if (!m_impl->int8)
        m_impl->int8 = std::make_unique<Int8Linears>();
}

void SentenceModel::useFloat32Inference()
{
    m_impl->int8.reset();
}

bool SentenceModel::usesInt8Inference() const
{
    return m_impl->int8 != nullptr;
}

void SentenceModel::moveTo(const std::string &device)
{
    if (device != "cpu" && !torch::cuda::is_available())
        throw Error("device " + device
            + ": no CUDA device is available to this build of Pairtune (Debian's LibTorch is CPU-only; "
              "build against a CUDA LibTorch, see README)");
    try {
        m_impl->to(torch::Device(device));
    } catch (const c10::Error &e) {
        throw Error("device " + device + ": " + e.what_without_backtrace());
    }
}

const ModelPrompts &SentenceModel::prompts() const
{
    return m_impl->prompts;
}

std::size_t SentenceModel::promptLength(const std::string &prompt) const
{
    return m_impl->promptLength(prompt);
}

Encoding SentenceModel::tokenizeForModel(std::string_view text) const
{
    return m_impl->tokenize(text);
}

const Tokenizer &SentenceModel::tokenizer() const
{
    return *m_impl->tokenizer;
}

ModelSummary SentenceModel::summary() const
{
    const Impl &impl = *m_impl;
    const TransformerConfig &tc = impl.config.transformer;
    ModelSummary s;
    s.architecture = tc.modelType;
    s.layers = tc.numHiddenLayers;
    s.hidden = tc.hiddenSize;
    s.heads = tc.numAttentionHeads;
    s.intermediate = tc.intermediateSize;
    s.embeddingDimension = impl.config.embeddingDimension();
    s.maxSeqLength = impl.config.maxSeqLength;
    s.vocabSize = std::size_t(tc.vocabSize);
    for (const auto &[name, tensor] : impl.namedParameters())
        s.parameterCount += std::uint64_t(tensor.numel());
    s.pooling = impl.config.pooling.modeName();
    for (const HeadModule &head : impl.config.heads) {
        s.normalize = s.normalize || head.kind == ModuleKind::Normalize;
        s.hasDense = s.hasDense || head.kind == ModuleKind::Dense;
    }
    s.similarity = impl.config.sentenceTransformers.similarityFnName;
    s.tokenizerKind = impl.tokenizer->kind();
    s.modelClass = tc.architecture();
    s.maxPositions = tc.usablePositions();
    if (tc.modelType == "modernbert") {
        s.globalAttentionEvery = tc.modernBert.globalAttnEveryNLayers;
        s.localWindow = tc.modernBert.localAttention;
    }
    return s;
}

std::string SentenceModel::sourceFolder() const
{
    return m_impl->sourceFolder;
}

SentenceModel::Impl &SentenceModel::impl()
{
    return *m_impl;
}

const SentenceModel::Impl &SentenceModel::impl() const
{
    return *m_impl;
}

} // namespace pairtune
