#include "cli/modelargument.h"

#include "cli/commands.h"
#include "cli/progressline.h"
#include "core/log.h"

namespace pairtune::cli {

void addRevisionOption(CLI::App *cmd, std::string &revision)
{
    cmd->add_option("--revision", revision, "Branch, tag or commit of a Hugging Face Hub model")
        ->capture_default_str();
}

ResolvedModel resolveModelArgument(const std::string &nameOrFolder, const std::string &revision, bool quiet)
{
    installInterruptHandler();
    DownloadProgressLine progress(!quiet);
    ModelResolveOptions options;
    options.revision = revision;
    options.progress = [&progress](const hub::DownloadProgress &p) { progress.show(p); };
    options.cancel = [] { return interruptRequested(); };
    ResolvedModel resolved = resolveModelSource(nameOrFolder, options);
    progress.finish();
    if (resolved.repoId.empty() && revision != "main" && nameOrFolder != "builtin")
        logWarning("--revision " + revision + " is ignored: " + nameOrFolder + " is a local folder");
    return resolved;
}

} // namespace pairtune::cli
