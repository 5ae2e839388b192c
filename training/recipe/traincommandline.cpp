#include "recipe/traincommandline.h"

#include <charconv>
#include <cstdint>
#include <sstream>

namespace pairtune {
namespace {

// The shortest text that reads back as the same double (std::to_chars' guarantee): "2e-05", "0.8".
std::string number(double value)
{
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
}

std::string number(std::int64_t value)
{
    return std::to_string(value);
}

std::string number(int value)
{
    return std::to_string(value);
}

template <typename T> std::string joinedNumbers(const std::vector<T> &values)
{
    std::string text;
    for (const T &value : values)
        text += (text.empty() ? "" : ",") + number(value);
    return text;
}

// Arguments as lines of a shell command: each option with its values on one line, lines continued
// with a backslash, so a long command stays readable and any line can be edited by hand.
std::string continuedLines(const std::vector<std::string> &arguments, const std::string &indent)
{
    std::string text;
    bool optionSeen = false; // the program (and srun before it) and the first option share the first line
    for (const std::string &argument : arguments) {
        const bool option = argument.rfind("--", 0) == 0;
        if (option && optionSeen)
            text += " \\\n" + indent;
        else if (!text.empty())
            text += ' ';
        optionSeen = optionSeen || option;
        text += shellQuoted(argument);
    }
    return text;
}

std::vector<std::string> launcherArguments(const TorchrunLaunch &launch, const std::string &nodes,
    const std::string &rendezvousId, const std::string &endpoint)
{
    // --redirects 2 --tee 2 (-r 2 -t 2): the workers' stderr to torchrun's log folder and the console.
    // Debian 12's torchrun (torch 1.13 on Python 3.11) dies before starting a worker without a non-zero
    // value there (docs/pitfalls.md §8; found running this script under Slurm); torch 2.x takes the same.
    std::vector<std::string> out { "--nproc_per_node", std::to_string(launch.processesPerNode), "--redirects",
        "2", "--tee", "2" };
    if (launch.nodes > 1)
        out.insert(out.end(),
            { "--nnodes", nodes, "--rdzv_id", rendezvousId, "--rdzv_backend", "c10d", "--rdzv_endpoint",
                endpoint });
    out.insert(out.end(), { "--no_python", launch.program });
    return out;
}

// `--device cuda...` among the train arguments: one GPU per process.
bool usesGpus(const std::vector<std::string> &arguments)
{
    for (std::size_t i = 0; i + 1 < arguments.size(); ++i)
        if (arguments[i] == "--device" && arguments[i + 1].rfind("cuda", 0) == 0)
            return true;
    return false;
}

} // namespace

std::vector<std::string> trainCommandArguments(const TrainingConfig &c)
{
    std::vector<std::string> args { "train", "--data" };
    args.insert(args.end(), c.dataPaths.begin(), c.dataPaths.end());
    if (!c.dataSheet.empty())
        args.insert(args.end(), { "--sheet", c.dataSheet });
    if (!c.baseRepoId.empty()) {
        // The snapshot folder is this computer's cache; the repo at its commit is the same model anywhere.
        args.insert(args.end(), { "--base", c.baseRepoId });
        const std::string &revision = c.baseCommit.empty() ? c.baseRevision : c.baseCommit;
        if (!revision.empty())
            args.insert(args.end(), { "--revision", revision });
    } else {
        args.insert(args.end(), { "--base", c.basePath });
    }
    args.insert(args.end(),
        { "--out", c.outPath, "--epochs", number(c.epochs), "--batch-size", number(c.batchSize),
            "--warmup-steps", number(c.warmupSteps), "--train-fraction", number(c.trainFraction),
            "--score-mean", number(c.scoreMean), "--score-scaling", number(c.scoreScaling), "--file-scores",
            fileScoresName(c.useFileScores), "--loss", c.loss, "--similarity", c.similarity, "--scale",
            number(c.scale), "--lr", number(c.lr), "--weight-decay", number(c.weightDecay), "--adam-beta1",
            number(c.adamBeta1), "--adam-beta2", number(c.adamBeta2), "--adam-epsilon", number(c.adamEpsilon),
            "--max-grad-norm", number(c.maxGradNorm), "--schedule", c.schedule, "--schedule-cycles",
            number(c.scheduleCycles), "--seed", std::to_string(c.seed), "--max-seq-length",
            number(c.maxSeqLength), "--eval-every", number(c.evalEvery), "--eval-sample",
            number(c.evalSample), "--checkpoint-every", number(c.checkpointEvery), "--keep-checkpoints",
            number(c.keepCheckpoints), "--max-steps", number(c.maxSteps), "--threads", number(c.threads),
            "--device", c.device });
    if (!c.noDuplicates)
        args.push_back("--allow-duplicates");
    if (c.lengthGrouped)
        args.push_back("--length-grouped");
    if (c.gradCache)
        args.push_back("--grad-cache");
    args.insert(args.end(), { "--mini-batch-size", number(c.miniBatchSize) });
    if (c.groupNearDuplicates)
        args.push_back("--group-near-duplicates");
    if (c.dropNearDuplicates)
        args.push_back("--drop-near-duplicates");
    args.insert(args.end(), { "--near-duplicate-threshold", number(c.nearDuplicateThreshold) });
    if (!c.dropout)
        args.push_back("--no-dropout");
    if (!c.generalCheck)
        args.push_back("--no-general-check");
    if (c.bf16 != Bf16Mode::Auto) // Auto is the CLI's default: a new run resolves it on its machine
        args.push_back(c.bf16 == Bf16Mode::On ? "--bf16" : "--fp32");
    if (c.matryoshka) {
        args.push_back("--matryoshka");
        if (!c.matryoshkaDims.empty())
            args.insert(args.end(), { "--matryoshka-dims", joinedNumbers(c.matryoshkaDims) });
        if (!c.matryoshkaWeights.empty())
            args.insert(args.end(), { "--matryoshka-weights", joinedNumbers(c.matryoshkaWeights) });
    }
    args.insert(args.end(), { "--best-metric", c.bestMetric });
    return args;
}

std::string shellQuoted(const std::string &argument)
{
    static const std::string plain
        = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=.,/:@%";
    if (!argument.empty() && argument.find_first_not_of(plain) == std::string::npos)
        return argument;
    std::string quoted = "'";
    for (const char ch : argument)
        quoted += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
    return quoted + "'";
}

std::string torchrunCommand(const TorchrunLaunch &launch, const std::vector<std::string> &arguments)
{
    std::vector<std::string> all { "torchrun" };
    const auto launcher
        = launcherArguments(launch, std::to_string(launch.nodes), "pairtune", launch.endpoint);
    all.insert(all.end(), launcher.begin(), launcher.end());
    all.insert(all.end(), arguments.begin(), arguments.end());
    return continuedLines(all, "    ");
}

std::string slurmScript(const TorchrunLaunch &launch, const std::vector<std::string> &arguments)
{
    const std::size_t colon = launch.endpoint.rfind(':');
    const std::string port = colon == std::string::npos ? "29500" : launch.endpoint.substr(colon + 1);
    std::ostringstream script;
    // Whole nodes: the one task per node gets every core of it (and srun's step with it), where
    // Slurm's default of one CPU per task would pin torchrun and all its processes to a single core
    // (measured under Slurm 22.05 with task/affinity: nproc 1 without, 2 with --exclusive).
    script << "#!/bin/bash\n#SBATCH --nodes=" << launch.nodes << "\n#SBATCH --ntasks-per-node=1\n"
           << "#SBATCH --exclusive\n";
    if (usesGpus(arguments))
        script << "#SBATCH --gpus-per-node=" << launch.processesPerNode << "\n";
    script << "# torchrun starts the " << launch.processesPerNode
           << (launch.processesPerNode == 1 ? " process" : " processes")
           << " of a node; the first node of the allocation hosts the rendezvous.\n"
           << "head_node=$(scontrol show hostnames \"$SLURM_JOB_NODELIST\" | head -n 1)\n";
    // Slurm's variables must expand: placeholders (plain words for shellQuoted) become double-quoted
    // variables after quoting.
    std::vector<std::string> launcher = launcherArguments(launch, "@NODES@", "@JOB@", "@ENDPOINT@");
    std::vector<std::string> all { "srun", "torchrun" };
    all.insert(all.end(), launcher.begin(), launcher.end());
    all.insert(all.end(), arguments.begin(), arguments.end());
    std::string command = continuedLines(all, "    ");
    for (const auto &[placeholder, value] :
        std::vector<std::pair<std::string, std::string>> { { "@NODES@", "\"$SLURM_NNODES\"" },
            { "@JOB@", "\"$SLURM_JOB_ID\"" }, { "@ENDPOINT@", "\"$head_node:" + port + "\"" } }) {
        if (const auto at = command.find(placeholder); at != std::string::npos)
            command.replace(at, placeholder.size(), value);
    }
    script << command << "\n";
    return script.str();
}

} // namespace pairtune
