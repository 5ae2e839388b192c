#include "model/prompts.h"

#include "core/error.h"
#include "model/modelconfig.h"

#include <algorithm>

namespace pairtune {

ModelPrompts::ModelPrompts()
    : m_prompts { { "query", "" }, { "document", "" } }
{ }

ModelPrompts ModelPrompts::fromConfig(const SentenceTransformersConfig &config, const std::string &path)
{
    ModelPrompts out;
    // SentenceTransformer._load_sbert_model: a file's prompt is taken where the name is new or its
    // current text is empty.
    for (const auto &[name, value] : config.prompts.items()) {
        const std::string text = value.is_string() ? value.get<std::string>() : std::string();
        auto it = std::find_if(out.m_prompts.begin(), out.m_prompts.end(),
            [&name = name](const auto &entry) { return entry.first == name; });
        if (it == out.m_prompts.end())
            out.m_prompts.emplace_back(name, text);
        else if (it->second.empty())
            it->second = text;
    }
    if (config.defaultPromptName.is_string()) {
        out.m_defaultName = config.defaultPromptName.get<std::string>();
        if (!out.find(*out.m_defaultName))
            throw Error(locate(path, 0, 0,
                "default_prompt_name \"" + *out.m_defaultName + "\" is not one of the prompts ("
                    + out.knownNames() + "); add it to \"prompts\" or set default_prompt_name to null"));
    }
    return out;
}

const std::string *ModelPrompts::find(const std::string &name) const
{
    for (const auto &[key, text] : m_prompts)
        if (key == name)
            return &text;
    return nullptr;
}

std::string ModelPrompts::knownNames() const
{
    std::string out;
    for (const auto &[key, text] : m_prompts)
        out += (out.empty() ? "'" : ", '") + key + "'";
    return out;
}

bool ModelPrompts::anyNonEmpty() const
{
    return std::any_of(
        m_prompts.begin(), m_prompts.end(), [](const auto &entry) { return !entry.second.empty(); });
}

std::string ModelPrompts::resolve(
    const std::optional<std::string> &promptName, const std::optional<std::string> &prompt) const
{
    if (prompt)
        return *prompt; // Python warns and ignores prompt_name when both are given
    if (promptName) {
        const std::string *text = find(*promptName);
        if (!text)
            throw Error("prompt name \"" + *promptName + "\" is not one of the model's prompts ("
                + knownNames() + ")");
        return *text;
    }
    if (m_defaultName)
        if (const std::string *text = find(*m_defaultName))
            return *text;
    return {};
}

std::string ModelPrompts::queryPrompt() const
{
    return resolve(find("query") ? std::optional<std::string>("query") : std::nullopt, std::nullopt);
}

std::string ModelPrompts::documentPrompt() const
{
    for (const char *name : { "document", "passage", "corpus" })
        if (find(name))
            return resolve(std::string(name), std::nullopt);
    return resolve(std::nullopt, std::nullopt);
}

nlohmann::json ColumnPrompts::toJson() const
{
    return { { "anchor", anchor }, { "positive", positive }, { "negative", negative } };
}

ColumnPrompts columnPrompts(const ModelPrompts &prompts)
{
    const std::string query = prompts.queryPrompt();
    const std::string document = prompts.documentPrompt();
    if (!query.empty() || !document.empty())
        return { query, document, document };
    const std::string fallback = prompts.resolve(std::nullopt, std::nullopt);
    return { fallback, fallback, fallback };
}

} // namespace pairtune
