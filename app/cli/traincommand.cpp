#include "cli/commands.h"
#include "cli/modelargument.h"
#include "cli/progressline.h"
#include "core/error.h"
#include "dist/distributedcontext.h"
#include "recipe/losskind.h"
#include "recipe/modeltuning.h"
#include "recipe/trainingconfig.h"
#include "train/trainer.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

namespace pairtune::cli {
namespace {

struct TrainArgs
{
    TrainingConfig config;
    std::string resume;
    std::string revision = "main";
    std::string fileScores = "auto";
    bool json = false;
    bool quiet = false;
    bool allowDuplicates = false;
    bool noDropout = false;
    bool noGeneralCheck = false;
    bool allowChangedData = false;
    bool printConfig = false;
    std::string debugDump;
};

void addRecipeOptions(CLI::App *cmd, TrainArgs &a)
{
    TrainingConfig &c = a.config;
    cmd->add_option("--epochs", c.epochs, "Passes over the training pairs")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    cmd->add_option("--batch-size", c.batchSize,
           "Pairs per step; with MNRL every other pair in the batch is a negative")
        ->check(CLI::Range(1, 1 << 20))
        ->capture_default_str();
    cmd->add_option("--warmup-steps", c.warmupSteps, "Steps of linear learning-rate warm-up")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd->add_option(
           "--train-fraction", c.trainFraction, "Share of pairs used for training; the rest is held out")
        ->capture_default_str();
    cmd->add_option("--score-mean", c.scoreMean, "Mean of the synthetic pair scores")->capture_default_str();
    cmd->add_option("--score-scaling", c.scoreScaling, "Synthetic scores are mean + (U[0,1) - 0.5) / scaling")
        ->capture_default_str();
    cmd->add_option("--file-scores", a.fileScores, "Use the file's score column: auto, require or ignore")
        ->check(CLI::IsMember({ "auto", "require", "ignore" }))
        ->capture_default_str();
    cmd->add_option("--loss", c.loss, lossNamesText())
        ->check(CLI::IsMember(trainingLossNames()))
        ->capture_default_str();
    cmd->add_option("--similarity", c.similarity,
           similarityNamesText() + ", for the MNRL losses (cosine and cosent always use cosine)")
        ->check(CLI::IsMember(similarityNames()))
        ->capture_default_str();
    cmd->add_option("--scale", c.scale, "Multiplier of the similarities (MNRL, CoSENT)")
        ->capture_default_str();
    cmd->add_option("--lr", c.lr, "Peak learning rate")->capture_default_str();
    cmd->add_option("--weight-decay", c.weightDecay, "AdamW weight decay (not on bias/LayerNorm)")
        ->capture_default_str();
    cmd->add_option("--adam-beta1", c.adamBeta1, "AdamW beta1")->capture_default_str();
    cmd->add_option("--adam-beta2", c.adamBeta2, "AdamW beta2")->capture_default_str();
    cmd->add_option("--adam-epsilon", c.adamEpsilon, "AdamW epsilon")->capture_default_str();
    cmd->add_option("--max-grad-norm", c.maxGradNorm, "Clip the gradient norm (0 = off)")
        ->capture_default_str();
    cmd->add_option("--schedule", c.schedule, "Learning-rate schedule")->capture_default_str();
    cmd->add_option("--schedule-cycles", c.scheduleCycles,
           "Cycles of the cosine schedules (0 = the schedule's default: 0.5 cosine, 1 hard restarts)")
        ->capture_default_str();
    // A negative seed would silently wrap around to a huge unsigned one.
    cmd->add_option("--seed", c.seed, "Seed for scores, split, order and dropout")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd->add_option("--max-seq-length", c.maxSeqLength, "Tokens per text (0 = the model's)")
        ->capture_default_str();
    cmd->add_option("--eval-every", c.evalEvery, "Evaluate every N steps (0 = at epoch ends)")
        ->capture_default_str();
    cmd->add_option("--eval-sample", c.evalSample,
           "Held-out pairs scored by the evaluations between the first and the last, a fixed seeded sample "
           "(\"all\" = every pair every time; the first and last evaluation always score all)")
        ->transform(CLI::Transformer(std::map<std::string, std::string> { { "all", "0" } }))
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd->add_option("--checkpoint-every", c.checkpointEvery, "Checkpoint every N steps (0 = at epoch ends)")
        ->capture_default_str();
    cmd->add_option("--keep-checkpoints", c.keepCheckpoints, "Newest checkpoints kept (0 = all)")
        ->capture_default_str();
    cmd->add_option("--max-steps", c.maxSteps, "Stop after N steps (0 = no limit)")->capture_default_str();
    cmd->add_option("--threads", c.threads, "Compute threads (0 = automatic)")->capture_default_str();
    cmd->add_option("--device", c.device, "cpu or cuda")->capture_default_str();
    cmd->add_flag("--allow-duplicates", a.allowDuplicates,
        "Let one batch hold pairs that share a text (they become false negatives for MNRL)");
    cmd->add_flag(
        "--length-grouped", c.lengthGrouped, "Batch texts of similar length together (less padding)");
    cmd->add_flag("--grad-cache", c.gradCache,
        "GradCache for mnrl/mnrl_symmetric: the whole --batch-size stays one batch of in-batch negatives "
        "while memory follows a mini-batch (same gradients; a second forward pass per step)");
    cmd->add_option("--mini-batch-size", c.miniBatchSize,
           "Pairs per forward pass with --grad-cache (0 = chosen from free memory)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd->add_flag("--group-near-duplicates", c.groupNearDuplicates,
        "Keep each group of near-duplicate pairs (base-model cosine >= --near-duplicate-threshold) on one "
        "side of the train/eval split (inspect --near-duplicates finds them)");
    cmd->add_flag("--drop-near-duplicates", c.dropNearDuplicates,
        "Train on one pair per group of near-duplicate pairs (the others become false negatives in a batch)");
    cmd->add_option("--near-duplicate-threshold", c.nearDuplicateThreshold,
           "Base-model cosine at or above which texts are near-duplicates")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
    cmd->add_flag("--no-dropout", a.noDropout, "Train without dropout (for exact comparisons)");
    cmd->add_flag("--no-general-check", a.noGeneralCheck,
        "Skip the do-no-harm check (the shipped general-English pairs ranked before and after the run)");
    // Neither flag: Auto, resolved when the run starts (train/precision.h) and recorded in config.json.
    CLI::Option *bf16 = cmd->add_flag_callback(
        "--bf16", [&c] { c.bf16 = Bf16Mode::On; },
        "Matrix products in bfloat16 (autocast; weights stay float32), also on a GPU; refused on CPUs "
        "without native bf16. Default: bfloat16 on CPUs with AMX-BF16 (about 2x faster there), else float32 "
        "(with AVX512-BF16 alone bf16 measured no faster)");
    cmd->add_flag_callback(
           "--fp32", [&c] { c.bf16 = Bf16Mode::Off; },
           "Matrix products in float32 also on a CPU with native bf16 (exact comparisons, float references)")
        ->excludes(bf16);
    cmd->add_flag("--matryoshka", c.matryoshka,
        "Matryoshka training: the loss also at smaller sizes (default: the model's dimension halved down "
        "to 32, e.g. 384,192,96,48), so the first D numbers of an embedding work as a smaller one");
    cmd->add_option("--matryoshka-dims", c.matryoshkaDims,
           "Matryoshka sizes, largest first, e.g. 384,128,64 (implies --matryoshka)")
        ->delimiter(',');
    cmd->add_option("--matryoshka-weights", c.matryoshkaWeights,
           "Weight of the loss at each Matryoshka size, e.g. 1,1,0.5 (default 1 each)")
        ->delimiter(',');
    cmd->add_option(
        "--debug-dump", a.debugDump, "Write the first step's batch, loss and gradients to this folder");
    cmd->add_option("--best-metric", c.bestMetric, "Metric that picks the best checkpoint")
        ->capture_default_str();
}

// One line on stderr when the model's folder says these settings barely move it (pairtune_tuning.json,
// recipe/modeltuning.h): a run of the recipe's lr 2e-5 on the built-in model otherwise ends with
// hardly changed metrics and nothing saying why.
void warnAboutSlowSettings(const TrainingConfig &config, const std::string &modelFolder)
{
    const std::optional<ModelTuning> tuning = readModelTuning(modelFolder);
    if (!tuning)
        return;
    const std::string warning = slowSettingsWarning(config, *tuning);
    if (!warning.empty())
        std::fprintf(stderr, "pairtune-cli: warning: %s\n", warning.c_str());
}

} // namespace

void addTrainCommand(CLI::App &app)
{
    auto args = std::make_shared<TrainArgs>();
    CLI::App *cmd = app.add_subcommand(
        "train", "Fine-tune a model on pair files with the sentence-transformers recipe");
    cmd->add_option("--data", args->config.dataPaths, "Pair files (TSV, CSV, JSONL, JSON, XLSX, ODS)");
    cmd->add_option(
        "--sheet", args->config.dataSheet, "Workbooks (.xlsx, .ods): the sheet to read (default: the first)");
    cmd->add_option("--base", args->config.basePath,
        "Base model: a folder, builtin, or a Hugging Face Hub id (owner/name; a bare name means "
        "sentence-transformers/name)");
    addRevisionOption(cmd, args->revision);
    cmd->add_option("--out", args->config.outPath, "Run folder to create");
    cmd->add_option("--resume", args->resume, "Continue the run in this folder from its newest checkpoint");
    cmd->add_flag("--allow-changed-data", args->allowChangedData,
        "With --resume: continue even though a data file changed since the run started");
    addRecipeOptions(cmd, *args);
    cmd->add_flag("--json", args->json, "Print the summary as one JSON object on stdout");
    cmd->add_flag("--quiet", args->quiet, "No progress line");
    cmd->add_flag("--print-config", args->printConfig,
        "Print the training config these options make (config.json's \"training\") and exit: nothing is "
        "downloaded or trained");
    cmd->callback([args] {
        // The first Ctrl-C stops a download, or the trainer after the current step with a checkpoint.
        installInterruptHandler();
        // Under torchrun only rank 0 reports; the other processes train silently (docs/distributed.md).
        const bool reports = DistributedContext::fromEnvironment().isMain();
        ProgressLine progress(!args->quiet && reports);
        TrainingCallbacks callbacks;
        callbacks.onEvent = [&progress](const TrainingEvent &event) { progress.show(event); };
        callbacks.stopRequested = [] { return interruptRequested(); };
        callbacks.debugDumpFolder = args->debugDump;

        TrainingResult result;
        if (!args->resume.empty()) {
            result = resumeTraining(args->resume, callbacks, args->config.threads, args->allowChangedData);
        } else {
            TrainingConfig config = args->config;
            if (config.dataPaths.empty() || config.basePath.empty() || config.outPath.empty())
                throw Error(
                    "train needs --data FILE, --base DIR|builtin|HUB_ID and --out RUN (or --resume RUN)");
            config.noDuplicates = !args->allowDuplicates;
            config.dropout = !args->noDropout;
            config.generalCheck = !args->noGeneralCheck;
            config.matryoshka = config.matryoshka || !config.matryoshkaDims.empty();
            config.useFileScores = args->fileScores == "require" ? FileScores::Require
                : args->fileScores == "ignore"                   ? FileScores::Ignore
                                                                 : FileScores::Auto;
            if (args->printConfig) { // before the download: the options as parsed (tst_traincommandline)
                std::printf("%s\n", toJson(config).dump(2).c_str());
                return;
            }
            // A Hub model is downloaded here (progress, Ctrl-C) and the run trains from its snapshot
            // folder; the config records the repo, revision and commit, so a resume needs no network.
            const ResolvedModel base = resolveModelArgument(config.basePath, args->revision, args->quiet);
            if (!base.repoId.empty()) {
                config.basePath = base.folder;
                config.baseRepoId = base.repoId;
                config.baseRevision = base.revision;
                config.baseCommit = base.commit;
            }
            warnAboutSlowSettings(config, base.folder);
            result = runTraining(config, callbacks);
        }
        progress.finish();
        if (reports && args->json)
            std::printf("%s\n", toJson(result).dump(2).c_str());
        else if (reports)
            std::fputs(describeResult(result).c_str(), stdout);
        if (result.cancelled)
            throw Error(
                "training was interrupted; continue it with: pairtune-cli train --resume " + result.runPath,
                Error::Kind::Cancelled);
    });
}

} // namespace pairtune::cli
