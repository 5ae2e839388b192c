#include "cli/commands.h"
#include "core/error.h"
#include "model/sentencemodel.h"

#include <cstdio>
#include <memory>
#include <sstream>

namespace pairtune::cli {
namespace {

struct CreateArgs
{
    CreateOptions options;
    std::string out;
    std::string pooling = "mean";
    bool noNormalize = false;
    bool cased = false;
};

std::string describe(const ModelSummary &s, const std::string &out)
{
    std::ostringstream text;
    text << "created " << s.architecture << " model in " << out << ": " << s.layers << " layers, hidden "
         << s.hidden << ", " << s.heads << " heads, vocabulary " << s.vocabSize << ", " << s.parameterCount
         << " parameters, " << s.embeddingDimension << "-dimensional " << s.pooling
         << (s.normalize ? " normalized" : "") << " embeddings\n";
    return text.str();
}

} // namespace

void addCreateCommand(CLI::App &app)
{
    auto args = std::make_shared<CreateArgs>();
    CLI::App *cmd = app.add_subcommand("create",
        "Create a new randomly initialised BERT, DistilBERT, RoBERTa, XLM-R, MPNet or ModernBERT model "
        "folder");
    cmd->add_option("--out", args->out, "Output model folder")->required();
    cmd->add_option("--arch", args->options.architecture, "Architecture")
        ->check(CLI::IsMember({ "bert", "distilbert", "roberta", "xlm-roberta", "mpnet", "modernbert" }))
        ->capture_default_str();
    cmd->add_option("--vocab", args->options.vocabPath, "WordPiece vocab.txt (bert, distilbert; or roberta)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--spm", args->options.spmPath, "sentencepiece .model file (xlm-roberta; or roberta)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--tokenizer", args->options.tokenizerPath,
           "Folder with the tokenizer files (tokenizer.json, ...): any family's tokenizer (needed for mpnet "
           "and modernbert)")
        ->check(CLI::ExistingDirectory);
    cmd->add_flag("--sinusoidal", args->options.sinusoidalPositions,
        "distilbert: fixed sinusoidal position embeddings (sinusoidal_pos_embds), never trained");
    cmd->add_option("--layers", args->options.layers, "Transformer layers")
        ->check(CLI::Range(1, 48))
        ->capture_default_str();
    cmd->add_option("--hidden", args->options.hidden, "Hidden size")
        ->check(CLI::Range(4, 8192))
        ->capture_default_str();
    cmd->add_option("--heads", args->options.heads, "Attention heads")
        ->check(CLI::Range(1, 128))
        ->capture_default_str();
    cmd->add_option("--intermediate", args->options.intermediate, "Feed-forward size")
        ->check(CLI::Range(1, 65536))
        ->capture_default_str();
    cmd->add_option("--max-positions", args->options.maxPositions, "Usable positions")
        ->check(CLI::Range(8, 8192))
        ->capture_default_str();
    cmd->add_option(
           "--max-seq-length", args->options.maxSeqLength, "Tokens per text the model reads (longer is cut)")
        ->check(CLI::Range(3, 8192))
        ->capture_default_str();
    cmd->add_option("--pooling", args->pooling,
           "Pooling modes, comma separated: cls, mean, max, mean_sqrt_len_tokens, "
           "weightedmean, lasttoken")
        ->capture_default_str();
    cmd->add_flag("--no-normalize", args->noNormalize, "Leave out the Normalize module");
    cmd->add_option("--dense", args->options.denseOut, "Add a Dense (Tanh) module with this output size")
        ->check(CLI::Range(0, 65536));
    cmd->add_option("--seed", args->options.seed, "Random seed")->capture_default_str();
    cmd->add_flag("--cased", args->cased, "Keep case and accents (bert)");
    cmd->callback([args] {
        CreateOptions options = args->options;
        options.pooling = args->pooling;
        options.normalize = !args->noNormalize;
        options.lowercase = !args->cased;
        if ((options.architecture == "bert" || options.architecture == "distilbert")
            && options.vocabPath.empty() && options.tokenizerPath.empty())
            throw Error("create --arch " + options.architecture
                + " needs --vocab FILE (a WordPiece vocab.txt) or --tokenizer DIR");
        if ((options.architecture == "mpnet" || options.architecture == "modernbert")
            && options.tokenizerPath.empty())
            throw Error("create --arch " + options.architecture
                + " needs --tokenizer DIR (a folder with the family's tokenizer.json)");
        if (options.architecture == "xlm-roberta" && options.spmPath.empty())
            throw Error("create --arch xlm-roberta needs --spm FILE (a sentencepiece .model)");
        if (options.hidden % options.heads != 0)
            throw Error("--hidden (" + std::to_string(options.hidden) + ") must be a multiple of --heads ("
                + std::to_string(options.heads) + ")");
        if (options.maxSeqLength > options.maxPositions)
            throw Error("--max-seq-length cannot exceed --max-positions");
        const SentenceModel model = SentenceModel::create(options);
        model.save(args->out);
        std::fputs(describe(model.summary(), args->out).c_str(), stderr);
    });
}

} // namespace pairtune::cli
