// The studio's "Run on a cluster..." text without the studio (bench/slurm_local.sh): reads the training
// config that `pairtune-cli train ... --print-config` prints on stdin and writes what the dialog writes
// for it, with the dialog's own engine functions (recipe/traincommandline.h) and its choices as options:
//   pairtune-cluster-command [--slurm] [--nodes M] [--nproc N] [--endpoint HOST:PORT] [--per-process]
// By default the global batch is kept, as the dialog's default: --batch-size B/(N*M), refused if uneven.

#include "recipe/traincommandline.h"
#include "recipe/trainingconfig.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

int main(int argc, char **argv)
{
    pairtune::TorchrunLaunch launch;
    bool slurm = false;
    bool keepGlobal = true;
    for (int i = 1; i < argc; ++i) {
        const std::string option = argv[i];
        const bool hasValue = i + 1 < argc;
        if (option == "--slurm")
            slurm = true;
        else if (option == "--per-process")
            keepGlobal = false;
        else if (option == "--nodes" && hasValue)
            launch.nodes = std::atoi(argv[++i]);
        else if (option == "--nproc" && hasValue)
            launch.processesPerNode = std::atoi(argv[++i]);
        else if (option == "--endpoint" && hasValue)
            launch.endpoint = argv[++i];
        else {
            std::cerr << "usage: pairtune-cli train ... --print-config | " << argv[0]
                      << " [--slurm] [--nodes M] [--nproc N] [--endpoint HOST:PORT] [--per-process]\n";
            return 2;
        }
    }
    try {
        pairtune::TrainingConfig config
            = pairtune::trainingConfigFromJson(nlohmann::json::parse(std::cin), "stdin");
        const int processes = launch.nodes * launch.processesPerNode;
        if (keepGlobal) { // ui/clustercommanddialog.cpp commandConfig()
            if (processes < 1 || config.batchSize % processes != 0) {
                std::cerr << "batch size " << config.batchSize << " does not split over " << processes
                          << " processes\n";
                return 1;
            }
            config.batchSize /= processes;
        }
        const auto arguments = pairtune::trainCommandArguments(config);
        std::cout << (slurm ? pairtune::slurmScript(launch, arguments)
                            : pairtune::torchrunCommand(launch, arguments) + "\n");
    } catch (const std::exception &e) {
        std::cerr << argv[0] << ": " << e.what() << "\n";
        return 1;
    }
    return 0;
}
