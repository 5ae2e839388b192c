#include "cli/commands.h"
#include "text/sentencepiecetrainer.h"

#include <cstdio>
#include <memory>

namespace pairtune::cli {
namespace {
struct TrainSpmArgs
{
    std::string input;
    std::string output;
    int vocabSize = 8000;
    std::string modelType = "unigram";
};
} // namespace

void addTrainSpmCommand(CLI::App &app)
{
    auto args = std::make_shared<TrainSpmArgs>();
    CLI::App *cmd = app.add_subcommand(
        "train-spm", "Train a sentencepiece model (for a new XLM-R model) on a text file");
    cmd->add_option("--input", args->input, "Text file, one sentence per line")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--output", args->output, "The .model file to write")->required();
    cmd->add_option("--vocab-size", args->vocabSize, "Pieces in the vocabulary")
        ->check(CLI::Range(16, 1000000))
        ->capture_default_str();
    cmd->add_option("--model-type", args->modelType, "unigram or bpe")
        ->check(CLI::IsMember({ "unigram", "bpe" }))
        ->capture_default_str();
    cmd->callback([args] {
        trainSentencePiece(args->input, args->output, args->vocabSize, args->modelType);
        std::fprintf(stderr, "wrote %s (%d pieces)\n", args->output.c_str(), args->vocabSize);
    });
}

} // namespace pairtune::cli
