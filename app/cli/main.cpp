// pairtune-cli: the headless face of the engine, for users, scripts, CI and GPU machines.

#include "cli/commands.h"
#include "core/error.h"
#include "model/runtime.h"
#include "pairtune/version.h"

#include <cstdio>
#include <exception>
#include <string>

int main(int argc, char **argv)
{
    // Commands that multiply matrices may execute themselves again with OPENBLAS_CORETYPE set (loading
    // LibTorch a second time costs about a second, not worth it for the quick commands).
    if (argc > 1) {
        const std::string command = argv[1];
        if (command == "train" || command == "embed" || command == "eval" || command == "mine")
            pairtune::selectFastBlasKernels(argv);
    }
    CLI::App app { "Pairtune: fine-tune sentence-embedding models on pairs of texts", "pairtune-cli" };
    app.set_version_flag("--version", std::string("pairtune-cli ") + pairtune::kVersion);
    app.require_subcommand(1);
    app.fallthrough();

    pairtune::cli::addCreateCommand(app);
    pairtune::cli::addEmbedCommand(app);
    pairtune::cli::addTokenizeCommand(app);
    pairtune::cli::addTrainCommand(app);
    pairtune::cli::addEvalCommand(app);
    pairtune::cli::addInspectCommand(app);
    pairtune::cli::addExportCommand(app);
    pairtune::cli::addTrainSpmCommand(app);
    pairtune::cli::addCompareCommand(app);
    pairtune::cli::addMineCommand(app);
    pairtune::cli::addMatchCommand(app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::Success &e) { // --help, --version
        return app.exit(e);
    } catch (const CLI::ParseError &e) {
        // One line, like every other error; `--help` shows the usage.
        std::string message = e.what();
        for (char &c : message) {
            if (c == '\n')
                c = ' ';
        }
        std::fprintf(stderr, "pairtune-cli: error: %s (see --help)\n", message.c_str());
        return 2;
    } catch (const pairtune::Error &e) {
        std::fprintf(stderr, "pairtune-cli: error: %s\n", e.what());
        return e.kind() == pairtune::Error::Kind::Cancelled ? 130 : 1;
    } catch (const std::exception &e) {
        // Not an error the engine anticipated (e.g. a LibTorch error): still one line, never a crash.
        std::string message = e.what();
        message = message.substr(0, message.find('\n')); // LibTorch appends a backtrace
        std::fprintf(stderr, "pairtune-cli: internal error: %s\n", message.c_str());
        return 3;
    }
    return 0;
}
