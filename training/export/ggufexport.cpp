// The public side of the GGUF export (export/ggufexport.h): the tokenizer as the model saves it
// (tokenizer.json), the encoder's keys and tensors (export/ggufmodel.h) and the tokenizer metadata
// (export/ggufvocab.h), streamed into gguf/model-<type>.gguf by export/ggufwriter.h.

#include "export/ggufexport.h"

#include "core/error.h"
#include "export/ggufmodel.h"
#include "export/ggufvocab.h"
#include "export/ggufwriter.h"
#include "io/fileutil.h"
#include "io/jsonfile.h"
#include "model/sentencemodel.h"

#include <filesystem>

namespace pairtune {
namespace {

namespace fs = std::filesystem;

// tokenizer.json exactly as the model's tokenizer saves it (every kind writes one), read back.
nlohmann::json savedTokenizerJson(const SentenceModel &model)
{
    const fs::path dir = fs::temp_directory_path() / ("pairtune-gguf-tokenizer-" + randomFileSuffix());
    struct Cleanup
    {
        fs::path dir;
        ~Cleanup()
        {
            std::error_code ignored;
            fs::remove_all(dir, ignored);
        }
    } cleanup { dir };
    fs::create_directories(dir);
    model.tokenizer().save(dir.string(), std::size_t(model.summary().maxSeqLength));
    return readJsonFile((dir / "tokenizer.json").string());
}

GgmlType weightType(GgufType type)
{
    switch (type) {
    case GgufType::F32:
        return GgmlType::F32;
    case GgufType::F16:
        return GgmlType::F16;
    case GgufType::Q8_0:
        return GgmlType::Q8_0;
    }
    return GgmlType::F32;
}

std::string modelName(const SentenceModel &model)
{
    const std::string source = model.sourceFolder();
    const std::string name
        = source.empty() ? std::string() : fs::path(source).lexically_normal().filename().string();
    return name.empty() ? std::string("pairtune-model") : name;
}

} // namespace

std::optional<GgufType> parseGgufType(std::string_view name)
{
    if (name == "f32")
        return GgufType::F32;
    if (name == "f16")
        return GgufType::F16;
    if (name == "q8_0")
        return GgufType::Q8_0;
    return std::nullopt;
}

std::string ggufTypeName(GgufType type)
{
    switch (type) {
    case GgufType::F32:
        return "f32";
    case GgufType::F16:
        return "f16";
    case GgufType::Q8_0:
        return "q8_0";
    }
    return "f32";
}

std::string ggufFileName(GgufType type)
{
    return "gguf/model-" + ggufTypeName(type) + ".gguf";
}

std::string ggufUnsupportedReason(const SentenceModel &model, GgufType type)
{
    (void)type; // every type is written for every supported model (Q8_0 falls back to F16 per tensor)
    const std::string reason = ggufModelUnsupportedReason(model);
    if (!reason.empty())
        return "GGUF: " + reason;
    const std::string vocab = ggufVocabUnsupportedReason(savedTokenizerJson(model));
    if (!vocab.empty())
        return "GGUF: model_type " + model.summary().architecture + ": " + vocab;
    return "";
}

void writeGgufModel(
    const SentenceModel &model, const std::string &folder, GgufType type, const ExportCallbacks &callbacks)
{
    const std::string reason = ggufUnsupportedReason(model, type);
    if (!reason.empty())
        throw Error(reason);
    callbacks.report(0.0, "preparing " + ggufFileName(type));
    GgufWriter writer;
    addGgufModel(writer, model, weightType(type), modelName(model));
    addGgufVocab(
        writer, savedTokenizerJson(model), ggufVocabOptions(model), "tokenizer.json of " + modelName(model));

    const fs::path path = fs::path(folder) / ggufFileName(type);
    std::error_code error;
    fs::create_directories(path.parent_path(), error);
    if (error)
        throw Error("cannot create " + path.parent_path().string() + ": " + error.message(), Error::Kind::Io);
    writer.write(path.string(), callbacks);
}

} // namespace pairtune
