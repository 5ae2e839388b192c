// The tokenizers on arbitrary text: the built-in model's BERT WordPiece (vocab.txt and tokenizer.json)
// and a small XLM-R Unigram tokenizer.json with a real precompiled charsmap (fuzz/data/). Any bytes,
// valid UTF-8 or not, must encode without an error, within the vocabulary, truncated as asked.

#include "fuzzsupport.h"
#include "io/jsonfile.h"
#include "text/tokenizerfactories.h"
#include "tokenizerchecks.h"

#include <cstdio>

using namespace pairtune;

namespace {

struct Tokenizers
{
    std::unique_ptr<Tokenizer> fromVocab;
    std::unique_ptr<Tokenizer> fromJson;
    std::unique_ptr<Tokenizer> unigram;
};

const Tokenizers &tokenizers()
{
    static const Tokenizers loaded = [] {
        try {
            const std::string builtin = PAIRTUNE_BUILTIN_MODEL_DIR;
            return Tokenizers { makeWordPieceTokenizerFromVocabFile(builtin + "/vocab.txt", true),
                makeWordPieceTokenizer(readJsonFile(builtin + "/tokenizer.json"), builtin),
                makeUnigramTokenizer(
                    readJsonFile(PAIRTUNE_FUZZ_DATA_DIR "/xlmr-tokenizer.json"), PAIRTUNE_FUZZ_DATA_DIR) };
        } catch (const Error &e) {
            std::fprintf(stderr, "cannot load the fixed tokenizers: %s\n", e.what());
            std::abort();
        }
    }();
    return loaded;
}

} // namespace

// Loading the 30522-token vocabulary twice takes seconds under the sanitizers: do it before the
// per-input timeout starts counting.
extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    fuzz::silenceLog();
    (void)tokenizers();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    fuzz::silenceLog();
    const Tokenizers &all = tokenizers();
    const std::string_view text = fuzz::asText(data, size);
    fuzz::exerciseTokenizer(*all.fromVocab, text, true);
    fuzz::exerciseTokenizer(*all.fromJson, text, true);
    fuzz::exerciseTokenizer(*all.unigram, text, true);
    // The same vocabulary through both BERT loaders gives the same ids.
    fuzz::check(all.fromVocab->encode(text, 0).ids == all.fromJson->encode(text, 0).ids,
        "vocab.txt and tokenizer.json give the same ids");
    return 0;
}
