#include "cli/commands.h"
#include "cli/modelargument.h"
#include "model/sentencemodel.h"

#include <nlohmann/json.hpp>

#include <memory>

namespace pairtune::cli {
namespace {
struct TokenizeArgs
{
    std::string model;
    std::string revision = "main";
    std::string input;
    std::string output;
    bool withTypes = false;
};
} // namespace

void addTokenizeCommand(CLI::App &app)
{
    auto args = std::make_shared<TokenizeArgs>();
    CLI::App *cmd
        = app.add_subcommand("tokenize", "Token ids as the model sees them, one JSON object per input line");
    cmd->add_option("--model", args->model, "Model folder, builtin, or Hugging Face Hub id")->required();
    addRevisionOption(cmd, args->revision);
    cmd->add_option("--input", args->input, "Text file, one text per line, or - for stdin")->required();
    cmd->add_option("--output", args->output, "JSONL output (default: stdout)");
    cmd->add_flag("--types", args->withTypes, "Also write token_type_ids and tokens");
    cmd->callback([args] {
        const std::vector<std::string> texts = readLines(args->input);
        const SentenceModel model
            = SentenceModel::load(resolveModelArgument(args->model, args->revision).folder);
        std::string out;
        for (const std::string &text : texts) {
            const Encoding encoding = model.tokenizeForModel(text);
            nlohmann::json line = { { "input_ids", encoding.ids } };
            if (args->withTypes) {
                line["token_type_ids"] = encoding.typeIds;
                std::vector<std::string> tokens;
                for (const auto id : encoding.ids)
                    tokens.push_back(model.tokenizer().idToToken(id));
                line["tokens"] = tokens;
            }
            out += line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
            out += '\n';
        }
        writeText(args->output, out);
    });
}

} // namespace pairtune::cli
