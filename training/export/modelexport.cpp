#include "export/modelexport.h"

#include "core/error.h"
#include "export/onnxexport.h"
#include "io/atomicdirectory.h"
#include "io/fileutil.h"
#include "io/foldercopy.h"
#include "model/modelfolder.h"
#include "model/sentencemodel.h"

#include <algorithm>
#include <filesystem>
#include <optional>

namespace fs = std::filesystem;

namespace pairtune {
namespace {

// The callbacks of one stage of the export, whose own progress [0, 1] fills [from, to] of the whole.
ExportCallbacks stageOf(const ExportCallbacks &whole, double from, double to)
{
    ExportCallbacks stage;
    stage.cancelled = whole.cancelled;
    if (whole.progress)
        stage.progress = [whole, from, to](double fraction, const std::string &what) {
            whole.progress(from + (to - from) * std::clamp(fraction, 0.0, 1.0), what);
        };
    return stage;
}

// Copies the folder's bytes, reporting them and stopping between files.
void copyModelFiles(const std::string &source, const std::string &staging, const ExportCallbacks &callbacks)
{
    const double total = static_cast<double>(std::max<std::uintmax_t>(1, folderBytes(source)));
    double copied = 0;
    copyFolderContents(source, staging, [&](const std::string &path, std::uintmax_t bytes) {
        callbacks.throwIfCancelled();
        callbacks.report(copied / total, "copying " + fs::path(path).filename().string());
        copied += static_cast<double>(bytes);
    });
    callbacks.report(1.0, "copied the model folder");
}

// Re-saves the model with float16 safetensors into the (empty) staging folder; the card travels along.
void saveFloat16(const SentenceModel &model, const std::string &source, const std::string &staging)
{
    SaveOptions options;
    options.float16Weights = true;
    const fs::path card = fs::path(source) / "README.md";
    if (fs::exists(card))
        options.modelCard = readFileBytes(card.string());
    model.save(staging, options);
}

// The format files now in the staged folder, relative to it, sorted.
std::vector<std::string> formatFiles(const std::string &staging)
{
    std::vector<std::string> files;
    for (const char *sub : { "onnx", "gguf" }) {
        std::error_code ec;
        const fs::path folder = fs::path(staging) / sub;
        for (auto it = fs::recursive_directory_iterator(folder, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
            if (it->is_regular_file(ec))
                files.push_back(fs::relative(it->path(), staging).generic_string());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

// Every failure says that nothing was left behind and what to try.
[[noreturn]] void rethrowNamingDestination(const Error &error, const std::string &destination)
{
    if (error.kind() == Error::Kind::Cancelled)
        throw Error("export stopped; nothing was written to " + destination, Error::Kind::Cancelled);
    std::string message = error.what();
    message += ". Nothing was written to " + destination;
    if (error.kind() == Error::Kind::Io)
        message
            += "; choose a folder whose parent is a writable folder with enough free space and export again";
    throw Error(message, error.kind());
}

bool pathExists(const std::string &path)
{
    std::error_code ec;
    return fs::exists(fs::symlink_status(path, ec));
}

} // namespace

const std::string &FormatAvailability::gguf(GgufType type) const
{
    switch (type) {
    case GgufType::F16:
        return ggufF16;
    case GgufType::Q8_0:
        return ggufQ8_0;
    case GgufType::F32:
        break;
    }
    return ggufF32;
}

std::vector<std::string> exportFormatProblems(const SentenceModel &model, const ExportFormats &formats)
{
    std::vector<std::string> problems;
    if (formats.onnx) {
        const std::string reason = onnxUnsupportedReason(model);
        if (!reason.empty())
            problems.push_back("ONNX: " + reason);
    }
    if (formats.gguf) {
        const std::string reason = ggufUnsupportedReason(model, formats.ggufType);
        if (!reason.empty())
            problems.push_back("GGUF " + ggufTypeName(formats.ggufType) + ": " + reason);
    }
    return problems;
}

FormatAvailability formatAvailability(const SentenceModel &model)
{
    FormatAvailability availability;
    availability.onnx = onnxUnsupportedReason(model);
    availability.ggufF32 = ggufUnsupportedReason(model, GgufType::F32);
    availability.ggufF16 = ggufUnsupportedReason(model, GgufType::F16);
    availability.ggufQ8_0 = ggufUnsupportedReason(model, GgufType::Q8_0);
    if (!model.sourceFolder().empty())
        availability.takesTokenTypes = ModelFolder::read(model.sourceFolder()).transformer.takesTokenTypes();
    availability.pooling = model.summary().pooling;
    const Encoding example = model.tokenizeForModel("first text");
    availability.exampleIds.assign(example.ids.begin(), example.ids.end());
    return availability;
}

FormatAvailability formatAvailability(const std::string &modelFolder)
{
    return formatAvailability(SentenceModel::load(modelFolder));
}

ExportedModel exportModelFolder(const std::string &source, const std::string &destination,
    const ExportFormats &formats, const ExportCallbacks &callbacks)
{
    ExportedModel result;
    result.source = source;
    result.destination = fs::absolute(destination).lexically_normal().string();
    if (!result.destination.empty() && result.destination.size() > 1 && result.destination.back() == '/')
        result.destination.pop_back();
    if (!fs::exists(fs::path(source) / "modules.json"))
        throw Error(locate(source, 0, 0,
            "not a sentence-transformers model folder (no modules.json); export a run's model or a model "
            "folder"));
    // The cheap refusals first: an existing destination and formats this model cannot be written in
    // are reported before any file is written or any time is spent.
    if (pathExists(destination))
        throw Error(locate(destination, 0, 0, "already exists; choose a new folder name"));
    const bool needsModel = formats.anyBesidesFolder() || formats.float16Weights;
    std::optional<SentenceModel> model;
    if (needsModel) {
        callbacks.report(0.0, "loading the model");
        model.emplace(SentenceModel::load(source));
        const std::vector<std::string> problems = exportFormatProblems(*model, formats);
        if (!problems.empty()) {
            std::string message = "cannot export " + source + " as asked:";
            for (const std::string &problem : problems)
                message += "\n  " + problem;
            message += "\nNothing was written to " + destination + "; leave out the format(s) above.";
            throw Error(message);
        }
    }
    callbacks.throwIfCancelled();

    // Shares of the progress bar, roughly by the time each stage takes.
    const double copyShare = 1.0;
    const double onnxShare = formats.onnx ? (formats.onnxFloat16 ? 3.0 : 2.0) : 0.0;
    const double ggufShare = formats.gguf ? 2.0 : 0.0;
    const double total = copyShare + onnxShare + ggufShare;
    try {
        AtomicDirectory staging(destination, /*replaceExisting=*/false);
        const std::string folder = staging.stagingPath();
        const ExportCallbacks copying = stageOf(callbacks, 0.0, copyShare / total);
        if (formats.float16Weights) {
            copying.report(0.0, "saving float16 weights");
            saveFloat16(*model, source, folder);
            copying.report(1.0, "saved float16 weights");
        } else {
            copyModelFiles(source, folder, copying);
        }
        double done = copyShare;
        if (formats.onnx) {
            OnnxExportOptions options;
            options.float16 = formats.onnxFloat16;
            writeOnnxModels(
                *model, folder, options, stageOf(callbacks, done / total, (done + onnxShare) / total));
            done += onnxShare;
        }
        if (formats.gguf) {
            callbacks.throwIfCancelled();
            writeGgufModel(*model, folder, formats.ggufType,
                stageOf(callbacks, done / total, (done + ggufShare) / total));
        }
        callbacks.throwIfCancelled();
        result.files = formatFiles(folder);
        callbacks.report(1.0, "moving the export into place");
        staging.commit();
    } catch (const Error &error) {
        rethrowNamingDestination(error, destination);
    }
    return result;
}

} // namespace pairtune
