// Reading and writing the BERT tokenizer files: tokenizer.json options, vocab.txt with
// tokenizer_config.json, the layout save() writes, added-token options, and clear errors.

#include "core/error.h"
#include "text/tokenizerfactories.h"
#include "wordpiecetesthelpers.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace pairtune;
using namespace wordpiecetest;
using nlohmann::json;

namespace {

// A small cased vocabulary: the five specials first, as in BERT.
const std::vector<std::string> smallVocab = { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "Hello", "hello",
    "##s", "!", "Caf\u00e9", "Cafe", "cafe", "i", "##\u0307", "##stanbul" };

QStringList tokens(const Tokenizer &t, const std::string &text)
{
    return toQStringList(t.tokenize(text));
}

} // namespace

class TestWordPieceFiles : public QObject
{
    Q_OBJECT

private slots:
    void init() { QVERIFY(m_dir.isValid()); }
    void savedFilesHaveTheHuggingFaceLayout();
    void saveThenLoadKeepsEveryOption();
    void vocabFolderReadsTokenizerConfig();
    void casedTokenizerJsonKeepsCase();
    void lowercaseWithoutStrippingKeepsDotAbove();
    void addedTokenOptions();
    void malformedFiles_data();
    void malformedFiles();
    void saveIntoMissingFolderFails();

private:
    std::string makeDir(const char *name)
    {
        const QString path = m_dir.path() + "/" + name;
        QDir().mkpath(path);
        return path.toStdString();
    }
    std::unique_ptr<Tokenizer> loadJson(const json &tokenizerJson, const char *name)
    {
        const std::string dir = makeDir(name);
        writeFile(dir + "/tokenizer.json", tokenizerJson.dump());
        return makeWordPieceTokenizer(readJson(dir + "/tokenizer.json"), dir);
    }

    QTemporaryDir m_dir;
};

void TestWordPieceFiles::savedFilesHaveTheHuggingFaceLayout()
{
    const auto tokenizer = makeWordPieceTokenizerFromVocabFile(vocabPath(), true);
    const std::string dir = makeDir("layout");
    tokenizer->save(dir, 256);

    const json t = readJson(dir + "/tokenizer.json");
    QCOMPARE(t.at("version"), "1.0");
    QVERIFY(t.at("truncation").is_null());
    QVERIFY(t.at("padding").is_null());
    QCOMPARE(t.at("added_tokens").size(), std::size_t(5));
    const std::vector<std::pair<int, const char *>> specials
        = { { 0, "[PAD]" }, { 100, "[UNK]" }, { 101, "[CLS]" }, { 102, "[SEP]" }, { 103, "[MASK]" } };
    for (std::size_t i = 0; i < specials.size(); ++i) {
        const json &a = t.at("added_tokens")[i];
        QCOMPARE(a.at("id").get<int>(), specials[i].first);
        QCOMPARE(a.at("content"), specials[i].second);
        QCOMPARE(a.at("normalized"), false);
        QCOMPARE(a.at("special"), true);
        QCOMPARE(a.at("lstrip"), false);
        QCOMPARE(a.at("rstrip"), false);
        QCOMPARE(a.at("single_word"), false);
    }
    const json expectedNormalizer = { { "type", "BertNormalizer" }, { "clean_text", true },
        { "handle_chinese_chars", true }, { "strip_accents", nullptr }, { "lowercase", true } };
    QCOMPARE(t.at("normalizer"), expectedNormalizer);
    QCOMPARE(t.at("pre_tokenizer"), (json { { "type", "BertPreTokenizer" } }));
    const json reference = hfBertTokenizerJson(readLines(vocabPath()));
    QCOMPARE(t.at("post_processor"), reference.at("post_processor"));
    QCOMPARE(t.at("decoder"), (json { { "type", "WordPiece" }, { "prefix", "##" }, { "cleanup", true } }));
    QCOMPARE(t.at("model"), reference.at("model"));

    // The raw text keeps Rust's key order and lists the vocabulary in id order.
    std::ifstream rawStream(dir + "/tokenizer.json", std::ios::binary);
    const std::string raw(std::istreambuf_iterator<char>(rawStream), {});
    std::size_t last = 0;
    for (const char *key : { "\"version\"", "\"truncation\"", "\"padding\"", "\"added_tokens\"",
             "\"normalizer\"", "\"pre_tokenizer\"", "\"post_processor\"", "\"decoder\"", "\"model\"" }) {
        const std::size_t at = raw.find(key);
        QVERIFY2(at != std::string::npos && at >= last, key);
        last = at;
    }
    const std::vector<std::string> vocab = readLines(vocabPath());
    std::size_t pos = raw.find("\"vocab\": {");
    QVERIFY(pos != std::string::npos);
    for (std::size_t id = 0; id < vocab.size(); id += 997) {
        const std::string entry = json(vocab[id]).dump() + ": " + std::to_string(id);
        const std::size_t at = raw.find(entry, pos);
        QVERIFY2(at != std::string::npos, entry.c_str());
        pos = at;
    }

    const json config = readJson(dir + "/tokenizer_config.json");
    QCOMPARE(config.at("tokenizer_class"), "BertTokenizer");
    QCOMPARE(config.at("do_lower_case"), true);
    QVERIFY(config.at("strip_accents").is_null());
    QCOMPARE(config.at("tokenize_chinese_chars"), true);
    QCOMPARE(config.at("model_max_length"), 256);
    QCOMPARE(config.at("clean_up_tokenization_spaces"), true);
    QCOMPARE(config.at("cls_token"), "[CLS]");
    QCOMPARE(config.at("unk_token"), "[UNK]");
    QCOMPARE(config.at("added_tokens_decoder").size(), std::size_t(5));
    QCOMPARE(config.at("added_tokens_decoder").at("103").at("content"), "[MASK]");
    QCOMPARE(config.at("added_tokens_decoder").at("103").at("special"), true);

    const json map = readJson(dir + "/special_tokens_map.json");
    QCOMPARE(map,
        (json { { "cls_token", "[CLS]" }, { "mask_token", "[MASK]" }, { "pad_token", "[PAD]" },
            { "sep_token", "[SEP]" }, { "unk_token", "[UNK]" } }));
    QCOMPARE(readLines(dir + "/vocab.txt"), vocab);
}

void TestWordPieceFiles::saveThenLoadKeepsEveryOption()
{
    json j = hfBertTokenizerJson(smallVocab, false, true);
    j["normalizer"]["clean_text"] = false;
    j["normalizer"]["handle_chinese_chars"] = false;
    j["model"]["max_input_chars_per_word"] = 7;
    const auto original = loadJson(j, "options");
    const std::string dir = makeDir("options-saved");
    original->save(dir, 128);
    const json saved = readJson(dir + "/tokenizer.json");
    QCOMPARE(saved.at("normalizer"), j.at("normalizer"));
    QCOMPARE(saved.at("model").at("max_input_chars_per_word"), 7);
    const json config = readJson(dir + "/tokenizer_config.json");
    QCOMPARE(config.at("do_lower_case"), false);
    QCOMPARE(config.at("strip_accents"), true);
    QCOMPARE(config.at("tokenize_chinese_chars"), false);

    const auto reloaded = makeWordPieceTokenizer(saved, dir);
    // Without clean_text U+0085 stays and is White_Space for the pre-tokenizer; a 8-char word is unk.
    for (const std::string text : { "Hello\u0085hellos Caf\u00e9!", "Hellos!!", "Hellooo hello" }) {
        QCOMPARE(reloaded->encode(text, 0).ids, original->encode(text, 0).ids);
    }
    QCOMPARE(tokens(*reloaded, "Hello\u0085hellos Caf\u00e9!"),
        (QStringList { "Hello", "hello", "##s", "Cafe", "!" }));
    QCOMPARE(tokens(*reloaded, "hellosss hellos"), (QStringList { "[UNK]", "hello", "##s" }));
}

void TestWordPieceFiles::vocabFolderReadsTokenizerConfig()
{
    const std::string dir = makeDir("slow-cased");
    std::string vocab;
    for (const std::string &t : smallVocab)
        vocab += t + "\n";
    writeFile(dir + "/vocab.txt", vocab);
    writeFile(
        dir + "/tokenizer_config.json", R"({"do_lower_case": false, "tokenizer_class": "BertTokenizer"})");
    const auto cased = makeWordPieceTokenizerFromFolder(dir);
    // strip_accents null follows do_lower_case=false: accents stay.
    QCOMPARE(tokens(*cased, "Hello hellos Caf\u00e9!"),
        (QStringList { "Hello", "hello", "##s", "Caf\u00e9", "!" }));

    writeFile(dir + "/tokenizer_config.json", R"({"do_lower_case": false, "strip_accents": true})");
    QCOMPARE(tokens(*makeWordPieceTokenizerFromFolder(dir), "Caf\u00e9"), (QStringList { "Cafe" }));

    writeFile(dir + "/tokenizer_config.json", "{}");
    QCOMPARE(
        tokens(*makeWordPieceTokenizerFromFolder(dir), "HELLO Caf\u00e9"), (QStringList { "hello", "cafe" }));
}

void TestWordPieceFiles::casedTokenizerJsonKeepsCase()
{
    const auto cased = loadJson(hfBertTokenizerJson(smallVocab, false), "cased");
    QCOMPARE(tokens(*cased, "Hello hello HELLO Caf\u00e9"),
        (QStringList { "Hello", "hello", "[UNK]", "Caf\u00e9" }));
    const auto uncased = loadJson(hfBertTokenizerJson(smallVocab, true), "uncased");
    QCOMPARE(
        tokens(*uncased, "Hello hello HELLO Caf\u00e9"), (QStringList { "hello", "hello", "hello", "cafe" }));
}

void TestWordPieceFiles::lowercaseWithoutStrippingKeepsDotAbove()
{
    // Lower-casing U+0130 gives "i" + U+0307; only accent stripping (which runs first) removes it.
    const auto keep = loadJson(hfBertTokenizerJson(smallVocab, true, false), "nostrip");
    QCOMPARE(tokens(*keep, "\u0130stanbul"), (QStringList { "i", "##\u0307", "##stanbul" }));
    QCOMPARE(tokens(*keep, "CAF\u00c9"), (QStringList { "[UNK]" }));
    const auto strip = loadJson(hfBertTokenizerJson(smallVocab, true), "strip");
    QCOMPARE(tokens(*strip, "\u0130stanbul"), (QStringList { "i", "##stanbul" }));
}

void TestWordPieceFiles::addedTokenOptions()
{
    json j = hfBertTokenizerJson(readLines(vocabPath()));
    const auto add = [&](int id, const char *content, bool singleWord, bool lstrip, bool rstrip,
                         bool normalized, bool special) {
        j["added_tokens"].push_back(
            { { "id", id }, { "content", content }, { "single_word", singleWord }, { "lstrip", lstrip },
                { "rstrip", rstrip }, { "normalized", normalized }, { "special", special } });
    };
    add(30522, "[NEW]", true, false, false, false, true);
    add(30523, "<l>", false, true, true, false, false);
    add(30524, "bigword", false, false, false, true, false);
    const auto t = loadJson(j, "added");
    QCOMPARE(t->vocabSize(), std::size_t(30525));
    QCOMPARE(t->idToToken(30524), std::string("bigword"));

    QCOMPARE(tokens(*t, "a [NEW] b"), (QStringList { "a", "[NEW]", "b" }));
    QCOMPARE(tokens(*t, "[NEW][NEW]"), (QStringList { "[NEW]", "[NEW]" }));
    // single_word: a word character touching it means no match; the text is then normalized.
    QCOMPARE(tokens(*t, "a[NEW]b"), (QStringList { "a", "[", "new", "]", "b" }));
    QCOMPARE(tokens(*t, "x <l>   y"), (QStringList { "x", "<l>", "y" }));
    // normalized=true tokens match the normalized text (lower-cased here), even inside words.
    QCOMPARE(tokens(*t, "BIGWORD xBigWordy"), (QStringList { "bigword", "x", "bigword", "y" }));
    QCOMPARE(t->encode("BIGWORD", 0).ids, (std::vector<std::int64_t> { 101, 30524, 102 }));

    // Save keeps the added tokens and their options.
    const std::string dir = makeDir("added-saved");
    t->save(dir, 512);
    const json saved = readJson(dir + "/tokenizer.json");
    QCOMPARE(saved.at("added_tokens"), j.at("added_tokens"));
    const auto reloaded = makeWordPieceTokenizer(saved, dir);
    QCOMPARE(tokens(*reloaded, "a[NEW]b [NEW] xBigWordy"), tokens(*t, "a[NEW]b [NEW] xBigWordy"));
}

void TestWordPieceFiles::malformedFiles_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("expectedMessage");

    json noUnk = hfBertTokenizerJson({ "[PAD]", "[CLS]", "[SEP]", "a" });
    QTest::newRow("tokenizer.json without [UNK]")
        << "tokenizer.json" << QByteArray::fromStdString(noUnk.dump())
        << "\"[UNK]\" is not in the vocabulary";
    json sharedId = hfBertTokenizerJson(smallVocab);
    sharedId["model"]["vocab"]["hello"] = 5;
    QTest::newRow("tokenizer.json with two tokens on one id")
        << "tokenizer.json" << QByteArray::fromStdString(sharedId.dump()) << "share the id 5";
    json sequence = hfBertTokenizerJson(smallVocab);
    sequence["normalizer"] = { { "type", "Sequence" },
        { "normalizers", json::array({ { { "type", "Lowercase" } }, { { "type", "NFD" } } }) } };
    QTest::newRow("unsupported normalizer") << "tokenizer.json" << QByteArray::fromStdString(sequence.dump())
                                            << "normalizer type \"NFD\" is not supported";
    json whitespace = hfBertTokenizerJson(smallVocab);
    whitespace["pre_tokenizer"] = { { "type", "Whitespace" } };
    QTest::newRow("unsupported pre-tokenizer")
        << "tokenizer.json" << QByteArray::fromStdString(whitespace.dump())
        << "pre_tokenizer type \"Whitespace\" is not supported";
    QTest::newRow("empty vocab.txt") << "vocab.txt" << QByteArray() << "the vocabulary file is empty";
    QTest::newRow("duplicate in vocab.txt")
        << "vocab.txt" << QByteArray("[PAD]\n[UNK]\nhello\n[CLS]\nhello\n")
        << "vocab.txt:5:1: the token \"hello\" already appears on line 3";
    QTest::newRow("vocab.txt without [UNK]")
        << "vocab.txt" << QByteArray("[PAD]\n[CLS]\n[SEP]\nhello\n") << "\"[UNK]\" is not in the vocabulary";
    QTest::newRow("vocab.txt without [SEP]")
        << "vocab.txt" << QByteArray("[PAD]\n[UNK]\n[CLS]\nhello\n") << "\"[SEP]\" is not in the vocabulary";
    QTest::newRow("blank line in vocab.txt")
        << "vocab.txt" << QByteArray("[PAD]\n[UNK]\n\n[CLS]\n[SEP]\n") << "vocab.txt:3:1: empty line";
}

void TestWordPieceFiles::malformedFiles()
{
    QFETCH(QString, fileName);
    QFETCH(QByteArray, content);
    QFETCH(QString, expectedMessage);

    const std::string dir = makeDir(QTest::currentDataTag());
    const std::string path = dir + "/" + fileName.toStdString();
    writeFile(path, content.toStdString());
    try {
        if (fileName == "tokenizer.json")
            makeWordPieceTokenizer(readJson(path), dir);
        else
            makeWordPieceTokenizerFromFolder(dir);
        QFAIL("no error for a malformed file");
    } catch (const Error &e) {
        const QString message = QString::fromUtf8(e.what());
        QVERIFY2(message.contains(QString::fromStdString(path)), qPrintable("no file name in: " + message));
        QVERIFY2(message.contains(expectedMessage), qPrintable(message));
    }
}

void TestWordPieceFiles::saveIntoMissingFolderFails()
{
    const auto tokenizer = loadJson(hfBertTokenizerJson(smallVocab), "for-missing");
    const std::string missing = m_dir.path().toStdString() + "/does/not/exist";
    try {
        tokenizer->save(missing, 512);
        QFAIL("saving into a missing folder succeeded");
    } catch (const Error &e) {
        QVERIFY2(QString(e.what()).contains(QString::fromStdString(missing)), e.what());
    }
}

QTEST_GUILESS_MAIN(TestWordPieceFiles)
#include "tst_wordpiecefiles.moc"
