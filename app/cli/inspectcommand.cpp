#include "cli/commands.h"
#include "cli/modelargument.h"
#include "core/error.h"
#include "data/datareport.h"
#include "data/pairdataset.h"
#include "mine/nearduplicates.h"
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
    bool nearDuplicates = false;
    double threshold = kDefaultNearDuplicateThreshold;
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
    cmd->add_flag("--near-duplicates", args->nearDuplicates,
        "Also find near-duplicate pairs under --model: within the training part and across the split");
    cmd->add_option("--threshold", args->threshold, "Cosine at or above which texts are near-duplicates")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
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
        std::optional<NearDuplicateReport> nearDuplicates;
        if (args->nearDuplicates) {
            if (!model)
                throw Error(
                    "--near-duplicates compares texts under a model: add --model (builtin, a folder or a "
                    "Hub id; the base model you will train)",
                    Error::Kind::InvalidInput);
            NearDuplicateOptions options;
            options.threshold = args->threshold;
            const NearDuplicateGroups groups = findNearDuplicateGroups(*model, data.records(), options);
            Split nearSplit = split;
            if (nearSplit.train.empty() && nearSplit.eval.empty()) // --train-fraction 1: all is training
                for (std::size_t r = 0; r < data.size(); ++r)
                    nearSplit.train.push_back(r);
            nearDuplicates = reportNearDuplicates(groups, nearSplit);
        }
        if (args->json) {
            nlohmann::json out = toJson(report);
            if (nearDuplicates)
                out["near_duplicates"] = nlohmann::json::parse(nearDuplicateReportJson(*nearDuplicates));
            std::printf("%s\n", out.dump(2).c_str());
        } else {
            std::fputs(formatReport(report).c_str(), stdout);
            if (nearDuplicates)
                std::fputs(("\n" + nearDuplicateReportText(*nearDuplicates)).c_str(), stdout);
        }
    });
}

} // namespace pairtune::cli
