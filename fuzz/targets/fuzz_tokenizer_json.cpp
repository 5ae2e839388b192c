// tokenizer.json on arbitrary bytes: the JSON layer, then the WordPiece (BERT) and Unigram (XLM-R)
// factories: vocabularies, added tokens, normalizers (including sentencepiece's precompiled charsmap),
// pre-tokenizers, post-processor templates. Whatever loads must then tokenize a few texts.

#include "fuzzsupport.h"
#include "io/jsonfile.h"
#include "text/tokenizerfactories.h"
#include "tokenizerchecks.h"

#include <array>

using namespace pairtune;

namespace {

constexpr std::array<std::string_view, 5> kTexts = { "Hello, World! How are you?",
    "[CLS] <s> [MASK] un##known </s>", "Ça coûte 12,50 € — naïve 東京 😀", "   \t\n  ", "" };

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    fuzz::silenceLog();
    nlohmann::json json;
    try {
        json = parseJson(fuzz::asText(data, size), "tokenizer.json");
    } catch (const Error &) {
        return 0;
    }
    for (const auto make : { &makeWordPieceTokenizer, &makeUnigramTokenizer }) {
        try {
            const std::unique_ptr<Tokenizer> tokenizer = make(json, "/fuzz/model");
            for (const std::string_view text : kTexts)
                fuzz::exerciseTokenizer(*tokenizer, text, false);
        } catch (const Error &) { }
    }
    return 0;
}
