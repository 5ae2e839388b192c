// The Unigram (XLM-R fast) tokenizer's parts on small hand-written tokenizer.json files: Viterbi,
// unknown fusion, byte fallback, normalizers, Metaspace, added tokens, post-processors, errors.

#include "core/error.h"
#include "text/addedtokens.h"
#include "text/metaspace.h"
#include "text/tokenizerfactories.h"
#include "text/unigramtokenizer.h"

#include <QTest>

#include <nlohmann/json.hpp>

using nlohmann::json;
using pairtune::Encoding;
using pairtune::Metaspace;

namespace {

const std::string kMeta = "\xE2\x96\x81"; // ▁

// [[piece, score], ...] (a braced list of pairs would make nlohmann build an object).
json vocabOf(std::initializer_list<std::pair<std::string, double>> pieces)
{
    json vocab = json::array();
    for (const auto &[piece, score] : pieces)
        vocab.push_back(json::array({ piece, score }));
    return vocab;
}

// The fast tokenizer's documented example vocabulary (models/unigram/model.rs).
json exampleTokenizer()
{
    return json { { "model",
        { { "type", "Unigram" }, { "unk_id", 0 },
            { "vocab",
                vocabOf({ { "<unk>", 0.0 }, { "a", 0.0 }, { "b", 0.0 }, { "c", 0.0 }, { "d", 0.0 },
                    { "cd", 1.0 }, { "ab", 2.0 }, { "abc", 5.0 }, { "abcd", 10.0 } }) } } } };
}

// A small XLM-R shaped tokenizer.json.
json xlmrShaped()
{
    json vocab = vocabOf({ { "<s>", 0.0 }, { "<pad>", 0.0 }, { "</s>", 0.0 }, { "<unk>", 0.0 },
        { kMeta, -2.0 }, { kMeta + "a", -3.0 }, { "a", -4.0 }, { "b", -4.0 }, { kMeta + "ab", -3.5 },
        { "c", -5.0 }, { "<mask>", 0.0 } });
    json added = json::array();
    const std::tuple<const char *, int, bool> tokens[] = { { "<s>", 0, false }, { "<pad>", 1, false },
        { "</s>", 2, false }, { "<unk>", 3, false }, { "<mask>", 10, true } };
    for (const auto &[content, id, lstrip] : tokens)
        added.push_back({ { "id", id }, { "content", content }, { "single_word", false },
            { "lstrip", lstrip }, { "rstrip", false }, { "normalized", false }, { "special", true } });
    const json metaspace = { { "type", "Metaspace" }, { "replacement", kMeta },
        { "prepend_scheme", "always" }, { "split", true } };
    return json { { "version", "1.0" }, { "added_tokens", added },
        { "normalizer",
            { { "type", "Sequence" },
                { "normalizers",
                    { { { "type", "Strip" }, { "strip_left", false }, { "strip_right", true } },
                        { { "type", "Replace" }, { "pattern", { { "Regex", " {2,}" } } },
                            { "content", kMeta } } } } } },
        { "pre_tokenizer", metaspace },
        { "post_processor",
            { { "type", "TemplateProcessing" },
                { "single",
                    { { { "SpecialToken", { { "id", "<s>" }, { "type_id", 0 } } } },
                        { { "Sequence", { { "id", "A" }, { "type_id", 0 } } } },
                        { { "SpecialToken", { { "id", "</s>" }, { "type_id", 0 } } } } } },
                { "special_tokens",
                    { { "<s>",
                          { { "id", "<s>" }, { "ids", json::array({ 0 }) },
                              { "tokens", json::array({ "<s>" }) } } },
                        { "</s>",
                            { { "id", "</s>" }, { "ids", json::array({ 2 }) },
                                { "tokens", json::array({ "</s>" }) } } } } } } },
        { "decoder", metaspace },
        { "model",
            { { "type", "Unigram" }, { "unk_id", 3 }, { "vocab", vocab }, { "byte_fallback", false } } } };
}

std::vector<std::int64_t> ids(std::initializer_list<std::int64_t> list)
{
    return std::vector<std::int64_t>(list);
}

} // namespace

class TestUnigramTokenizer : public QObject
{
    Q_OBJECT

private slots:
    void viterbiPicksTheBestSegmentationAndFusesUnknowns()
    {
        const auto tokenizer = pairtune::makeUnigramTokenizer(exampleTokenizer(), "/models/x");
        // The fast tokenizer's own doc example: abcd(10) + a(0) + cd(1); "xx" has no piece: one <unk>.
        QCOMPARE(tokenizer->tokenize("abcdacdxx"), (std::vector<std::string> { "abcd", "a", "cd", "xx" }));
        const Encoding encoding = tokenizer->encode("abcdacdxx", 0);
        QCOMPARE(encoding.ids, ids({ 8, 1, 5, 0 }));
        QCOMPARE(encoding.typeIds, ids({ 0, 0, 0, 0 }));
        // abcd(10) + ab(2) + d(0) beats every other path through "abcdabd".
        QCOMPARE(tokenizer->tokenize("abcdabd"), (std::vector<std::string> { "abcd", "ab", "d" }));
        QCOMPARE(tokenizer->tokenize("abd"), (std::vector<std::string> { "ab", "d" }));
        QCOMPARE(tokenizer->tokenize(""), std::vector<std::string> {});
        QCOMPARE(tokenizer->vocabSize(), std::size_t(9));
        QCOMPARE(tokenizer->idToToken(7), std::string("abc"));
        QCOMPARE(tokenizer->kind(), std::string("unigram"));
    }

    void unknownScoreIsMinimumMinusTen()
    {
        // min score -20 ("z"), so an unknown character scores -30. "ab" (-10) against "a" + unknown "b":
        // with "a" at 19.5 that path scores -10.5 and "ab" wins; at 20.5 it scores -9.5 and wins itself.
        // A penalty outside [9.5, 10.5) flips one of the two.
        json tokenizer = { { "model",
            { { "type", "Unigram" }, { "unk_id", 0 },
                { "vocab",
                    vocabOf({ { "<unk>", 0.0 }, { "a", 19.5 }, { "ab", -10.0 }, { "z", -20.0 } }) } } } };
        QCOMPARE(
            pairtune::makeUnigramTokenizer(tokenizer, "")->tokenize("ab"), std::vector<std::string> { "ab" });
        tokenizer["model"]["vocab"][1][1] = 20.5;
        const auto tokenizerHigh = pairtune::makeUnigramTokenizer(tokenizer, "");
        QCOMPARE(tokenizerHigh->tokenize("ab"), (std::vector<std::string> { "a", "b" }));
        QCOMPARE(tokenizerHigh->encode("ab", 0).ids, ids({ 1, 0 }));
        // Consecutive unknowns are one <unk>.
        QCOMPARE(tokenizerHigh->tokenize("zbbz"), (std::vector<std::string> { "z", "bb", "z" }));
        QCOMPARE(tokenizerHigh->encode("zbbz", 0).ids, ids({ 3, 0, 3 }));
    }

    void byteFallbackSpellsUnknownsAsBytes()
    {
        json config = { { "model",
            { { "type", "Unigram" }, { "unk_id", 0 }, { "byte_fallback", true },
                { "vocab",
                    vocabOf(
                        { { "<unk>", 0.0 }, { "a", -1.0 }, { "<0xC3>", -5.0 }, { "<0xA9>", -5.0 } }) } } } };
        const auto tokenizer = pairtune::makeUnigramTokenizer(config, "");
        QCOMPARE(tokenizer->encode("a\xC3\xA9", 0).ids, ids({ 1, 2, 3 })); // "aé"
        QCOMPARE(tokenizer->tokenize("\xC3\xA9"), (std::vector<std::string> { "<0xC3>", "<0xA9>" }));
        // A byte without its piece: the whole unknown stays <unk>.
        QCOMPARE(tokenizer->encode("\xC3\xA8", 0).ids, ids({ 0 }));
    }

    void metaspacePrependSchemes()
    {
        const Metaspace always(kMeta, Metaspace::PrependScheme::Always, true);
        QCOMPARE(always.preTokenize("hey friend!", false),
            (std::vector<std::string> { kMeta + "hey", kMeta + "friend!" }));
        QCOMPARE(always.preTokenize(" hey", false), std::vector<std::string> { kMeta + "hey" });
        QCOMPARE(
            always.preTokenize("a  b", true), (std::vector<std::string> { kMeta + "a", kMeta, kMeta + "b" }));
        QCOMPARE(always.preTokenize("", true), std::vector<std::string> {});
        const Metaspace first(kMeta, Metaspace::PrependScheme::First, true);
        QCOMPARE(first.preTokenize("hey", true), std::vector<std::string> { kMeta + "hey" });
        QCOMPARE(first.preTokenize("hey", false), std::vector<std::string> { "hey" });
        const Metaspace never(kMeta, Metaspace::PrependScheme::Never, false);
        QCOMPARE(never.preTokenize("a b", true), std::vector<std::string> { "a" + kMeta + "b" });

        // Old files: add_prefix_space instead of prepend_scheme.
        QCOMPARE(
            Metaspace::fromJson(
                { { "type", "Metaspace" }, { "replacement", kMeta }, { "add_prefix_space", false } }, "t")
                .prependScheme(),
            Metaspace::PrependScheme::Never);
        QCOMPARE(Metaspace::fromJson(
                     { { "type", "Metaspace" }, { "replacement", kMeta }, { "add_prefix_space", true } }, "t")
                     .prependScheme(),
            Metaspace::PrependScheme::Always);
        QVERIFY_THROWS_EXCEPTION(pairtune::Error,
            Metaspace::fromJson({ { "type", "Metaspace" }, { "prepend_scheme", "sometimes" } }, "t"));
    }

    void xlmrShapedPipeline()
    {
        const auto tokenizer = pairtune::UnigramTokenizer::fromJson(xlmrShaped(), "/models/x");
        // "ab a" -> "▁ab", "▁a"; template <s> A </s>.
        QCOMPARE(tokenizer->encode("ab a", 0).ids, ids({ 0, 8, 5, 2 }));
        // Extra spaces: runs become one ▁ (Replace) and trailing ones go (Strip right).
        QCOMPARE(tokenizer->encode("  ab   a  ", 0).ids, ids({ 0, 8, 5, 2 }));
        // Unknown characters: 'z' has no piece.
        QCOMPARE(tokenizer->encode("zz", 0).ids, ids({ 0, 4, 3, 2 }));
        QCOMPARE(tokenizer->encode("", 0).ids, ids({ 0, 2 }));
        QCOMPARE(tokenizer->padId(), std::int64_t(1));
        QCOMPARE(tokenizer->vocabSize(), std::size_t(11));
        QCOMPARE(tokenizer->idToToken(10), std::string("<mask>"));
        QCOMPARE(tokenizer->normalize("a   b  "), "a" + kMeta + "b");
    }

    void truncationCountsTheSpecialTokens()
    {
        const auto tokenizer = pairtune::makeUnigramTokenizer(xlmrShaped(), "");
        const Encoding full = tokenizer->encode("a b c a b c", 0);
        QCOMPARE(full.ids.size(), std::size_t(2 + 10)); // ▁a, ▁ b, ▁ c, twice
        const Encoding cut = tokenizer->encode("a b c a b c", 5);
        QCOMPARE(cut.ids, (std::vector<std::int64_t> { 0, full.ids[1], full.ids[2], full.ids[3], 2 }));
        QCOMPARE(cut.typeIds.size(), cut.ids.size());
    }

    void addedTokensAreSplitOutOfTheText()
    {
        const auto tokenizer = pairtune::makeUnigramTokenizer(xlmrShaped(), "");
        // <mask> has lstrip: it swallows the space before it, so "a" stays "▁a" and nothing else.
        QCOMPARE(tokenizer->encode("a <mask>", 0).ids, ids({ 0, 5, 10, 2 }));
        QCOMPARE(tokenizer->encode("<s>a</s>", 0).ids, ids({ 0, 0, 5, 2, 2 }));
        // After a special token the text starts a new segment: prepend_scheme always adds ▁ again.
        QCOMPARE(tokenizer->tokenize("<pad>ab"), (std::vector<std::string> { "<pad>", kMeta + "ab" }));

        pairtune::AddedToken word { 7, "ab" };
        word.singleWord = true;
        pairtune::AddedToken right { 8, "<x>" };
        right.rstrip = true;
        pairtune::AddedTokenMatcher matcher;
        matcher.add(U"ab", word);
        matcher.add(U"<x>", right);
        std::vector<pairtune::AddedTokenMatcher::Segment> segments;
        matcher.split(U"ab cab <x>  d", segments);
        QCOMPARE(segments.size(), std::size_t(4));
        QCOMPARE(segments[0].id, std::int64_t(7));
        // "ab" inside "cab" is not a single word
        QCOMPARE(segments[1].begin, std::size_t(2));
        QCOMPARE(segments[1].end, std::size_t(7));
        QCOMPARE(segments[2].id, std::int64_t(8)); // "<x>  "
        QCOMPARE(segments[2].end, std::size_t(12));
        QCOMPARE(segments[3].begin, std::size_t(12)); // "d"
        QCOMPARE(segments[3].id, std::int64_t(-1));
    }

    void robertaProcessingAndUnicodeNormalizers()
    {
        json tokenizer = xlmrShaped();
        tokenizer["post_processor"] = { { "type", "RobertaProcessing" }, { "sep", { "</s>", 2 } },
            { "cls", { "<s>", 0 } }, { "trim_offsets", true }, { "add_prefix_space", true } };
        tokenizer["normalizer"] = { { "type", "NFKC" } };
        const auto roberta = pairtune::makeUnigramTokenizer(tokenizer, "");
        // NFKC: full-width "ａｂ" is "ab".
        QCOMPARE(roberta->encode("\xEF\xBD\x81\xEF\xBD\x82", 0).ids, ids({ 0, 8, 2 }));
        tokenizer["normalizer"]
            = { { "type", "Replace" }, { "pattern", { { "String", "c" } } }, { "content", "b" } };
        QCOMPARE(pairtune::UnigramTokenizer::fromJson(tokenizer, "")->normalize("acc"), std::string("abb"));
    }

    void invalidUtf8IsReplacedNotRejected()
    {
        const auto tokenizer = pairtune::makeUnigramTokenizer(xlmrShaped(), "");
        // \xFF is not UTF-8: it becomes U+FFFD, which has no piece here: <unk>.
        QCOMPARE(tokenizer->encode("a\xFF", 0).ids, ids({ 0, 5, 3, 2 }));
    }

    void malformedFilesNameTheFile()
    {
        const auto expectError = [](const json &tokenizer, const char *fragment) {
            try {
                pairtune::makeUnigramTokenizer(tokenizer, "/models/broken");
                QFAIL("no error");
            } catch (const pairtune::Error &e) {
                const std::string message = e.what();
                QVERIFY2(message.find("/models/broken/tokenizer.json") != std::string::npos, message.c_str());
                QVERIFY2(message.find(fragment) != std::string::npos, message.c_str());
            }
        };
        json tokenizer = xlmrShaped();
        tokenizer["model"]["vocab"][2] = "</s>";
        expectError(tokenizer, "model.vocab[2]");
        tokenizer = xlmrShaped();
        tokenizer["model"]["unk_id"] = 99;
        expectError(tokenizer, "unk_id");
        tokenizer = xlmrShaped();
        tokenizer["normalizer"] = { { "type", "StripAccents" } };
        expectError(tokenizer, "unsupported normalizer");
        tokenizer["normalizer"]
            = { { "type", "Replace" }, { "pattern", { { "Regex", "\\s+" } } }, { "content", " " } };
        expectError(tokenizer, "unsupported normalizer");
        tokenizer["normalizer"] = { { "type", "Precompiled" }, { "precompiled_charsmap", "!!not base64!!" } };
        expectError(tokenizer, "base64");
        tokenizer["normalizer"] = { { "type", "Precompiled" }, { "precompiled_charsmap", "AAAA" } };
        expectError(tokenizer, "precompiled_charsmap");
        tokenizer = xlmrShaped();
        tokenizer["pre_tokenizer"] = { { "type", "ByteLevel" } };
        expectError(tokenizer, "unsupported pre_tokenizer");
        tokenizer = xlmrShaped();
        tokenizer["post_processor"]["special_tokens"].erase("</s>");
        expectError(tokenizer, "</s>");
        tokenizer = xlmrShaped();
        tokenizer["model"]["type"] = "BPE";
        expectError(tokenizer, "Unigram");

        // No unk_id and a character without a piece: an error, not a silent wrong id.
        json noUnk = exampleTokenizer();
        noUnk["model"]["unk_id"] = nullptr;
        const auto tokenizerWithoutUnk = pairtune::makeUnigramTokenizer(noUnk, "/models/broken");
        QVERIFY_THROWS_EXCEPTION(pairtune::Error, tokenizerWithoutUnk->encode("x", 0));
        QVERIFY_THROWS_EXCEPTION(pairtune::Error, tokenizerWithoutUnk->idToToken(9));
    }
};

QTEST_GUILESS_MAIN(TestUnigramTokenizer)
#include "tst_unigram_tokenizer.moc"
