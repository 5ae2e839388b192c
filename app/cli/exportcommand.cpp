#include "cli/commands.h"
#include "cli/modelargument.h"
#include "cli/progressline.h"
#include "core/error.h"
#include "export/modelexport.h"
#include "train/exporter.h"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace pairtune::cli {
namespace {

struct ExportArgs
{
    std::string run;
    std::string checkpoint = "final";
    std::string model;
    std::string revision = "main";
    std::string out;
    std::vector<std::string> formats;
    bool onnxFloat16 = false;
    std::string ggufType = "f32";
    bool float16 = false;
    bool quiet = false;
};

// --format folder,onnx --format gguf → the formats; "folder" is always written and adds nothing.
ExportFormats chosenFormats(const ExportArgs &args)
{
    ExportFormats formats;
    for (const std::string &name : args.formats) {
        if (name == "onnx")
            formats.onnx = true;
        else if (name == "gguf")
            formats.gguf = true;
        else if (name != "folder")
            throw Error(
                "--format must be folder, onnx or gguf (repeated or comma-separated), not \"" + name + "\"");
    }
    if (args.onnxFloat16 && !formats.onnx)
        throw Error("--onnx-fp16 needs --format onnx");
    const std::optional<GgufType> type = parseGgufType(args.ggufType);
    if (!type)
        throw Error("--gguf-type must be f32, f16 or q8_0, not \"" + args.ggufType + "\"");
    formats.onnxFloat16 = args.onnxFloat16;
    formats.ggufType = *type;
    formats.float16Weights = args.float16;
    return formats;
}

void runExport(const ExportArgs &args)
{
    const ExportFormats formats = chosenFormats(args);
    installInterruptHandler();
    const std::string source = args.run.empty()
        ? resolveModelArgument(args.model, args.revision, args.quiet).folder
        : modelFolderInRun(args.run, args.checkpoint);
    StageProgressLine progress(!args.quiet);
    ExportCallbacks callbacks;
    callbacks.progress
        = [&progress](double fraction, const std::string &what) { progress.show(fraction, what); };
    callbacks.cancelled = [] { return interruptRequested(); };
    const ExportedModel exported = exportModelFolder(source, args.out, formats, callbacks);
    progress.finish();
    std::fprintf(stderr, "exported %s to %s%s\n", source.c_str(), exported.destination.c_str(),
        formats.float16Weights ? " (float16 weights)" : "");
    for (const std::string &file : exported.files)
        std::fprintf(stderr, "  %s\n", file.c_str());
}

} // namespace

void addExportCommand(CLI::App &app)
{
    auto args = std::make_shared<ExportArgs>();
    CLI::App *cmd = app.add_subcommand("export",
        "Copy a model folder out of a run (or any model) to a new folder, optionally with ONNX and GGUF "
        "files "
        "inside it");
    CLI::Option *run = cmd->add_option("--run", args->run, "Run folder")->check(CLI::ExistingDirectory);
    cmd->add_option("--checkpoint", args->checkpoint, "With --run: final, best, last or step-N")
        ->capture_default_str();
    CLI::Option *model = cmd->add_option(
        "--model", args->model, "Model folder, builtin, or Hugging Face Hub id (instead of --run)");
    run->excludes(model);
    model->excludes(run);
    addRevisionOption(cmd, args->revision);
    cmd->add_option("--out", args->out, "Destination folder (must not exist)")->required();
    cmd->add_option("--format", args->formats,
           "folder, onnx, gguf (repeatable or comma-separated). The folder is always written; onnx adds "
           "onnx/model.onnx and onnx/sentence_embedding.onnx, gguf adds gguf/model-<type>.gguf")
        ->delimiter(',');
    cmd->add_flag("--onnx-fp16", args->onnxFloat16, "Also write onnx/*_fp16.onnx (float16 weights)");
    cmd->add_option("--gguf-type", args->ggufType, "Weights of the GGUF file: f32, f16 or q8_0")
        ->capture_default_str();
    cmd->add_flag("--float16", args->float16,
        "Store the folder's weights as float16 (half the size; loads as float32)");
    cmd->add_flag("--quiet", args->quiet, "No progress on stderr");
    cmd->callback([args, run, model] {
        if (run->count() == 0 && model->count() == 0)
            throw Error("export needs --run RUN or --model FOLDER|builtin");
        runExport(*args);
    });
}

} // namespace pairtune::cli
