#pragma once

// The normalizer of an XLM-R or byte-level BPE tokenizer.json, as the Hugging Face tokenizers apply it:
// Precompiled (sentencepiece charsmap), Strip, Replace (literal, or the regex " {2,}"),
// NFC/NFD/NFKC/NFKD, Lowercase, Prepend, and Sequence of those. Anything else is refused with a clear error
// rather than silently tokenizing differently from Python.

#include "text/bertnormalizer.h"
#include "text/precompiledcharsmap.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pairtune {

class UnigramNormalizer
{
public:
    UnigramNormalizer() = default; // the identity (a null normalizer)

    // Throws pairtune::Error naming path ("unsupported normalizer ...").
    static UnigramNormalizer fromJson(const nlohmann::json &json, const std::string &path);

    // text must be valid UTF-8; so is the result.
    std::string normalize(std::string_view text) const;

    // The charsmap of the first Precompiled step, if any.
    std::shared_ptr<const PrecompiledCharsmap> charsmap() const;

private:
    struct Step
    {
        enum class Kind {
            Precompiled,
            ReplaceString,
            ReplaceSpaceRuns,
            Strip,
            UnicodeForm,
            Lowercase,
            Prepend
        } kind;
        std::shared_ptr<const PrecompiledCharsmap> charsmap;
        std::shared_ptr<const BertNormalizer> lowercase;
        std::string pattern;
        std::string content;
        bool left = false;
        bool right = false;
        int utf8procOptions = 0;
    };

    void append(const nlohmann::json &json, const std::string &path);

    std::vector<Step> m_steps;
};

} // namespace pairtune
