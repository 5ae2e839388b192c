// pairtune-cli match: is each line's pair of texts a match? The cosine of the two texts (the first with
// the model's anchor prompt, the second with its positive prompt, as the threshold was measured) against
// a threshold given as a number or stored with the model (similarity_threshold.json).

#include "cli/commands.h"
#include "cli/modelargument.h"
#include "core/error.h"
#include "model/prompts.h"
#include "model/sentencemodel.h"
#include "train/similaritythreshold.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>

namespace pairtune::cli {
namespace {

struct MatchArgs
{
    std::string model;
    std::string revision = "main";
    std::string threshold = "auto";
    std::string input;
    std::string output;
    std::size_t batchSize = 32;
    int threads = 0;
};

// "auto": the model folder's stored threshold; otherwise a number.
float resolveThreshold(const std::string &value, const std::string &modelFolder)
{
    if (value == "auto") {
        const std::optional<SimilarityThreshold> stored = readSimilarityThreshold(modelFolder);
        if (!stored)
            throw Error((std::filesystem::path(modelFolder) / kSimilarityThresholdFile).string()
                + " does not exist: this model has no stored threshold; measure one with `pairtune-cli "
                  "eval --threshold f1 --model FOLDER --data PAIRS --write`, or pass --threshold VALUE");
        return stored->point.threshold;
    }
    float number = 0.0f;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (error != std::errc() || end != value.data() + value.size() || !std::isfinite(number))
        throw Error("--threshold \"" + value + "\": use auto (the model's similarity_threshold.json) or a "
            + "cosine such as 0.75");
    return number;
}

} // namespace

void addMatchCommand(CLI::App &app)
{
    auto args = std::make_shared<MatchArgs>();
    CLI::App *cmd = app.add_subcommand("match",
        "For each line's two tab-separated texts: their cosine and whether it reaches the threshold");
    cmd->add_option("--model", args->model, "Model folder, builtin, or Hugging Face Hub id")->required();
    addRevisionOption(cmd, args->revision);
    cmd->add_option("--threshold", args->threshold,
           "auto (the model folder's " + std::string(kSimilarityThresholdFile) + ") or a cosine")
        ->capture_default_str();
    cmd->add_option("--input", args->input, "Lines TEXT1<TAB>TEXT2, or - for stdin")->required();
    cmd->add_option("--output", args->output, "TSV cosine, match (yes/no), text1, text2 (default: stdout)");
    cmd->add_option("--batch-size", args->batchSize, "Texts per forward pass")
        ->check(CLI::Range(1, 65536))
        ->capture_default_str();
    cmd->add_option("--threads", args->threads, "Compute threads (0 = automatic)");
    cmd->callback([args] {
        applyThreads(args->threads);
        const std::string folder = resolveModelArgument(args->model, args->revision).folder;
        const float threshold = resolveThreshold(args->threshold, folder);
        std::vector<std::string> first;
        std::vector<std::string> second;
        const std::vector<std::string> lines = readLines(args->input);
        for (std::size_t i = 0; i < lines.size(); ++i) {
            const std::size_t tab = lines[i].find('\t');
            if (tab == std::string::npos)
                throw Error(locate(args->input, i + 1, 0, "needs two texts separated by a tab"));
            first.push_back(lines[i].substr(0, tab));
            second.push_back(lines[i].substr(tab + 1));
        }
        const SentenceModel model = SentenceModel::load(folder);
        const ColumnPrompts prompts = columnPrompts(model.prompts());
        const Embeddings a = model.encodeWithPrompt(first, prompts.anchor, args->batchSize);
        const Embeddings b = model.encodeWithPrompt(second, prompts.positive, args->batchSize);
        std::string out = "cosine\tmatch\ttext1\ttext2\n";
        for (std::size_t i = 0; i < lines.size(); ++i) {
            double ab = 0.0;
            double aa = 0.0;
            double bb = 0.0;
            for (std::size_t c = 0; c < a.dim; ++c) {
                ab += static_cast<double>(a.row(i)[c]) * b.row(i)[c];
                aa += static_cast<double>(a.row(i)[c]) * a.row(i)[c];
                bb += static_cast<double>(b.row(i)[c]) * b.row(i)[c];
            }
            const double cosine = ab / std::max(std::sqrt(aa) * std::sqrt(bb), 1e-12);
            char score[32];
            std::snprintf(score, sizeof score, "%.6f", cosine);
            out += std::string(score) + (static_cast<float>(cosine) >= threshold ? "\tyes\t" : "\tno\t")
                + first[i] + '\t' + second[i] + '\n';
        }
        writeText(args->output, out);
    });
}

} // namespace pairtune::cli
