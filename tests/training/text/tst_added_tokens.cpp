// Added tokens against Hugging Face tokenizers (npm 0.23.2, the Rust library's Node binding): the same
// added tokens are put into a WordPiece, a byte-level BPE and a Unigram tokenizer.json, and texts that
// put every kind of character next to them go through Pairtune's tokenizer and through HF's; the ids must
// be equal. The characters are chosen where "word character" rules disagree: HF's single_word uses
// Rust regex \w (letters, marks, Nd digits, connector punctuation, join controls), which is not "letters
// and numbers and '_'" (No digits like ², marks like U+0301, ‿ and ＿, ZWJ). Matching is leftmost-longest,
// and a single_word match that is refused is skipped as a whole (no shorter or later token inside it).

#include "processrun.h"
#include "text/tokenizer.h"
#include "text/tokenizerfactories.h"

#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QStandardPaths>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include <fstream>
#include <functional>
#include <string>
#include <vector>

using nlohmann::json;

namespace {

const QString kSourceDir = QStringLiteral(PAIRTUNE_SOURCE_DIR);
const QString kReference = kSourceDir + QStringLiteral("/tests/training/text_bpe/hf_bpe_reference.js");

json readJson(const QString &path)
{
    std::ifstream in(path.toStdString());
    return json::parse(in);
}

// The added tokens under test, with ids after the model's vocabulary (HF gives them those ids too).
// "ab" and "<m>" refuse to touch a word character; "Foo" is matched on normalized text; "k" and "w" are
// plain tokens that a refused single_word "kw" must hide.
void addTokens(json &tokenizer, std::int64_t firstId)
{
    struct Spec
    {
        const char *content;
        bool singleWord, lstrip, rstrip, normalized, special;
    };
    const Spec specs[] = { { "ab", true, false, false, false, false },
        { "kw", true, false, false, false, false }, { "k", false, false, false, false, false },
        { "w", false, false, false, false, false }, { "Foo", true, false, false, true, false },
        { "[ENT]", false, true, true, false, true }, { "<m>", true, true, true, false, true } };
    json &added = tokenizer["added_tokens"];
    std::int64_t next = firstId;
    for (const json &token : added)
        next = std::max<std::int64_t>(next, token.at("id").get<std::int64_t>() + 1);
    // A token the model already has keeps the model's id, as in HF's add_tokens.
    const json &vocab = tokenizer["model"]["vocab"];
    const auto idOf = [&](const std::string &content) -> std::int64_t {
        if (vocab.is_object() && vocab.contains(content))
            return vocab[content].get<std::int64_t>();
        for (std::size_t i = 0; vocab.is_array() && i < vocab.size(); ++i)
            if (vocab[i][0] == content)
                return static_cast<std::int64_t>(i);
        return next++;
    };
    for (const Spec &s : specs)
        added.push_back({ { "id", idOf(s.content) }, { "content", s.content },
            { "single_word", s.singleWord }, { "lstrip", s.lstrip }, { "rstrip", s.rstrip },
            { "normalized", s.normalized }, { "special", s.special } });
}

// Characters beside "ab": letters, digits of each Unicode kind, marks, connector punctuation, join
// controls, circled letters, emoji, punctuation and spaces.
const std::vector<std::string> kNeighbours
    = { "x", "Z", "7", "_", "é", "ß", "中", "ا", "\u0301", "²", "½", "Ⅻ", "٣", "‿", "＿", "\u200d", "\u200c",
          "ⓐ", "😀", ",", "-", "'", "(", ".", " ", "\t", "\u00a0", "\u3000" };

std::vector<std::string> texts()
{
    std::vector<std::string> out;
    for (const std::string &n : kNeighbours) {
        out.push_back(n + "ab");
        out.push_back("ab" + n);
        out.push_back(n + "ab" + n);
        out.push_back("x " + n + "ab z");
    }
    for (const char *text : { "ab", "ab ab", "abab", "kw", "kwx", "xkw", "xkwx", "k w kw", "a kw_w k",
             "Foo bar", "FOO", "xfoo", "fooé", "foo!", "foo\u0301", "a [ENT] b", "a\u00a0[ENT]\u3000b",
             "[ENT][ENT]", "a[ENT]b", "  [ENT]  ", "a <m> b", "a<m> b", "a <m>b", "x\t<m>\ty", "é<m>", "<m>😀",
             "ab[ENT]ab", "ab <m> ab", "_<m>_" })
        out.push_back(text);
    return out;
}

// A small Unigram tokenizer.json (XLM-R shaped: Metaspace, <s> $A </s>) over a few letters.
json unigramTokenizer()
{
    const std::string meta = "\u2581";
    json vocab = json::array({ json::array({ "<s>", 0.0 }), json::array({ "<pad>", 0.0 }),
        json::array({ "</s>", 0.0 }), json::array({ "<unk>", 0.0 }), json::array({ meta, -2.0 }) });
    for (const char *piece : { "a", "b", "x", "z", "o", "f", "r", "y" })
        vocab.push_back(json::array({ piece, -4.0 }));
    vocab.push_back(json::array({ meta + "a", -3.0 }));
    json added = json::array();
    for (int id : { 0, 1, 2, 3 })
        added.push_back({ { "id", id }, { "content", vocab[id][0] }, { "single_word", false },
            { "lstrip", false }, { "rstrip", false }, { "normalized", false }, { "special", true } });
    const json metaspace = { { "type", "Metaspace" }, { "replacement", meta }, { "prepend_scheme", "always" },
        { "split", true } };
    const auto special = [](const char *name, int id) {
        return json { { "id", name }, { "ids", json::array({ id }) }, { "tokens", json::array({ name }) } };
    };
    const auto piece = [](const char *kind, const char *id) {
        return json { { kind, { { "id", id }, { "type_id", 0 } } } };
    };
    const json single
        = { piece("SpecialToken", "<s>"), piece("Sequence", "A"), piece("SpecialToken", "</s>") };
    json pair = single;
    for (const json &p :
        { piece("SpecialToken", "</s>"), piece("Sequence", "B"), piece("SpecialToken", "</s>") })
        pair.push_back(p);
    return json { { "version", "1.0" }, { "added_tokens", added }, { "normalizer", nullptr },
        { "pre_tokenizer", metaspace },
        { "post_processor",
            { { "type", "TemplateProcessing" }, { "single", single }, { "pair", pair },
                { "special_tokens", { { "<s>", special("<s>", 0) }, { "</s>", special("</s>", 2) } } } } },
        { "decoder", metaspace },
        { "model",
            { { "type", "Unigram" }, { "unk_id", 3 }, { "vocab", vocab }, { "byte_fallback", false } } } };
}

} // namespace

class TestAddedTokens : public QObject
{
    Q_OBJECT

private:
    QString m_node;
    QTemporaryDir m_dir;

    // Writes tokenizer, runs it through HF and through make, and compares the ids text by text.
    void compareWithHf(const QString &name, const json &tokenizer,
        const std::function<std::unique_ptr<pairtune::Tokenizer>(const json &)> &make)
    {
        const QString tokenizerPath = m_dir.filePath(name + QStringLiteral(".json"));
        const QString inputPath = m_dir.filePath(name + QStringLiteral("-texts.jsonl"));
        std::ofstream(tokenizerPath.toStdString()) << tokenizer.dump();
        const std::vector<std::string> all = texts();
        {
            std::ofstream input(inputPath.toStdString());
            for (const std::string &text : all)
                input << json(text).dump() << '\n';
        }
        const QStringList args = { kReference, QStringLiteral("encode"), tokenizerPath, inputPath };
        const pairtune::testrun::RunResult reference = pairtune::testrun::run(m_node, args, 120000);
        QVERIFY2(reference.code == 0, qPrintable(reference.describe(m_node, args)));
        const QList<QByteArray> lines = reference.out.trimmed().split('\n');
        QCOMPARE(lines.size(), qsizetype(all.size()));

        const std::unique_ptr<pairtune::Tokenizer> ours = make(tokenizer);
        QStringList mismatches;
        for (std::size_t i = 0; i < all.size(); ++i) {
            const std::vector<std::int64_t> expected = json::parse(lines[qsizetype(i)].toStdString());
            const std::vector<std::int64_t> got = ours->encode(all[i], 0).ids;
            if (got != expected)
                mismatches << QStringLiteral("%1 %2: HF %3, Pairtune %4")
                                  .arg(name, QString::fromStdString(json(all[i]).dump()),
                                      QString::fromStdString(json(expected).dump()),
                                      QString::fromStdString(json(got).dump()));
        }
        for (const QString &mismatch : mismatches)
            qWarning("%s", qPrintable(mismatch)); // all of them: QVERIFY2 cuts a long message
        QVERIFY2(mismatches.isEmpty(),
            qPrintable(
                QStringLiteral("%1 of %2 texts differ from HF").arg(mismatches.size()).arg(all.size())));
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_node = QStandardPaths::findExecutable(QStringLiteral("node"));
        QVERIFY2(!m_node.isEmpty(),
            "node is not installed: run scripts/setup.sh, then scripts/install_hf_tokenizers.sh");
        QVERIFY2(
            QFileInfo::exists(kSourceDir + QStringLiteral("/tests/hf-tokenizers/node_modules/tokenizers")),
            "Hugging Face tokenizers (npm) is missing: run scripts/install_hf_tokenizers.sh");
    }

    void wordPieceMatchesHf()
    {
        json tokenizer = readJson(kSourceDir + QStringLiteral("/tests/data/layouts/today/tokenizer.json"));
        addTokens(tokenizer, static_cast<std::int64_t>(tokenizer["model"]["vocab"].size()));
        compareWithHf(QStringLiteral("wordpiece"), tokenizer,
            [](const json &t) { return pairtune::makeWordPieceTokenizer(t, ""); });
    }

    void bytelevelBpeMatchesHf()
    {
        json tokenizer = readJson(kSourceDir + QStringLiteral("/tests/data/text_bpe/roberta/tokenizer.json"));
        addTokens(tokenizer, static_cast<std::int64_t>(tokenizer["model"]["vocab"].size()));
        compareWithHf(QStringLiteral("bpe"), tokenizer,
            [](const json &t) { return pairtune::makeBpeTokenizer(t, ""); });
    }

    void unigramMatchesHf()
    {
        json tokenizer = unigramTokenizer();
        addTokens(tokenizer, static_cast<std::int64_t>(tokenizer["model"]["vocab"].size()));
        compareWithHf(QStringLiteral("unigram"), tokenizer,
            [](const json &t) { return pairtune::makeUnigramTokenizer(t, ""); });
    }
};

QTEST_GUILESS_MAIN(TestAddedTokens)
#include "tst_added_tokens.moc"
