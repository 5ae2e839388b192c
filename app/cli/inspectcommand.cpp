#include "cli/commands.h"
#include "cli/modelargument.h"
#include "data/datareport.h"
#include "data/pairdataset.h"
#include "model/sentencemodel.h"
#include "recipe/datasplit.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>

namespace pairtune::cli {
namespace {
struct InspectArgs
{
    std::vector<std::string> data;
    std::string sheet;
    std::string model;
    std::string revision = "main";
    double trainFraction = 0.8;
    std::uint64_t seed = 42;
    bool json = false;
};
} // namespace

void addInspectCommand(CLI::App &app)
{
    auto args = std::make_shared<InspectArgs>();
    CLI::App *cmd = app.add_subcommand("inspect", "Check pair files: counts, duplicates, lengths, the split");
    cmd->add_option("--data", args->data, "Pair files (TSV, CSV, JSONL, JSON, XLSX, ODS)")->required();
    cmd->add_option(
        "--sheet", args->sheet, "Workbooks (.xlsx, .ods): the sheet to read (default: the first)");
    cmd->add_option("--model", args->model,
        "Model folder, builtin or Hugging Face Hub id, for token lengths and max_seq_length");
    addRevisionOption(cmd, args->revision);
    cmd->add_option("--train-fraction", args->trainFraction, "Split to check for shared texts")
        ->check(CLI::Validator(
            [](std::string &text) {
                const double v = std::strtod(text.c_str(), nullptr);
                return v > 0.0 && v <= 1.0 ? std::string() : "must be greater than 0 and at most 1";
            },
            "(0, 1]"))
        ->capture_default_str();
    // A negative seed would silently wrap around to a huge unsigned one.
    cmd->add_option("--seed", args->seed, "Split seed")->check(CLI::NonNegativeNumber)->capture_default_str();
    cmd->add_flag("--json", args->json, "Print one JSON object");
    cmd->callback([args] {
        ImportOptions options;
        options.sheet = args->sheet;
        const PairDataset data = PairDataset::loadMany(args->data, options);
        std::optional<SentenceModel> model;
        if (!args->model.empty())
            model.emplace(SentenceModel::load(resolveModelArgument(args->model, args->revision).folder));
        std::function<std::size_t(std::string_view)> tokenCount;
        std::size_t maxSeqLength = 0;
        if (model) {
            tokenCount
                = [&model](std::string_view text) { return model->tokenizer().encode(text, 0).ids.size(); };
            maxSeqLength = static_cast<std::size_t>(model->summary().maxSeqLength);
        }
        Split split;
        if (data.size() >= 2 && args->trainFraction < 1.0)
            split = splitIndices(data.size(), args->trainFraction, args->seed);
        const DataReport report = buildReport(data, tokenCount, maxSeqLength, split.train, split.eval);
        if (args->json)
            std::printf("%s\n", toJson(report).dump(2).c_str());
        else
            std::fputs(formatReport(report).c_str(), stdout);
    });
}

} // namespace pairtune::cli
