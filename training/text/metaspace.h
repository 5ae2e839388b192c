#pragma once

// The Metaspace pre-tokenizer of the Hugging Face tokenizers (pre_tokenizers/metaspace.rs): spaces
// become the replacement "▁", a "▁" is prepended (always / on the first segment / never) unless the
// text already starts with one, and the text is split before every "▁" (MergedWithNext).

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace pairtune {

class Metaspace
{
public:
    enum class PrependScheme { Always, First, Never };

    Metaspace() = default;
    Metaspace(std::string replacement, PrependScheme prependScheme, bool split);

    // From a tokenizer.json "Metaspace" object: prepend_scheme, or the older add_prefix_space
    // (true = always, false = never); split defaults to true. Throws pairtune::Error naming path.
    static Metaspace fromJson(const nlohmann::json &json, const std::string &path);
    nlohmann::json toJson() const;

    // firstSegment: the text starts at offset 0 of the input (for PrependScheme::First).
    std::vector<std::string> preTokenize(std::string_view normalized, bool firstSegment) const;

    const std::string &replacement() const { return m_replacement; }
    PrependScheme prependScheme() const { return m_prependScheme; }
    bool split() const { return m_split; }

private:
    std::string m_replacement = "\xE2\x96\x81"; // U+2581 ▁
    PrependScheme m_prependScheme = PrependScheme::Always;
    bool m_split = true;
};

} // namespace pairtune
