#pragma once
// What every tokenizer must do with any text: no crash, ids and type ids of equal length, truncation
// honoured; for tokenizers built from well-formed files, also ids inside the vocabulary.

#include "core/error.h"
#include "fuzzsupport.h"
#include "text/tokenizer.h"

#include <algorithm>

namespace pairtune::fuzz {

inline void exerciseTokenizer(const Tokenizer &tokenizer, std::string_view text, bool idsInVocabulary)
{
    const Encoding full = tokenizer.encode(text, 0);
    check(full.ids.size() == full.typeIds.size(), "ids and type ids have the same length");
    const std::size_t vocabSize = tokenizer.vocabSize();
    for (const std::int64_t id : full.ids) {
        if (idsInVocabulary)
            check(id >= 0 && static_cast<std::size_t>(id) < vocabSize, "every id is inside the vocabulary");
        if (id >= 0 && static_cast<std::size_t>(id) < vocabSize)
            (void)tokenizer.idToToken(id);
    }
    // Truncation: at most maxLength ids.
    const std::vector<std::string> pieces = tokenizer.tokenize(text);
    const std::size_t specials = full.ids.size() >= pieces.size() ? full.ids.size() - pieces.size() : 0;
    // Limits below the special-token count are refused with an Error (a caller's mistake, not input).
    for (const std::size_t extra : { std::size_t(0), std::size_t(1), std::size_t(6) }) {
        const std::size_t maxLength = specials + extra;
        if (maxLength == 0)
            continue;
        const Encoding cut = tokenizer.encode(text, maxLength);
        check(cut.ids.size() == cut.typeIds.size(), "truncated ids and type ids have the same length");
        check(cut.ids.size() <= maxLength, "truncation honours maxLength");
        check(cut.ids.size() <= full.ids.size(), "truncation never adds ids");
    }
    (void)tokenizer.padId();
    (void)tokenizer.kind();
}

} // namespace pairtune::fuzz
