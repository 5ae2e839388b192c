// Every code point through the BERT normalizer (uncased and cased) and pre-tokenizer, against what
// Hugging Face tokenizers 0.23.2 does with it (tests/data/text_wordpiece/hf-bert-unicode.json, dumped
// on a machine with the library by bench/gpu/hf_unicode_dump.py). The Rust library classifies
// characters with its own, older Unicode tables, so this pins the characters Unicode added later.
#include "text/bertnormalizer.h"
#include "text/bertpretokenizer.h"
#include "text/utf8.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>

using namespace pairtune;

namespace {

// The dump's table for one mode, expanded: code point -> expected output (absent = the character
// itself; for "split" the class name).
std::map<char32_t, std::u32string> expand(const nlohmann::json &table)
{
    std::map<char32_t, std::u32string> expected;
    for (const auto &range : table.at("ranges")) {
        const auto first = range.at(0).get<char32_t>();
        const auto last = range.at(1).get<char32_t>();
        const auto kind = range.at(2).get<std::string>();
        for (char32_t c = first; c <= last; ++c) {
            if (kind == "drop")
                expected[c] = U"";
            else if (kind == "space")
                expected[c] = U" ";
            else if (kind == "cjk")
                expected[c] = std::u32string(U" ") + c + U" ";
            else
                expected[c] = decodeUtf8(kind); // "punct" / "ws" for the split table
        }
    }
    for (const auto &mapping : table.at("mappings"))
        expected[mapping.at(0).get<char32_t>()] = decodeUtf8(mapping.at(1).get<std::string>());
    return expected;
}

std::string describe(char32_t c, const std::u32string &ours, const std::u32string &theirs)
{
    auto hex = [](const std::u32string &s) {
        std::string out;
        for (char32_t x : s)
            out += QString::asprintf("%04X ", unsigned(x)).toStdString();
        return out.empty() ? std::string("(empty)") : out;
    };
    return QString::asprintf("U+%04X: ours ", unsigned(c)).toStdString() + hex(ours) + ", theirs "
        + hex(theirs);
}

// Runs ourAndTheirs(c) -> (ours, theirs) for every code point but the surrogates; empty when all agree,
// else the count and the first twelve differences.
template <typename OursAndTheirs> std::string differences(OursAndTheirs ourAndTheirs)
{
    int count = 0;
    std::string first;
    for (char32_t c = 0; c < 0x110000; ++c) {
        if (c >= 0xD800 && c <= 0xDFFF)
            continue;
        const auto [ours, theirs] = ourAndTheirs(c);
        if (ours != theirs && count++ < 12)
            first += describe(c, ours, theirs) + "\n";
    }
    return count == 0 ? std::string() : std::to_string(count) + " code points differ, first:\n" + first;
}

} // namespace

class TestWordPieceUnicode : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        std::ifstream in(PAIRTUNE_TEST_DATA_DIR "/text_wordpiece/hf-bert-unicode.json");
        QVERIFY(in.good());
        m_dump = nlohmann::json::parse(in);
        QCOMPARE(m_dump.at("tokenizers").get<std::string>(), std::string("0.23.2"));
    }

    void normalizerMatchesEveryCodePoint_data()
    {
        QTest::addColumn<bool>("lowercase");
        QTest::newRow("uncased") << true;
        QTest::newRow("cased") << false;
    }

    void normalizerMatchesEveryCodePoint()
    {
        QFETCH(bool, lowercase);
        BertNormalizerOptions options;
        options.lowercase = lowercase;
        const BertNormalizer normalizer(options);
        const auto expected = expand(m_dump.at(lowercase ? "uncased" : "cased"));
        const std::string report = differences([&](char32_t c) {
            const auto it = expected.find(c);
            const std::u32string theirs = it == expected.end() ? std::u32string(1, c) : it->second;
            return std::make_pair(normalizer.normalize(std::u32string_view(&c, 1)), theirs);
        });
        QVERIFY2(report.empty(), report.c_str());
    }

    void preTokenizerMatchesEveryCodePoint()
    {
        const auto expected = expand(m_dump.at("split"));
        const std::string report = differences([&](char32_t c) {
            const std::u32string text = std::u32string(U"a") + c + U"a";
            const std::size_t pieces = BertPreTokenizer::split(text).size();
            const std::u32string ours = pieces == 3 ? U"punct" : pieces == 2 ? U"ws" : U"";
            const auto it = expected.find(c);
            return std::make_pair(ours, it == expected.end() ? std::u32string() : it->second);
        });
        QVERIFY2(report.empty(), report.c_str());
    }

private:
    nlohmann::json m_dump;
};

QTEST_GUILESS_MAIN(TestWordPieceUnicode)
#include "tst_wordpieceunicode.moc"
