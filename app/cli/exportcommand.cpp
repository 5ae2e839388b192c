#include "cli/commands.h"
#include "train/exporter.h"

#include <cstdio>
#include <memory>

namespace pairtune::cli {
namespace {
struct ExportArgs
{
    std::string run;
    std::string checkpoint = "final";
    std::string out;
};
} // namespace

void addExportCommand(CLI::App &app)
{
    auto args = std::make_shared<ExportArgs>();
    CLI::App *cmd = app.add_subcommand("export", "Copy a model folder out of a run");
    cmd->add_option("--run", args->run, "Run folder")->required()->check(CLI::ExistingDirectory);
    cmd->add_option("--checkpoint", args->checkpoint, "final, best, last or step-N")->capture_default_str();
    cmd->add_option("--out", args->out, "Destination folder (must not exist)")->required();
    cmd->callback([args] {
        const std::string source = exportFromRun(args->run, args->checkpoint, args->out);
        std::fprintf(stderr, "exported %s to %s\n", source.c_str(), args->out.c_str());
    });
}

} // namespace pairtune::cli
