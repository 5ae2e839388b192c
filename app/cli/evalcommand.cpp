#include "cli/commands.h"
#include "cli/evalcompare.h"
#include "cli/evalthreshold.h"
#include "cli/modelargument.h"
#include "model/sentencemodel.h"
#include "recipe/losskind.h"
#include "train/evaluator.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>

namespace pairtune::cli {
namespace {
struct EvalArgs
{
    std::string model;
    std::string revision = "main";
    std::string data;
    EvalOptions options;
    bool json = false;
    int threads = 0;
    std::vector<std::string> compare; // BASE TUNED
    EvalCompareArgs verdict;
    EvalThresholdArgs threshold;
};
} // namespace

void addEvalCommand(CLI::App &app)
{
    auto args = std::make_shared<EvalArgs>();
    CLI::App *cmd = app.add_subcommand(
        "eval", "Evaluate a model on every pair of a file (retrieval and similarity), or compare two");
    CLI::Option *modelOption
        = cmd->add_option("--model", args->model, "Model folder, builtin, or Hugging Face Hub id");
    CLI::Option *compareOption = cmd->add_option("--compare", args->compare,
                                        "BASE TUNED: did tuning help? Metrics of both with paired bootstrap "
                                        "intervals of the difference, a verdict and the biggest rank changes")
                                     ->expected(2)
                                     ->excludes(modelOption);
    addRevisionOption(cmd, args->revision);
    cmd->add_option("--data", args->data, "Pair file")->required();
    cmd->add_option("--resamples", args->verdict.resamples, "--compare: bootstrap resamples")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd->add_option("--confidence", args->verdict.confidence, "--compare: level of the intervals")
        ->check(CLI::Range(0.5, 0.999))
        ->capture_default_str();
    cmd->add_option("--seed", args->verdict.seed, "--compare: seed of the resampling")->capture_default_str();
    cmd->add_option("--top", args->verdict.listed, "--compare: gains and losses listed")
        ->capture_default_str();
    cmd->add_flag("--markdown", args->verdict.markdown, "--compare: print the model card's Markdown section");
    cmd->add_flag("--general-check", args->verdict.generalCheck,
        "--compare: also the do-no-harm check (the general-English pairs shipped with Pairtune)");
    cmd->add_option("--ranks", args->verdict.ranksPath,
        "--compare: write every pair's rank before and after to this TSV (empty: beyond the top 100)");
    CLI::Option *thresholdOption = cmd->add_option("--threshold", args->threshold.target,
                                          "f1 or precision=X: the cosine threshold for \"is this a match?\" "
                                          "on the file's pairs and non-pairs")
                                       ->excludes(compareOption);
    cmd->add_flag("--write", args->threshold.write,
        "--threshold: store it in the model folder (similarity_threshold.json and the model card)");
    cmd->add_option("--loss", args->options.loss, "Loss used for eval_loss: " + lossNamesText())
        ->check(CLI::IsMember(trainingLossNames()))
        ->capture_default_str();
    cmd->add_option("--similarity", args->options.similarity, similarityNamesText() + " (for eval_loss)")
        ->capture_default_str();
    cmd->add_option("--scale", args->options.scale, "Similarity scale (for eval_loss)")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd->add_option("--threads", args->threads, "Compute threads (0 = automatic)");
    cmd->add_flag("--json", args->json, "Print one JSON object");
    cmd->callback([args, modelOption, compareOption, thresholdOption] {
        if (modelOption->count() == 0 && compareOption->count() == 0)
            throw CLI::RequiredError("--model or --compare");
        applyThreads(args->threads);
        if (thresholdOption->count() > 0) {
            EvalThresholdArgs &threshold = args->threshold;
            threshold.model = args->model;
            threshold.revision = args->revision;
            threshold.data = args->data;
            threshold.json = args->json;
            runEvalThreshold(threshold);
            return;
        }
        if (compareOption->count() > 0) {
            EvalCompareArgs &verdict = args->verdict;
            verdict.base = args->compare.at(0);
            verdict.tuned = args->compare.at(1);
            verdict.revision = args->revision;
            verdict.data = args->data;
            verdict.json = args->json;
            runEvalCompare(verdict);
            return;
        }
        const EvalSet set = readEvalSet(args->data);
        const SentenceModel model
            = SentenceModel::load(resolveModelArgument(args->model, args->revision).folder);
        const auto metrics = evaluate(model, set, args->options);
        if (args->json) {
            std::printf("%s\n",
                nlohmann::json { { "pairs", set.anchors.size() }, { "metrics", metrics } }.dump(2).c_str());
            return;
        }
        std::printf("%zu pairs\n", set.anchors.size());
        for (const auto &[key, value] : metrics)
            std::printf("%-16s %.4f\n", key.c_str(), value);
    });
}

} // namespace pairtune::cli
