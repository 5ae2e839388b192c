#include "cli/commands.h"
#include "cli/modelargument.h"
#include "data/pairdataset.h"
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
};
} // namespace

void addEvalCommand(CLI::App &app)
{
    auto args = std::make_shared<EvalArgs>();
    CLI::App *cmd
        = app.add_subcommand("eval", "Evaluate a model on every pair of a file (retrieval and similarity)");
    cmd->add_option("--model", args->model, "Model folder, builtin, or Hugging Face Hub id")->required();
    addRevisionOption(cmd, args->revision);
    cmd->add_option("--data", args->data, "Pair file")->required();
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
    cmd->callback([args] {
        applyThreads(args->threads);
        const PairDataset data = PairDataset::load(args->data);
        const SentenceModel model
            = SentenceModel::load(resolveModelArgument(args->model, args->revision).folder);
        EvalSet set;
        set.scoresFromFile = data.hasScores();
        for (const PairRecord &r : data.records()) {
            set.anchors.push_back(r.anchor);
            set.positives.push_back(r.positive);
            set.negatives.push_back(r.negatives);
            set.scores.push_back(r.score.value_or(1.0f));
        }
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
