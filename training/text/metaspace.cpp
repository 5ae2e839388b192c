#include "text/metaspace.h"

#include "core/error.h"

namespace pairtune {

Metaspace::Metaspace(std::string replacement, PrependScheme prependScheme, bool split)
    : m_replacement(std::move(replacement))
    , m_prependScheme(prependScheme)
    , m_split(split)
{ }

Metaspace Metaspace::fromJson(const nlohmann::json &json, const std::string &path)
{
    const auto fail = [&](const std::string &message) {
        throw Error(locate(path, 0, 0, "Metaspace pre-tokenizer: " + message));
    };
    Metaspace metaspace;
    if (json.contains("replacement")) {
        if (!json["replacement"].is_string())
            fail("\"replacement\" must be a string");
        metaspace.m_replacement = json["replacement"].get<std::string>();
        if (metaspace.m_replacement.empty())
            fail("\"replacement\" is empty");
    }
    bool prependSet = false;
    if (json.contains("prepend_scheme") && !json["prepend_scheme"].is_null()) {
        const nlohmann::json &scheme = json["prepend_scheme"];
        const std::string name = scheme.is_string() ? scheme.get<std::string>() : "";
        if (name == "always")
            metaspace.m_prependScheme = PrependScheme::Always;
        else if (name == "first")
            metaspace.m_prependScheme = PrependScheme::First;
        else if (name == "never")
            metaspace.m_prependScheme = PrependScheme::Never;
        else
            fail("unknown prepend_scheme " + scheme.dump() + " (expected always, first or never)");
        prependSet = true;
    }
    if (json.contains("add_prefix_space") && json["add_prefix_space"].is_boolean()) {
        const bool add = json["add_prefix_space"].get<bool>();
        // The fast tokenizer lets add_prefix_space=false override any scheme but "never".
        if (!add)
            metaspace.m_prependScheme = PrependScheme::Never;
        else if (!prependSet)
            metaspace.m_prependScheme = PrependScheme::Always;
    }
    if (json.contains("split") && !json["split"].is_null()) {
        if (!json["split"].is_boolean())
            fail("\"split\" must be true or false");
        metaspace.m_split = json["split"].get<bool>();
    }
    return metaspace;
}

nlohmann::json Metaspace::toJson() const
{
    const char *scheme = m_prependScheme == PrependScheme::Always ? "always"
        : m_prependScheme == PrependScheme::First                 ? "first"
                                                                  : "never";
    return { { "type", "Metaspace" }, { "replacement", m_replacement }, { "prepend_scheme", scheme },
        { "split", m_split } };
}

std::vector<std::string> Metaspace::preTokenize(std::string_view normalized, bool firstSegment) const
{
    std::string text;
    text.reserve(normalized.size() + m_replacement.size());
    for (const char c : normalized) {
        if (c == ' ')
            text.append(m_replacement);
        else
            text.push_back(c);
    }
    const bool prepend = m_prependScheme == PrependScheme::Always
        || (m_prependScheme == PrependScheme::First && firstSegment);
    // Prepending to an empty text does nothing in the fast tokenizer (NormalizedString::prepend).
    if (prepend && !text.empty() && text.compare(0, m_replacement.size(), m_replacement) != 0)
        text.insert(0, m_replacement);

    std::vector<std::string> words;
    if (text.empty())
        return words;
    if (!m_split) {
        words.push_back(std::move(text));
        return words;
    }
    // MergedWithNext: each replacement starts a new word.
    std::size_t start = 0;
    std::size_t pos = text.find(m_replacement, m_replacement.empty() ? 0 : 1);
    while (pos != std::string::npos) {
        if (pos > start)
            words.push_back(text.substr(start, pos - start));
        start = pos;
        pos = text.find(m_replacement, pos + m_replacement.size());
    }
    words.push_back(text.substr(start));
    return words;
}

} // namespace pairtune
