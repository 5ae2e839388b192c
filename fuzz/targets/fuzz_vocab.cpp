// vocab.txt on arbitrary bytes (the BERT WordPiece vocabulary, one token per line): line splitting,
// CRLF, UTF-8 checks, duplicates, the special tokens it must hold. A vocabulary that loads must
// tokenize any text into ids inside it. The first byte picks lower-casing; the rest is the file.

#include "fuzzsupport.h"
#include "text/tokenizerfactories.h"
#include "tokenizerchecks.h"

#include <array>

using namespace pairtune;

namespace {

constexpr std::array<std::string_view, 4> kTexts
    = { "Hello, World! unaffable [MASK]", "naïve Ça 東京 😀 \xff\xfe", "##a ## a##b", "" };

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    fuzz::silenceLog();
    if (size == 0)
        return 0;
    const std::string path = fuzz::writeScratchFile("vocab.txt", fuzz::asText(data + 1, size - 1));
    std::unique_ptr<Tokenizer> tokenizer;
    try {
        tokenizer = makeWordPieceTokenizerFromVocabFile(path, (data[0] & 1) != 0);
    } catch (const Error &) {
        return 0;
    }
    for (const std::string_view text : kTexts)
        fuzz::exerciseTokenizer(*tokenizer, text, true);
    // The words of the file itself: the longest-match paths with prefixes that are in the vocabulary.
    fuzz::exerciseTokenizer(*tokenizer, fuzz::asText(data + 1, std::min<std::size_t>(size - 1, 512)), true);
    return 0;
}
