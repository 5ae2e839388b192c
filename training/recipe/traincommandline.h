#pragma once

// A TrainingConfig written back as `pairtune-cli train` arguments, and the torchrun command lines that
// start them on several processes (issue 19, docs/distributed.md "From the studio"). The studio's
// "Run on a cluster..." dialog shows these; the flags are made here, once, never by a widget, and
// tst_traincommandline parses them back through the real CLI to the same config.

#include "recipe/trainingconfig.h"

#include <string>
#include <vector>

namespace pairtune {

// "train", then every option that sets a field of `config` (values written so they parse back to the
// same number), in the order of `pairtune-cli train --help`. A Hub base (baseRepoId set) is written as
// its repo id pinned to the commit it resolved to (`--base owner/name --revision COMMIT`), so every node
// downloads the same snapshot. Matryoshka sizes and weights are written only when matryoshka is on
// (they mean nothing otherwise, and the CLI switches it on when sizes are given).
std::vector<std::string> trainCommandArguments(const TrainingConfig &config);

// One argument quoted for a POSIX shell: unchanged when it needs no quoting, else in single quotes.
std::string shellQuoted(const std::string &argument);

struct TorchrunLaunch
{
    int processesPerNode = 1; // torchrun --nproc_per_node
    int nodes = 1; // torchrun --nnodes; above 1 the c10d rendezvous at `endpoint` joins them
    std::string endpoint = "HOST:29500"; // a node every node reaches, and a free port on it
    std::string program = "pairtune-cli"; // started with --no_python: it must be on every node's PATH
};

// `torchrun --nproc_per_node N --redirects 2 --tee 2 [--nnodes M --rdzv_id pairtune --rdzv_backend
// c10d --rdzv_endpoint E] --no_python PROGRAM ARGS...`, quoted for a shell, one option per continued line.
std::string torchrunCommand(const TorchrunLaunch &launch, const std::vector<std::string> &arguments);

// A Slurm batch script: whole nodes (--exclusive; --gpus-per-node N for --device cuda), one task per
// node, each running torchrun with the node count and the first node of the allocation as the
// rendezvous endpoint (`srun torchrun ...`).
std::string slurmScript(const TorchrunLaunch &launch, const std::vector<std::string> &arguments);

} // namespace pairtune
