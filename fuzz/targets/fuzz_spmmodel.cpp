// A sentencepiece .model file (protobuf wire format) on arbitrary bytes: Pairtune's own reader
// (text/spmmodelproto), its writer (a parsed model must serialize to bytes that parse to the same
// model), and the conversion to an XLM-R Unigram tokenizer with its precompiled charsmap normalizer.
// Works without the sentencepiece library: this is the path a folder with only
// sentencepiece.bpe.model takes when the shim is absent.

#include "fuzzsupport.h"
#include "text/spmmodelproto.h"
#include "text/unigramtokenizer.h"
#include "text/xlmrconventions.h"
#include "tokenizerchecks.h"

#include <array>

using namespace pairtune;

namespace {

constexpr std::array<std::string_view, 3> kTexts
    = { "Hello, World! <mask> naïve", "Ｆｕｌｌ　ｗｉｄｔｈ ﬁ 東京 😀", "" };

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    fuzz::silenceLog();
    SpmModelProto proto;
    try {
        proto = SpmModelProto::parse(fuzz::asText(data, size), "sentencepiece.bpe.model");
    } catch (const Error &) {
        return 0;
    }
    const std::string written = proto.serialize();
    const SpmModelProto reread = SpmModelProto::parse(written, "written.model");
    fuzz::check(
        reread.serialize() == written, "a parsed model serializes to bytes that parse to the same model");

    try {
        const auto tokenizer
            = UnigramTokenizer::fromJson(xlmrTokenizerJson(proto, "sentencepiece.bpe.model"), "");
        for (const std::string_view text : kTexts)
            fuzz::exerciseTokenizer(*tokenizer, text, false);
    } catch (const Error &) {
        // Not an XLM-R shaped model (no <s>, </s>, ...), or a broken charsmap: a readable error.
    }
    return 0;
}
