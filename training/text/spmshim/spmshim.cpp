// pairtune_spmshim: sentencepiece behind a C interface (see spmshim.h for why).
// Every entry point catches everything: an exception must never unwind into the loader, which may
// have been built by another compiler run and knows nothing of this library's types.

#include "spmshim.h"

#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>
#include <string>
#include <unordered_map>
#include <vector>

// Exported by libsentencepiece but not declared in its installed headers; quiets the trainer's
// INFO lines (0 = INFO, 1 = WARNING, 2 = ERROR).
namespace sentencepiece::logging {
void SetMinLogLevel(int level);
}

#define PAIRTUNE_SPMSHIM_EXPORT extern "C" __attribute__((visibility("default")))

struct pairtune_spm
{
    sentencepiece::SentencePieceProcessor processor;
};

namespace {

char *copyToBuffer(const std::string &text, size_t *size)
{
    char *buffer = static_cast<char *>(std::malloc(text.size() + 1));
    if (!buffer)
        return nullptr;
    std::memcpy(buffer, text.data(), text.size());
    buffer[text.size()] = '\0';
    if (size)
        *size = text.size();
    return buffer;
}

void setError(char **error, const std::string &message)
{
    if (error)
        *error = copyToBuffer(message, nullptr);
}

void setCurrentExceptionError(char **error)
{
    try {
        throw;
    } catch (const std::exception &e) {
        setError(error, std::string("sentencepiece: ") + e.what());
    } catch (...) {
        setError(error, "sentencepiece: unknown exception");
    }
}

} // namespace

PAIRTUNE_SPMSHIM_EXPORT int pairtune_spm_abi_version(void)
{
    return PAIRTUNE_SPMSHIM_ABI_VERSION;
}

PAIRTUNE_SPMSHIM_EXPORT void pairtune_spm_free_buffer(char *buffer)
{
    std::free(buffer);
}

PAIRTUNE_SPMSHIM_EXPORT pairtune_spm *pairtune_spm_load(
    const char *modelBytes, size_t modelSize, char **error)
{
    try {
        auto model = std::make_unique<pairtune_spm>();
        const auto status
            = model->processor.LoadFromSerializedProto(absl::string_view(modelBytes, modelSize));
        if (!status.ok()) {
            setError(error, "sentencepiece cannot load the model: " + status.ToString());
            return nullptr;
        }
        return model.release();
    } catch (...) {
        setCurrentExceptionError(error);
        return nullptr;
    }
}

PAIRTUNE_SPMSHIM_EXPORT void pairtune_spm_free(pairtune_spm *model)
{
    delete model;
}

PAIRTUNE_SPMSHIM_EXPORT int pairtune_spm_piece_count(const pairtune_spm *model)
{
    return model ? model->processor.GetPieceSize() : 0;
}

PAIRTUNE_SPMSHIM_EXPORT const char *pairtune_spm_id_to_piece(
    const pairtune_spm *model, int id, size_t *pieceSize)
{
    if (!model || id < 0 || id >= model->processor.GetPieceSize())
        return nullptr;
    const std::string &piece = model->processor.IdToPiece(id);
    if (pieceSize)
        *pieceSize = piece.size();
    return piece.c_str();
}

PAIRTUNE_SPMSHIM_EXPORT float pairtune_spm_score(const pairtune_spm *model, int id)
{
    if (!model || id < 0 || id >= model->processor.GetPieceSize())
        return 0.0f;
    return model->processor.GetScore(id);
}

PAIRTUNE_SPMSHIM_EXPORT int pairtune_spm_piece_to_id(
    const pairtune_spm *model, const char *piece, size_t pieceSize)
{
    if (!model)
        return -1;
    try {
        return model->processor.PieceToId(absl::string_view(piece, pieceSize));
    } catch (...) {
        return -1;
    }
}

PAIRTUNE_SPMSHIM_EXPORT int pairtune_spm_encode(const pairtune_spm *model, const char *text, size_t textSize,
    pairtune_spm_piece_callback callback, void *context, char **error)
{
    if (!model || !callback) {
        setError(error, "sentencepiece: no model or callback");
        return -1;
    }
    try {
        // Pieces, then PieceToId: exactly what transformers' slow XLMRobertaTokenizer does
        // (sp_model.encode(text, out_type=str), then PieceToId per piece).
        std::vector<std::string> pieces;
        const auto status = model->processor.Encode(absl::string_view(text, textSize), &pieces);
        if (!status.ok()) {
            setError(error, "sentencepiece cannot encode: " + status.ToString());
            return -1;
        }
        for (const std::string &piece : pieces)
            callback(context, piece.data(), piece.size(), model->processor.PieceToId(piece));
        return 0;
    } catch (...) {
        setCurrentExceptionError(error);
        return -1;
    }
}

PAIRTUNE_SPMSHIM_EXPORT char *pairtune_spm_serialized_model(
    const pairtune_spm *model, size_t *size, char **error)
{
    if (!model) {
        setError(error, "sentencepiece: no model");
        return nullptr;
    }
    try {
        const std::string bytes = model->processor.serialized_model_proto();
        char *buffer = copyToBuffer(bytes, size);
        if (!buffer)
            setError(error, "sentencepiece: out of memory");
        return buffer;
    } catch (...) {
        setCurrentExceptionError(error);
        return nullptr;
    }
}

PAIRTUNE_SPMSHIM_EXPORT char *pairtune_spm_train(const char *const *optionNames,
    const char *const *optionValues, size_t optionCount, size_t *modelSize, char **error)
{
    try {
        std::unordered_map<std::string, std::string> options;
        int minLogLevel = 2;
        for (size_t i = 0; i < optionCount; ++i) {
            const std::string name = optionNames[i];
            // Not a trainer field: the log level is process-wide state of the library.
            if (name == "minloglevel")
                minLogLevel = std::atoi(optionValues[i]);
            else
                options[name] = optionValues[i];
        }
        sentencepiece::logging::SetMinLogLevel(minLogLevel);
        std::string serialized;
        const auto status = sentencepiece::SentencePieceTrainer::Train(options, nullptr, &serialized);
        if (!status.ok()) {
            setError(error, "sentencepiece training failed: " + status.ToString());
            return nullptr;
        }
        char *buffer = copyToBuffer(serialized, modelSize);
        if (!buffer)
            setError(error, "sentencepiece: out of memory");
        return buffer;
    } catch (...) {
        setCurrentExceptionError(error);
        return nullptr;
    }
}
