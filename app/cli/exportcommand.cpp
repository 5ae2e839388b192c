#include "cli/commands.h"
#include "io/fileutil.h"
#include "model/sentencemodel.h"
#include "train/exporter.h"

#include <cstdio>
#include <filesystem>
#include <memory>

namespace pairtune::cli {
namespace {
struct ExportArgs
{
    std::string run;
    std::string checkpoint = "final";
    std::string out;
    bool float16 = false;
};
} // namespace

void addExportCommand(CLI::App &app)
{
    auto args = std::make_shared<ExportArgs>();
    CLI::App *cmd = app.add_subcommand("export", "Copy a model folder out of a run");
    cmd->add_option("--run", args->run, "Run folder")->required()->check(CLI::ExistingDirectory);
    cmd->add_option("--checkpoint", args->checkpoint, "final, best, last or step-N")->capture_default_str();
    cmd->add_option("--out", args->out, "Destination folder (must not exist)")->required();
    cmd->add_flag(
        "--float16", args->float16, "Store the weights as float16 (half the size; loads as float32)");
    cmd->callback([args] {
        if (args->float16) {
            // Re-save through the model so the weights are converted; the model card travels along.
            const std::string source = modelFolderInRun(args->run, args->checkpoint);
            const SentenceModel model = SentenceModel::load(source);
            SaveOptions options;
            options.float16Weights = true;
            const std::filesystem::path card = std::filesystem::path(source) / "README.md";
            if (std::filesystem::exists(card))
                options.modelCard = readFileBytes(card.string());
            model.save(args->out, options);
            std::fprintf(stderr, "exported %s to %s (float16 weights)\n", source.c_str(), args->out.c_str());
            return;
        }
        const std::string source = exportFromRun(args->run, args->checkpoint, args->out);
        std::fprintf(stderr, "exported %s to %s\n", source.c_str(), args->out.c_str());
    });
}

} // namespace pairtune::cli
