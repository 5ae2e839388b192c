// pairtune-cli mine: hard negatives for a pair file (training/mine/hardnegativemining.h).

#include "cli/commands.h"
#include "cli/modelargument.h"
#include "core/error.h"
#include "data/pairdataset.h"
#include "data/pairfilewriter.h"
#include "mine/hardnegativemining.h"
#include "model/sentencemodel.h"

#include <cstdio>
#include <memory>
#include <optional>
#include <unistd.h>

namespace pairtune::cli {
namespace {
struct MineArgs
{
    std::vector<std::string> data;
    std::string sheet;
    std::string model;
    std::string revision = "main";
    std::string output;
    std::string report;
    std::string corpus;
    std::string sampling = "top";
    std::optional<double> maxScore;
    MiningOptions options;
    int threads = 0;
    std::string device = "cpu";
    bool quiet = false;
};

// "mined.jsonl" -> "mined.report.json": the report sits next to the pairs it describes.
std::string defaultReportPath(const std::string &output)
{
    const std::size_t slash = output.find_last_of('/');
    const std::size_t dot = output.find_last_of('.');
    const bool hasExtension = dot != std::string::npos && (slash == std::string::npos || dot > slash);
    return (hasExtension ? output.substr(0, dot) : output) + ".report.json";
}

void showProgress(const MiningProgress &p)
{
    std::fprintf(stderr, "\r%s %zu/%zu", p.stage == MiningStage::Embedding ? "embedding" : "searching",
        p.done, p.total);
    if (p.done == p.total)
        std::fputc('\n', stderr);
    std::fflush(stderr);
}
} // namespace

void addMineCommand(CLI::App &app)
{
    auto args = std::make_shared<MineArgs>();
    SelectionRules &rules = args->options.rules;
    CLI::App *cmd = app.add_subcommand("mine",
        "Add hard negatives (negative_1..k) to a pair file from each anchor's nearest training texts, "
        "skipping likely false negatives; held-out rows of the run's split never become negatives");
    cmd->add_option("--data", args->data, "Pair files (TSV, CSV, JSONL, JSON, XLSX, ODS), as for train")
        ->required();
    cmd->add_option(
        "--sheet", args->sheet, "Workbooks (.xlsx, .ods): the sheet to read (default: the first)");
    cmd->add_option("--model", args->model, "Model folder, builtin, or Hugging Face Hub id")->required();
    addRevisionOption(cmd, args->revision);
    cmd->add_option("--output", args->output, "OUT.jsonl: the pairs with negative_1..k columns")->required();
    cmd->add_option("--report", args->report, "Report JSON (default: OUT.report.json)");
    cmd->add_option(
        "--corpus", args->corpus, "More candidate texts, one per line (added to the training positives)");
    cmd->add_option("--num-negatives", rules.numNegatives, "Negatives per pair")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    cmd->add_option("--range-min", rules.rangeMin, "Skip this many nearest candidates that pass the guards")
        ->capture_default_str();
    rules.rangeMax = 0;
    cmd->add_option("--range-max", rules.rangeMax,
        "Draw from the nearest N candidates that pass the guards (0 = range-min + 10 x num-negatives, as "
        "sentence-transformers)");
    cmd->add_option("--relative-margin", rules.relativeMargin,
           "Skip candidates scoring above (1 - margin) x the anchor-positive score (NV-Retriever; 0.05 = at "
           "most "
           "95 %)")
        ->capture_default_str();
    cmd->add_option(
        "--max-score", args->maxScore, "Skip candidates whose cosine to the anchor is above this");
    cmd->add_option("--near-duplicate", rules.nearDuplicate,
           "Skip candidates whose cosine to the positive is at least this (above 1 = off)")
        ->capture_default_str();
    cmd->add_option("--sampling-strategy", args->sampling, "top (the hardest) or random (from the range)")
        ->check(CLI::IsMember({ "top", "random" }))
        ->capture_default_str();
    cmd->add_option("--seed", args->options.seed, "The run's seed: its split, and random sampling")
        ->capture_default_str();
    cmd->add_option("--train-fraction", args->options.trainFraction,
           "The run's share of training pairs; only these are mined from")
        ->capture_default_str();
    cmd->add_option("--batch-size", args->options.batchSize, "Texts per forward pass")
        ->check(CLI::Range(1, 65536))
        ->capture_default_str();
    cmd->add_option("--threads", args->threads, "Compute threads (0 = automatic)")->capture_default_str();
    cmd->add_option("--device", args->device, "cpu, cuda or cuda:N (a CUDA build of Pairtune)")
        ->capture_default_str();
    cmd->add_flag("--quiet", args->quiet, "No progress and no summary");
    cmd->callback([args] {
        applyThreads(args->threads);
        MiningOptions options = args->options;
        options.rules.maxScore = args->maxScore;
        options.rules.sampling
            = args->sampling == "random" ? SamplingStrategy::Random : SamplingStrategy::Top;
        ImportOptions importOptions;
        importOptions.sheet = args->sheet;
        const PairDataset pairs = PairDataset::loadMany(args->data, importOptions);
        const std::vector<std::string> corpus
            = args->corpus.empty() ? std::vector<std::string>() : readLines(args->corpus);
        SentenceModel model
            = SentenceModel::load(resolveModelArgument(args->model, args->revision, args->quiet).folder);
        if (args->device != "cpu")
            model.moveTo(args->device);
        installInterruptHandler();
        MiningCallbacks callbacks;
        callbacks.cancelRequested = [] { return interruptRequested(); };
        if (!args->quiet && isatty(STDERR_FILENO))
            callbacks.onProgress = showProgress;
        const MiningResult result = mineHardNegatives(model, pairs, corpus, options, callbacks);
        writePairsJsonl(result.pairs, args->output);
        writeText(args->report.empty() ? defaultReportPath(args->output) : args->report,
            miningReportJson(result.report));
        if (!args->quiet)
            std::fputs(miningReportText(result.report).c_str(), stdout);
    });
}

} // namespace pairtune::cli
