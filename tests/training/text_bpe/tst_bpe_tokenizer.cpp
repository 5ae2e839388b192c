// Byte-level BPE against Hugging Face tokenizers 0.23.2 (npm, through hf_bpe_reference.js): the ByteLevel
// pre-tokenizer (GPT-2 regex, prefix space, byte characters) piece for piece, the BPE model alone (merges,
// continuing_subword_prefix / end_of_word_suffix, unk, fuse_unk, byte_fallback, ignore_merges) word for
// word, and a folder with RoBERTa's slow files (vocab.json + merges.txt) against the tokenizer.json of the
// same vocabulary. Inputs are the repository's tricky strings plus regex edge cases; every expected answer
// comes from the reference.

#include "core/error.h"
#include "processrun.h"
#include "text/bpemodel.h"
#include "text/bytelevel.h"
#include "text/tokenizer.h"

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QStandardPaths>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <string>
#include <vector>

using nlohmann::json;

namespace {

const QString kSourceDir = QStringLiteral(PAIRTUNE_SOURCE_DIR);
const QString kScript = kSourceDir + QStringLiteral("/tests/training/text_bpe/hf_bpe_reference.js");
const QString kData = kSourceDir + QStringLiteral("/tests/data");

// What the GPT-2 regex has to get right: contractions, space runs before words and at the end, other
// whitespace, numbers, symbols, scripts without spaces, combining marks, emoji.
const std::vector<std::string> kRegexCases = { "'s'S'll'LL're've'm'd't", "don't stop", " 'tis", "a  b",
    "a \t b", "  leading", "trailing  ", "x\u00a0\u00a0y", "1,000.50 and 42nd", "日本語のテキスト",
    "é e\u0301", "👍🏽 ok", "a\u2028b", "a\u3000\u3000b", "12ab34", "..., !!", "tab\tsep", "\n\nnew",
    "mixed 中文 text", "x\u0085y", "   ", " ", "", "a", "¼½ Ⅻ ²", "'", "' s", "''s", "A'B", "ℹ️ info" };

std::vector<std::string> readJsonlTexts(const QString &path)
{
    std::vector<std::string> texts;
    std::ifstream in(path.toStdString());
    for (std::string line; std::getline(in, line);)
        if (!line.empty())
            texts.push_back(json::parse(line).at("text").get<std::string>());
    return texts;
}

} // namespace

class TestBpeTokenizer : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_scratch;
    QString m_node;
    std::vector<std::string> m_texts;

    // The reference's answer (one JSON value per line) to one JSON input per line.
    std::vector<json> reference(const QStringList &args, const std::vector<json> &inputs);
    std::vector<std::string> preTokenize(const std::string &text, bool addPrefixSpace, bool useRegex) const;
    void compareModel(const QString &tokenizerJson, const std::vector<std::vector<std::string>> &words);

private slots:
    void initTestCase();
    void preTokenizerMatchesHf_data();
    void preTokenizerMatchesHf();
    void mergesMatchHf_data();
    void mergesMatchHf();
    void prefixSuffixUnkAndFallbackMatchHf_data();
    void prefixSuffixUnkAndFallbackMatchHf();
    void slowRobertaFilesMatchTokenizerJson();
    void halfOfTheSlowFilesIsAClearError();
    void savedFolderReloadsWithTheSameIdsAndTruncationSide();
};

std::vector<json> TestBpeTokenizer::reference(const QStringList &args, const std::vector<json> &inputs)
{
    const QString input = m_scratch.filePath(QStringLiteral("input.jsonl"));
    {
        std::ofstream out(input.toStdString());
        for (const json &value : inputs)
            out << value.dump() << '\n';
    }
    const QStringList all = QStringList { kScript } + args + QStringList { input };
    const pairtune::testrun::RunResult result = pairtune::testrun::run(m_node, all, 240000);
    if (result.code != 0)
        qFatal("%s", qPrintable(result.describe(m_node, all)));
    std::vector<json> answers;
    for (const QByteArray &line : result.out.split('\n'))
        if (!line.isEmpty())
            answers.push_back(json::parse(line.toStdString()));
    return answers;
}

std::vector<std::string> TestBpeTokenizer::preTokenize(
    const std::string &text, bool addPrefixSpace, bool useRegex) const
{
    std::vector<std::string> words;
    pairtune::ByteLevelPreTokenizer { addPrefixSpace, useRegex }.preTokenize(
        text, [&](std::string &&word) { words.push_back(std::move(word)); });
    return words;
}

void TestBpeTokenizer::initTestCase()
{
    QVERIFY(m_scratch.isValid());
    m_node = QStandardPaths::findExecutable(QStringLiteral("node"));
    QVERIFY2(!m_node.isEmpty(),
        "node is not installed: run scripts/setup.sh, then scripts/install_hf_tokenizers.sh");
    QVERIFY2(QFile::exists(
                 kSourceDir + QStringLiteral("/tests/hf-tokenizers/node_modules/tokenizers/package.json")),
        "Hugging Face tokenizers (npm) is not installed: run scripts/install_hf_tokenizers.sh");
    m_texts = readJsonlTexts(kData + QStringLiteral("/hf_tokenizers/tricky-strings.jsonl"));
    const auto cases = readJsonlTexts(kData + QStringLiteral("/text_wordpiece/hf-wordpiece-cases.jsonl"));
    m_texts.insert(m_texts.end(), cases.begin(), cases.end());
    m_texts.insert(m_texts.end(), kRegexCases.begin(), kRegexCases.end());
    QVERIFY(m_texts.size() > 1000);
}

void TestBpeTokenizer::preTokenizerMatchesHf_data()
{
    QTest::addColumn<bool>("addPrefixSpace");
    QTest::addColumn<bool>("useRegex");
    QTest::newRow("regex") << false << true;
    QTest::newRow("regex, prefix space") << true << true;
    QTest::newRow("no regex, prefix space") << true << false;
}

void TestBpeTokenizer::preTokenizerMatchesHf()
{
    QFETCH(bool, addPrefixSpace);
    QFETCH(bool, useRegex);
    std::vector<json> inputs(m_texts.begin(), m_texts.end());
    const QString flags[] = { addPrefixSpace ? "true" : "false", useRegex ? "true" : "false" };
    const std::vector<json> theirs = reference({ "pretokenize", flags[0], flags[1] }, inputs);
    QCOMPARE(theirs.size(), m_texts.size());
    int differing = 0;
    for (std::size_t i = 0; i < m_texts.size(); ++i) {
        const json ours = preTokenize(m_texts[i], addPrefixSpace, useRegex);
        if (ours != theirs[i] && differing++ < 3)
            qWarning("%s\n  Pairtune:     %s\n  Hugging Face: %s", json(m_texts[i]).dump().c_str(),
                ours.dump().c_str(), theirs[i].dump().c_str());
    }
    QCOMPARE(differing, 0);
}

void TestBpeTokenizer::compareModel(
    const QString &tokenizerJson, const std::vector<std::vector<std::string>> &words)
{
    std::ifstream in(tokenizerJson.toStdString());
    const json file = json::parse(in);
    const pairtune::BpeModel model
        = pairtune::BpeModel::fromJson(file.at("model"), tokenizerJson.toStdString());
    std::vector<json> inputs(words.begin(), words.end());
    const std::vector<json> theirs = reference({ "model", tokenizerJson }, inputs);
    QCOMPARE(theirs.size(), words.size());
    int differing = 0;
    for (std::size_t i = 0; i < words.size(); ++i) {
        std::vector<std::int64_t> ours;
        for (const std::string &word : words[i])
            model.encodeWord(word, ours);
        if (json(ours) != theirs[i] && differing++ < 3)
            qWarning("%s\n  Pairtune:     %s\n  Hugging Face: %s", json(words[i]).dump().c_str(),
                json(ours).dump().c_str(), theirs[i].dump().c_str());
    }
    QCOMPARE(differing, 0);
}

void TestBpeTokenizer::mergesMatchHf_data()
{
    QTest::addColumn<QString>("tokenizerJson");
    QTest::newRow("roberta (\"a b\" merges)") << kData + QStringLiteral("/text_bpe/roberta/tokenizer.json");
    QTest::newRow("modernbert ([a, b] merges)")
        << kData + QStringLiteral("/text_bpe/modernbert/tokenizer.json");
    QTest::newRow("prefix-space (ignore_merges, unk)")
        << kData + QStringLiteral("/text_bpe/prefix-space/tokenizer.json");
}

void TestBpeTokenizer::mergesMatchHf()
{
    QFETCH(QString, tokenizerJson);
    // The byte-level words of every text, with and without the prefix space, and long runs where the
    // order of equal-rank merges matters.
    std::vector<std::vector<std::string>> words;
    for (const std::string &text : m_texts) {
        words.push_back(preTokenize(text, false, true));
        words.push_back(preTokenize(text, true, false));
    }
    for (const char *run :
        { "aaaaaaaaaaaaa", "ĠĠĠĠĠĠĠĠĠĠĠ", "eeeeeeeee", "tttttttttthhhhhhhheeeee", "ĠtheĠtheĠthe" })
        words.push_back({ run });
    words.erase(
        std::remove_if(words.begin(), words.end(), [](const auto &w) { return w.empty(); }), words.end());
    compareModel(tokenizerJson, words);
}

void TestBpeTokenizer::prefixSuffixUnkAndFallbackMatchHf_data()
{
    QTest::addColumn<QString>("options");
    QTest::newRow("prefix ## and suffix </w>, unk") << R"({"unk_token": "<unk>"})";
    QTest::newRow("fuse_unk") << R"({"unk_token": "<unk>", "fuse_unk": true})";
    QTest::newRow("byte_fallback") << R"({"unk_token": "<unk>", "byte_fallback": true})";
    QTest::newRow("ignore_merges, no unk") << R"({"ignore_merges": true})";
}

void TestBpeTokenizer::prefixSuffixUnkAndFallbackMatchHf()
{
    QFETCH(QString, options);
    // A small model in the layout of BPE trainers with a continuing_subword_prefix and an
    // end_of_word_suffix: every character bare, prefixed, suffixed and both; merges whose right part
    // carries the prefix.
    json vocab = json::object();
    int next = 0;
    for (const char *token : { "<unk>", "<0x61>", "<0xC3>", "<0xA9>", "<0x23>" })
        vocab[token] = next++;
    for (const std::string c : { "a", "b", "c", "d" })
        for (const std::string &form : { c, "##" + c, c + "</w>", "##" + c + "</w>" })
            vocab[form] = next++;
    json merges = json::array();
    const auto merge = [&](const std::string &a, const std::string &b, const std::string &result) {
        merges.push_back({ a, b });
        if (!vocab.contains(result))
            vocab[result] = next++;
    };
    merge("a", "##b", "ab");
    merge("ab", "##c</w>", "abc</w>");
    merge("##c", "##d", "##cd");
    merge("b", "##a", "ba");
    merge("ba", "##b", "bab");
    merge("##a", "##a", "##aa");
    merge("##aa", "##a</w>", "##aaa</w>");
    merge("d", "##cd", "dcd");
    vocab["abcd"] = next++; // only ignore_merges reaches it in one piece
    json model = { { "type", "BPE" }, { "dropout", nullptr }, { "unk_token", nullptr },
        { "continuing_subword_prefix", "##" }, { "end_of_word_suffix", "</w>" }, { "fuse_unk", false },
        { "byte_fallback", false }, { "ignore_merges", false }, { "vocab", vocab }, { "merges", merges } };
    model.update(json::parse(options.toStdString()));
    const json tokenizer = { { "version", "1.0" }, { "truncation", nullptr }, { "padding", nullptr },
        { "added_tokens", json::array() }, { "normalizer", nullptr }, { "pre_tokenizer", nullptr },
        { "post_processor", nullptr }, { "decoder", nullptr }, { "model", model } };
    const QString path = m_scratch.filePath(QStringLiteral("synthetic-tokenizer.json"));
    std::ofstream(path.toStdString()) << tokenizer.dump();

    std::vector<std::vector<std::string>> words;
    for (const char *word : { "abc", "abcd", "abab", "babab", "daaa", "aaaa", "dcd", "xay", "éa", "aéé",
             "a#b", "ab", "c", "zzz", "bzzb", "cdcd", "a", "é" })
        words.push_back({ word });
    compareModel(path, words);
}

void TestBpeTokenizer::slowRobertaFilesMatchTokenizerJson()
{
    const std::string slow = (kData + QStringLiteral("/text_bpe/roberta/slow")).toStdString();
    QVERIFY(!QFile::exists(QString::fromStdString(slow) + QStringLiteral("/tokenizer.json")));
    const auto tokenizer = pairtune::loadTokenizer(slow, "roberta");
    QCOMPARE(QString::fromStdString(tokenizer->kind()), QStringLiteral("bpe"));
    std::vector<json> inputs(m_texts.begin(), m_texts.end());
    const std::vector<json> theirs
        = reference({ "encode", kData + QStringLiteral("/text_bpe/roberta/tokenizer.json") }, inputs);
    QCOMPARE(theirs.size(), m_texts.size());
    int differing = 0;
    for (std::size_t i = 0; i < m_texts.size(); ++i) {
        const json ours = tokenizer->encode(m_texts[i], 0).ids;
        if (ours != theirs[i] && differing++ < 3)
            qWarning("%s\n  Pairtune:     %s\n  Hugging Face: %s", json(m_texts[i]).dump().c_str(),
                ours.dump().c_str(), theirs[i].dump().c_str());
    }
    QCOMPARE(differing, 0);
}

void TestBpeTokenizer::halfOfTheSlowFilesIsAClearError()
{
    const QString folder = m_scratch.filePath(QStringLiteral("vocab-only"));
    QVERIFY(QDir().mkpath(folder));
    QVERIFY(QFile::copy(
        kData + QStringLiteral("/text_bpe/roberta/slow/vocab.json"), folder + QStringLiteral("/vocab.json")));
    try {
        pairtune::loadTokenizer(folder.toStdString(), "roberta");
        QFAIL("a folder with vocab.json but no merges.txt loaded");
    } catch (const pairtune::Error &error) {
        QVERIFY2(QString::fromUtf8(error.what()).contains(QLatin1String("merges.txt")), error.what());
    }
}

// What an export writes must give the same ids when read back, left truncation included.
void TestBpeTokenizer::savedFolderReloadsWithTheSameIdsAndTruncationSide()
{
    const QString source = m_scratch.filePath(QStringLiteral("modernbert-left"));
    QVERIFY(QDir().mkpath(source));
    for (const char *name : { "tokenizer.json", "tokenizer_config.json" })
        QVERIFY(QFile::copy(kData + QStringLiteral("/text_bpe/modernbert/") + QLatin1String(name),
            source + QLatin1Char('/') + QLatin1String(name)));
    {
        std::ifstream in((source + QStringLiteral("/tokenizer_config.json")).toStdString());
        json config = json::parse(in);
        config["truncation_side"] = "left";
        std::ofstream((source + QStringLiteral("/tokenizer_config.json")).toStdString()) << config.dump();
    }
    const auto original = pairtune::loadTokenizer(source.toStdString(), "modernbert");
    QVERIFY(original->truncationSide() == pairtune::TruncationSide::Left);
    const QString saved = m_scratch.filePath(QStringLiteral("saved"));
    QVERIFY(QDir().mkpath(saved));
    original->save(saved.toStdString(), 512);
    const auto reloaded = pairtune::loadTokenizer(saved.toStdString(), "modernbert");
    QVERIFY(reloaded->truncationSide() == pairtune::TruncationSide::Left);
    QCOMPARE(reloaded->padId(), original->padId());
    for (const std::string &text : m_texts) {
        QCOMPARE(reloaded->encode(text, 16).ids, original->encode(text, 16).ids);
        QCOMPARE(reloaded->encode(text, 0).ids, original->encode(text, 0).ids);
    }
}

QTEST_GUILESS_MAIN(TestBpeTokenizer)
#include "tst_bpe_tokenizer.moc"
