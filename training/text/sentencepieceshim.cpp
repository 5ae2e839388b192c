#include "text/sentencepieceshim.h"

#include "core/error.h"
#include "text/spmshim/spmshim.h"

#include <algorithm>
#include <cstdlib>
#include <dlfcn.h>
#include <filesystem>
#include <mutex>
#include <thread>

namespace fs = std::filesystem;

namespace pairtune {

struct SentencePieceShim::Api
{
    decltype(&pairtune_spm_abi_version) abiVersion = nullptr;
    decltype(&pairtune_spm_free_buffer) freeBuffer = nullptr;
    decltype(&pairtune_spm_load) load = nullptr;
    decltype(&pairtune_spm_free) free = nullptr;
    decltype(&pairtune_spm_piece_count) pieceCount = nullptr;
    decltype(&pairtune_spm_id_to_piece) idToPiece = nullptr;
    decltype(&pairtune_spm_score) score = nullptr;
    decltype(&pairtune_spm_piece_to_id) pieceToId = nullptr;
    decltype(&pairtune_spm_encode) encode = nullptr;
    decltype(&pairtune_spm_serialized_model) serializedModel = nullptr;
    decltype(&pairtune_spm_train) train = nullptr;
};

namespace {

// RTLD_DEEPBIND makes the shim and its sentencepiece resolve protobuf symbols inside their own
// libraries before the global scope, where LibTorch's protobuf lives. Sanitizer runtimes refuse
// RTLD_DEEPBIND (they must intercept malloc & co.), so sanitized test builds go without it.
// (Without RTLD_DEEPBIND sentencepiece fails next to LibTorch: such builds cannot use both at once.)
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define PAIRTUNE_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || defined(PAIRTUNE_SANITIZED)
constexpr int kDlopenFlags = RTLD_NOW | RTLD_LOCAL;
#else
constexpr int kDlopenFlags = RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND;
#endif

constexpr const char *kShimFileName = "libpairtune_spmshim.so";

// Copies and frees an error message the shim allocated.
std::string takeError(void (*freeBuffer)(char *), char *error, const std::string &fallback)
{
    if (!error)
        return fallback;
    std::string message(error);
    freeBuffer(error);
    return message;
}

std::string executableDir()
{
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string() : exe.parent_path().string();
}

template <typename Function>
void resolve(void *handle, const char *name, Function &function, const std::string &path)
{
    dlerror();
    void *symbol = dlsym(handle, name);
    if (!symbol) {
        const char *error = dlerror();
        throw Error(locate(path, 0, 0,
            std::string("the sentencepiece shim lacks ") + name + ": " + (error ? error : "symbol not found")
                + "; it does not belong to this Pairtune build"));
    }
    function = reinterpret_cast<Function>(symbol);
}

} // namespace

SentencePieceShim::SentencePieceShim(void *handle, std::string path, std::unique_ptr<Api> api)
    : m_handle(handle)
    , m_path(std::move(path))
    , m_api(std::move(api))
{ }

SentencePieceShim::~SentencePieceShim()
{
    if (m_handle)
        dlclose(m_handle);
}

std::vector<std::string> SentencePieceShim::candidatePaths()
{
    std::vector<std::string> paths;
    if (const char *env = std::getenv("PAIRTUNE_SPMSHIM"); env && *env)
        paths.emplace_back(env);
    const std::string exeDir = executableDir();
    if (!exeDir.empty()) {
        const fs::path dir(exeDir);
        paths.push_back((dir / kShimFileName).string());
        paths.push_back((dir / ".." / "lib" / "pairtune" / kShimFileName).lexically_normal().string());
        paths.push_back((dir / ".." / "lib" / kShimFileName).lexically_normal().string());
#ifdef PAIRTUNE_SPMSHIM_INSTALL_RELDIR
        paths.push_back(
            (dir / ".." / PAIRTUNE_SPMSHIM_INSTALL_RELDIR / kShimFileName).lexically_normal().string());
#endif
    }
#ifdef PAIRTUNE_SPMSHIM_INSTALL_PATH
    paths.push_back(PAIRTUNE_SPMSHIM_INSTALL_PATH);
#endif
#ifdef PAIRTUNE_SPMSHIM_BUILD_PATH
    paths.push_back(PAIRTUNE_SPMSHIM_BUILD_PATH);
#endif
    // Drop repeats (e.g. ../lib/pairtune and ../<libdir>/pairtune when libdir is "lib").
    std::vector<std::string> unique;
    for (const std::string &path : paths)
        if (std::find(unique.begin(), unique.end(), path) == unique.end())
            unique.push_back(path);
    return unique;
}

std::unique_ptr<SentencePieceShim> SentencePieceShim::loadFrom(const std::string &path)
{
    dlerror();
    void *handle = dlopen(path.c_str(), kDlopenFlags);
    if (!handle) {
        const char *error = dlerror();
        throw Error(
            locate(path, 0, 0,
                std::string("cannot load the sentencepiece shim: ") + (error ? error : "dlopen failed")),
            Error::Kind::Io);
    }
    auto api = std::make_unique<Api>();
    try {
        resolve(handle, "pairtune_spm_abi_version", api->abiVersion, path);
        if (api->abiVersion() != PAIRTUNE_SPMSHIM_ABI_VERSION)
            throw Error(locate(path, 0, 0,
                "the sentencepiece shim has interface version " + std::to_string(api->abiVersion())
                    + ", this Pairtune needs " + std::to_string(PAIRTUNE_SPMSHIM_ABI_VERSION)
                    + "; it belongs to another Pairtune build"));
        resolve(handle, "pairtune_spm_free_buffer", api->freeBuffer, path);
        resolve(handle, "pairtune_spm_load", api->load, path);
        resolve(handle, "pairtune_spm_free", api->free, path);
        resolve(handle, "pairtune_spm_piece_count", api->pieceCount, path);
        resolve(handle, "pairtune_spm_id_to_piece", api->idToPiece, path);
        resolve(handle, "pairtune_spm_score", api->score, path);
        resolve(handle, "pairtune_spm_piece_to_id", api->pieceToId, path);
        resolve(handle, "pairtune_spm_encode", api->encode, path);
        resolve(handle, "pairtune_spm_serialized_model", api->serializedModel, path);
        resolve(handle, "pairtune_spm_train", api->train, path);
    } catch (...) {
        dlclose(handle);
        throw;
    }
    return std::unique_ptr<SentencePieceShim>(new SentencePieceShim(handle, path, std::move(api)));
}

const SentencePieceShim &SentencePieceShim::instance()
{
    // Loaded once; a failure is not cached, so a later call (after setting PAIRTUNE_SPMSHIM) retries.
    static std::mutex mutex;
    static std::unique_ptr<SentencePieceShim> shim;
    std::lock_guard lock(mutex);
    if (shim)
        return *shim;
    std::string tried;
    for (const std::string &path : candidatePaths()) {
        std::error_code ec;
        if (!fs::exists(path, ec)) {
            tried += "\n  " + path + ": not there";
            continue;
        }
        try {
            shim = loadFrom(path);
            return *shim;
        } catch (const Error &e) {
            tried += "\n  " + std::string(e.what());
        }
    }
    throw Error("the sentencepiece library (" + std::string(kShimFileName)
            + ") could not be loaded; it is needed for sentencepiece.bpe.model files and for training "
              "a new XLM-R vocabulary. Set PAIRTUNE_SPMSHIM to its full path, or install it next to the "
              "executable. Tried:"
            + tried,
        Error::Kind::Io);
}

std::unique_ptr<SentencePieceShim::Model> SentencePieceShim::loadModel(
    std::string_view modelBytes, const std::string &pathForMessages) const
{
    char *error = nullptr;
    pairtune_spm *model = m_api->load(modelBytes.data(), modelBytes.size(), &error);
    if (!model)
        throw Error(locate(pathForMessages, 0, 0,
            takeError(m_api->freeBuffer, error, "sentencepiece cannot load the model")
                + " (is this a sentencepiece .model file?)"));
    return std::unique_ptr<Model>(new Model(m_api.get(), model, pathForMessages));
}

std::string SentencePieceShim::train(const SpmTrainOptions &options) const
{
    if (options.inputFile.empty())
        throw Error("sentencepiece training needs an input text file");
    if (options.modelType != "unigram" && options.modelType != "bpe")
        throw Error(
            "sentencepiece model type \"" + options.modelType + "\" is not supported; use unigram or bpe");
    if (options.vocabSize < 4)
        throw Error(
            "a sentencepiece vocabulary needs at least 4 pieces, got " + std::to_string(options.vocabSize));
    const int threads = options.numThreads > 0
        ? options.numThreads
        : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    std::vector<std::pair<std::string, std::string>> flags = {
        { "input", options.inputFile },
        { "vocab_size", std::to_string(options.vocabSize) },
        { "model_type", options.modelType },
        { "character_coverage", std::to_string(options.characterCoverage) },
        { "normalization_rule_name", options.normalizationRuleName },
        { "num_threads", std::to_string(threads) },
        { "hard_vocab_limit", options.hardVocabLimit ? "true" : "false" },
    };
    for (const auto &flag : options.extraOptions) {
        const auto same = [&](const auto &f) { return f.first == flag.first; };
        if (auto it = std::find_if(flags.begin(), flags.end(), same); it != flags.end())
            it->second = flag.second;
        else
            flags.push_back(flag);
    }
    std::vector<const char *> names, values;
    for (const auto &[name, value] : flags) {
        names.push_back(name.c_str());
        values.push_back(value.c_str());
    }
    char *error = nullptr;
    size_t size = 0;
    char *bytes = m_api->train(names.data(), values.data(), names.size(), &size, &error);
    if (!bytes)
        throw Error(locate(
            options.inputFile, 0, 0, takeError(m_api->freeBuffer, error, "sentencepiece training failed")));
    std::string model(bytes, size);
    m_api->freeBuffer(bytes);
    return model;
}

SentencePieceShim::Model::Model(const SentencePieceShim::Api *api, void *model, std::string pathForMessages)
    : m_api(api)
    , m_model(model)
    , m_pathForMessages(std::move(pathForMessages))
{ }

SentencePieceShim::Model::~Model()
{
    m_api->free(static_cast<pairtune_spm *>(m_model));
}

int SentencePieceShim::Model::pieceCount() const
{
    return m_api->pieceCount(static_cast<const pairtune_spm *>(m_model));
}

std::string SentencePieceShim::Model::idToPiece(int id) const
{
    size_t size = 0;
    const char *piece = m_api->idToPiece(static_cast<const pairtune_spm *>(m_model), id, &size);
    if (!piece)
        throw Error(locate(m_pathForMessages, 0, 0,
            "sentencepiece id " + std::to_string(id) + " is out of range (the model has "
                + std::to_string(pieceCount()) + " pieces)"));
    return std::string(piece, size);
}

float SentencePieceShim::Model::score(int id) const
{
    return m_api->score(static_cast<const pairtune_spm *>(m_model), id);
}

int SentencePieceShim::Model::pieceToId(std::string_view piece) const
{
    return m_api->pieceToId(static_cast<const pairtune_spm *>(m_model), piece.data(), piece.size());
}

std::vector<SpmPiece> SentencePieceShim::Model::encode(std::string_view text) const
{
    std::vector<SpmPiece> pieces;
    // The callback runs inside the shim: it must not throw, so an allocation failure is recorded and
    // rethrown here, on this side of the C boundary.
    struct Context
    {
        std::vector<SpmPiece> *pieces;
        bool failed = false;
    } context { &pieces };
    const auto callback = [](void *raw, const char *piece, size_t size, int id) {
        auto *ctx = static_cast<Context *>(raw);
        if (ctx->failed)
            return;
        try {
            ctx->pieces->push_back(SpmPiece { std::string(piece, size), id });
        } catch (...) {
            ctx->failed = true;
        }
    };
    char *error = nullptr;
    if (m_api->encode(
            static_cast<const pairtune_spm *>(m_model), text.data(), text.size(), callback, &context, &error)
        != 0)
        throw Error(locate(
            m_pathForMessages, 0, 0, takeError(m_api->freeBuffer, error, "sentencepiece cannot encode")));
    if (context.failed)
        throw std::bad_alloc();
    return pieces;
}

std::string SentencePieceShim::Model::serializedModel() const
{
    char *error = nullptr;
    size_t size = 0;
    char *bytes = m_api->serializedModel(static_cast<const pairtune_spm *>(m_model), &size, &error);
    if (!bytes)
        throw Error(locate(
            m_pathForMessages, 0, 0, takeError(m_api->freeBuffer, error, "sentencepiece cannot serialize")));
    std::string model(bytes, size);
    m_api->freeBuffer(bytes);
    return model;
}

} // namespace pairtune
