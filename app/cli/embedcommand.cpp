#include "cli/commands.h"
#include "cli/modelargument.h"
#include "core/error.h"
#include "io/npy.h"
#include "model/prompts.h"
#include "model/sentencemodel.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>

namespace pairtune::cli {
namespace {
struct EmbedArgs
{
    std::string model;
    std::string revision = "main";
    std::string input;
    std::string output;
    std::size_t batchSize = 32;
    int threads = 0;
    std::string device = "cpu";
    std::optional<std::string> promptName; // encode(prompt_name=...)
    std::optional<std::string> prompt; // encode(prompt=...)
    bool int8 = false;
    std::size_t truncateDim = 0; // SentenceTransformer(truncate_dim=...); 0 = the full size
};

bool endsWith(const std::string &s, const std::string &suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
// encode(truncate_dim=dim, normalize_embeddings=True): the first dim numbers of each row, then each row
// divided by its L2 norm (F.normalize's floor of 1e-12), in that order as sentence-transformers does.
Embeddings truncatedUnitRows(const Embeddings &full, std::size_t dim)
{
    Embeddings out;
    out.rows = full.rows;
    out.dim = dim;
    out.values.reserve(full.rows * dim);
    for (std::size_t i = 0; i < full.rows; ++i) {
        const float *row = full.row(i);
        double squares = 0.0;
        for (std::size_t j = 0; j < dim; ++j)
            squares += static_cast<double>(row[j]) * row[j];
        const double norm = std::max(std::sqrt(squares), 1e-12);
        for (std::size_t j = 0; j < dim; ++j)
            out.values.push_back(static_cast<float>(row[j] / norm));
    }
    return out;
}
} // namespace

void addEmbedCommand(CLI::App &app)
{
    auto args = std::make_shared<EmbedArgs>();
    CLI::App *cmd = app.add_subcommand("embed", "Embed texts, one per input line, into .npy or .jsonl");
    cmd->add_option("--model", args->model, "Model folder, builtin, or Hugging Face Hub id")->required();
    addRevisionOption(cmd, args->revision);
    cmd->add_option("--input", args->input, "Text file, one text per line, or - for stdin")->required();
    cmd->add_option("--output", args->output, "OUT.npy (float32 rows × dim) or OUT.jsonl")->required();
    cmd->add_option("--batch-size", args->batchSize, "Texts per forward pass")
        ->check(CLI::Range(1, 65536))
        ->capture_default_str();
    cmd->add_option("--threads", args->threads, "Compute threads (0 = automatic)")->capture_default_str();
    cmd->add_option("--device", args->device, "cpu, cuda or cuda:N (a CUDA build of Pairtune)")
        ->capture_default_str();
    cmd->add_option("--prompt-name", args->promptName,
        "Prepend the model's prompt of this name (config_sentence_transformers.json); without it and "
        "--prompt, default_prompt_name's prompt when the model sets one");
    cmd->add_option("--prompt", args->prompt, "Prepend this text to every input (\"\" = no prompt)")
        ->excludes("--prompt-name");
    cmd->add_flag("--int8", args->int8,
        "Dense layers in int8, dynamically quantised (as torch's quantize_dynamic): faster on the CPU, "
        "vectors within a cosine of 0.999 of float32 (BERT, DistilBERT, RoBERTa, XLM-R)");
    cmd->add_option("--truncate-dim", args->truncateDim,
           "Keep the first D numbers of each embedding, then normalise it to length 1 "
           "(sentence-transformers' "
           "truncate_dim; for a model trained with Matryoshka sizes)")
        ->check(CLI::PositiveNumber);
    cmd->callback([args] {
        const bool npy = endsWith(args->output, ".npy");
        if (!npy && !endsWith(args->output, ".jsonl"))
            throw Error("--output must end in .npy or .jsonl: " + args->output);
        applyThreads(args->threads);
        const std::vector<std::string> texts = readLines(args->input);
        SentenceModel model = SentenceModel::load(resolveModelArgument(args->model, args->revision).folder);
        if (args->device != "cpu")
            model.moveTo(args->device);
        // The int8 products run on LibTorch's intra-op (OpenMP) threads, one under the automatic setting:
        // two spin-waiting OpenMP threads on two shared cores were 3.9x slower (docs/performance.md).
        if (args->int8)
            model.useInt8Inference();
        const std::string prompt = model.prompts().resolve(args->promptName, args->prompt);
        Embeddings embeddings = model.encodeWithPrompt(texts, prompt, args->batchSize);
        // NaN weights (a diverged run) would otherwise come out as silent JSON nulls or NaN rows.
        for (std::size_t i = 0; i < embeddings.values.size(); ++i) {
            if (!std::isfinite(embeddings.values[i]))
                throw Error(locate(args->model, 0, 0,
                    "the model gives a non-finite embedding (NaN or infinity) for input line "
                        + std::to_string(i / std::max<std::size_t>(1, embeddings.dim) + 1)
                        + "; its weights are damaged (a run that diverged?)"));
        }
        if (args->truncateDim > 0) {
            const std::size_t full = static_cast<std::size_t>(model.summary().embeddingDimension);
            if (args->truncateDim > full)
                throw Error(locate(args->model, 0, 0,
                    "--truncate-dim " + std::to_string(args->truncateDim) + " is larger than the model's "
                        + std::to_string(full) + " dimensions; choose at most " + std::to_string(full)));
            embeddings = truncatedUnitRows(embeddings, args->truncateDim);
        }
        if (npy) {
            writeNpyFloat32(args->output, embeddings.rows, embeddings.dim, embeddings.values.data());
            return;
        }
        std::string out;
        for (std::size_t i = 0; i < embeddings.rows; ++i) {
            const std::vector<float> row(embeddings.row(i), embeddings.row(i) + embeddings.dim);
            out += nlohmann::json { { "embedding", row } }.dump();
            out += '\n';
        }
        writeText(args->output, out);
    });
}

} // namespace pairtune::cli
