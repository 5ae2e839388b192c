// The BERT fast-tokenizer rules (docs/formats.md §4.2) on the real bert-base-uncased vocabulary. Every
// expected token list below was derived by hand from the rules: clean_text, CJK spacing, accents
// stripped before lowercasing, whitespace/punctuation split, greedy WordPiece.

#include "core/error.h"
#include "text/tokenizerfactories.h"
#include "wordpiecetesthelpers.h"

#include <QTemporaryDir>
#include <QtTest>

#include <memory>
#include <thread>

using namespace pairtune;
using namespace wordpiecetest;

class TestWordPieceTokenizer : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void helloWorldIds();
    void edgeCases_data();
    void edgeCases();
    void randomTextsMatchHuggingFace();
    void maxLengthBelowSpecialTokensIsAnError();
    void concurrentEncodingIsConsistent();

private:
    struct Variant
    {
        QString name;
        std::unique_ptr<Tokenizer> tokenizer;
    };
    std::vector<std::string> m_vocab;
    std::vector<Variant> m_variants;
    QTemporaryDir m_dir;
};

void TestWordPieceTokenizer::initTestCase()
{
    m_vocab = readLines(vocabPath());
    QCOMPARE(m_vocab.size(), std::size_t(30522));
    QVERIFY(m_dir.isValid());

    // The same tokenizer reached four ways: vocab.txt with fast defaults, an HF-style tokenizer.json,
    // and both files that save() writes.
    auto fromVocab = makeWordPieceTokenizerFromVocabFile(vocabPath(), true);
    const std::string jsonDir = (m_dir.path() + "/json").toStdString();
    QVERIFY(QDir().mkpath(QString::fromStdString(jsonDir)));
    writeFile(jsonDir + "/tokenizer.json", hfBertTokenizerJson(m_vocab).dump(2));
    auto fromJson = makeWordPieceTokenizer(readJson(jsonDir + "/tokenizer.json"), jsonDir);

    const std::string savedDir = (m_dir.path() + "/saved").toStdString();
    QVERIFY(QDir().mkpath(QString::fromStdString(savedDir)));
    fromJson->save(savedDir, 512);
    auto fromSavedJson = makeWordPieceTokenizer(readJson(savedDir + "/tokenizer.json"), savedDir);
    auto fromSavedFolder = makeWordPieceTokenizerFromFolder(savedDir);

    m_variants.push_back({ "vocab.txt", std::move(fromVocab) });
    m_variants.push_back({ "tokenizer.json", std::move(fromJson) });
    m_variants.push_back({ "saved tokenizer.json", std::move(fromSavedJson) });
    m_variants.push_back({ "saved vocab.txt + tokenizer_config.json", std::move(fromSavedFolder) });
}

void TestWordPieceTokenizer::helloWorldIds()
{
    for (const Variant &v : m_variants) {
        const Encoding e = v.tokenizer->encode("Hello world!", 0);
        QCOMPARE(e.ids, (std::vector<std::int64_t> { 101, 7592, 2088, 999, 102 }));
        QCOMPARE(e.typeIds, (std::vector<std::int64_t> { 0, 0, 0, 0, 0 }));
        QCOMPARE(v.tokenizer->padId(), 0);
        QCOMPARE(v.tokenizer->vocabSize(), std::size_t(30522));
        QCOMPARE(v.tokenizer->kind(), std::string("wordpiece"));
    }
}

namespace {

void row(const char *name, const QByteArray &input, const QStringList &content, int maxLength = 0)
{
    QStringList expected { "[CLS]" };
    expected << content << "[SEP]";
    QTest::newRow(name) << input << maxLength << expected;
}

QStringList repeated(const QString &first, const QString &middle, int count, const QString &last)
{
    QStringList list { first };
    for (int i = 0; i < count; ++i)
        list << middle;
    list << last;
    return list;
}

} // namespace

void TestWordPieceTokenizer::edgeCases_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("maxLength");
    QTest::addColumn<QStringList>("expected"); // the full encoding, special tokens included

    row("plain sentence", "Hello world!", { "hello", "world", "!" });
    // Accents: NFD, drop Mn, then lowercase.
    row("cafe acute", "caf\u00e9", { "cafe" });
    row("naive diaeresis", "na\u00efve", { "naive" });
    row("angstrom", "\u00c5ngstr\u00f6m", { "ang", "##strom" });
    row("angstrom sign U+212B", "\u212b", { "a" });
    row("turkish o cedilla u", "\u00d6l\u00e7\u00fc", { "ol", "##cu" });
    row("upper-case accent CAFE", "CAF\u00c9", { "cafe" });
    row("upper-case accent ECOLE", "\u00c9COLE", { "ecole" });
    row("combining acute alone", "e\u0301", { "e" });
    // CJK ideographs are isolated; other scripts are not.
    row("cjk two", "\u4e2d\u6587", { "\u4e2d", "\u6587" });
    row("cjk three", "\u65e5\u672c\u8a9e", { "\u65e5", "\u672c", "\u8a9e" });
    row("cjk between latin", "abc\u4e2ddef", { "abc", "\u4e2d", "def" });
    row("U+2B820 is not cjk for fast", "a\U0002B820b", { "[UNK]" });
    row("U+2B920 is cjk for fast", "a\U0002B920b", { "a", "[UNK]", "b" });
    row("U+2B81F ends extension D", "a\U0002B81Fb", { "a", "[UNK]", "b" });
    row("cjk compatibility U+F900", "a\uf900b", { "a", "[UNK]", "b" });
    row("hangul decomposes to jamo", "\uc548\ub155\ud558\uc138\uc694",
        { "\u110b", "##\u1161", "##\u11ab", "##\u1102", "##\u1167", "##\u11bc", "##\u1112", "##\u1161",
            "##\u1109", "##\u1166", "##\u110b", "##\u116d" });
    row("hiragana one word", "\u3053\u3093\u306b\u3061\u306f",
        { "\u3053", "##\u3093", "##\u306b", "##\u3061", "##\u306f" });
    row("hiragana dakuten stripped", "\u3042\u308a\u304c\u3068\u3046",
        { "\u3042", "##\u308a", "##\u304b", "##\u3068", "##\u3046" });
    // Emoji are symbols (So): a word of their own only when spaced.
    row("emoji spaced", "I love \U0001F355", { "i", "love", "[UNK]" });
    row("emoji glued to word", "pizza\U0001F355", { "[UNK]" });
    row("emoji zwj sequence", "\U0001F468\u200d\U0001F469\u200d\U0001F467", { "[UNK]" });
    row("emoji skin tone", "\U0001F44D\U0001F3FD", { "[UNK]" });
    // clean_text drops NUL, U+FFFD and Cc/Cf/Co; whitespace becomes a separator.
    row("NUL dropped", QByteArray("a\0b", 3), { "ab" });
    row("BEL dropped",
        "a\x07"
        "b",
        { "ab" });
    row("U+FFFD dropped", "a\ufffdb", { "ab" });
    row("invalid UTF-8 dropped",
        "a\xff"
        "b",
        { "ab" });
    row("zero-width space U+200B dropped", "hello\u200bworld", { "hello", "##world" });
    row("soft hyphen dropped", "co\u00adoperate", { "cooperate" });
    row("byte order mark dropped", "\ufeffhello", { "hello" });
    row("private use dropped", "a\ue000b", { "ab" });
    row("U+0085 is a control: dropped", "a\u0085b", { "ab" });
    row("tabs and newlines", "hello\tworld\nfoo\r\nbar", { "hello", "world", "foo", "bar" });
    row("no-break space U+00A0", "hello\u00a0world", { "hello", "world" });
    row("ideographic space U+3000", "hello\u3000world", { "hello", "world" });
    row("line separator U+2028", "hello\u2028world", { "hello", "world" });
    // Punctuation: ASCII punctuation or Unicode P*, each char its own word.
    row("exclamation run", "!!!", { "!", "!", "!" });
    row("ellipsis dots", "...", { ".", ".", "." });
    row("dot inside word", "a.b", { "a", ".", "b" });
    row("apostrophe", "don't", { "don", "'", "t" });
    row("curly apostrophe", "don\u2019t", { "don", "\u2019", "t" });
    row("hyphens", "state-of-the-art", { "state", "-", "of", "-", "the", "-", "art" });
    row("em dash", "a\u2014b", { "a", "\u2014", "b" });
    row("number with commas", "1,000,000", { "1", ",", "000", ",", "000" });
    row("decimal number", "3.14", { "3", ".", "14" });
    row("url", "https://example.com/path?q=1",
        { "https", ":", "/", "/", "example", ".", "com", "/", "path", "?", "q", "=", "1" });
    row("e-mail", "john.doe@example.com", { "john", ".", "doe", "@", "example", ".", "com" });
    row("inverted question mark", "\u00bfQu\u00e9?", { "\u00bf", "que", "?" });
    row("curly quotes", "\u201cquoted\u201d", { "\u201c", "quoted", "\u201d" });
    row("math plus equals are ASCII punctuation", "a+b=c", { "a", "+", "b", "=", "c" });
    row("math sum U+2211 is Sm", "x\u2211y", { "[UNK]" });
    row("math times U+00D7 is Sm", "2\u00d73", { "2", "##\u00d7", "##3" });
    // U+2260 is canonically '=' + U+0338 (an Mn overlay): stripping accents leaves ASCII '='.
    row("math not-equal U+2260 decomposes", "a\u2260b", { "a", "=", "b" });
    row("dollar is ASCII punctuation", "$100", { "$", "100" });
    row("euro is Sc", "\u20ac100", { "\u20ac", "##100" });
    // WordPiece.
    row("100-char word", QByteArray(100, 'a'), repeated("aaa", "##aa", 48, "##a"));
    row("101-char word", QByteArray(101, 'a'), { "[UNK]" });
    row("several pieces", "unaffable", { "una", "##ffa", "##ble" });
    row("piece missing: whole word unk", "hello\ua66e", { "[UNK]" });
    row("fullwidth letters", "\uff21\uff22\uff23", { "[UNK]" });
    row("ligature fi", "\ufb01", { "\ufb01" });
    // Special tokens are matched in the raw text and kept whole.
    row("special tokens written", "[CLS] hi [SEP]", { "[CLS]", "hi", "[SEP]" });
    row("mask in sentence", "the [MASK] sat", { "the", "[MASK]", "sat" });
    row("special inside a word", "hello[SEP]world", { "hello", "[SEP]", "world" });
    row("special at word start", "[MASK]ED", { "[MASK]", "ed" });
    row("lower-case [cls] is not special", "[cls]", { "[", "cl", "##s", "]" });
    row("spaced [ MASK ] is not special", "[ MASK ]", { "[", "mask", "]" });
    row("empty", "", {});
    row("whitespace only", "   \t\n  ", {});
    // Truncation counts the two special tokens.
    QTest::newRow("truncate to 8") << QByteArray("the quick brown fox jumps over the lazy dog") << 8
                                   << QStringList { "[CLS]", "the", "quick", "brown", "fox", "jumps", "over",
                                          "[SEP]" };
    QTest::newRow("truncate to 2") << QByteArray("the quick brown fox") << 2
                                   << QStringList { "[CLS]", "[SEP]" };
    row("exact fit is not truncated", "Hello world!", { "hello", "world", "!" }, 5);
    // Lower-casing is Rust's char::to_lowercase, after accent stripping.
    row("greek upper", "\u0391\u0398\u0397\u039d\u0391",
        { "\u03b1", "##\u03b8", "##\u03b7", "##\u03bd", "##\u03b1" });
    row("greek tonos stripped", "\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac",
        { "\u03b5", "##\u03bb", "##\u03bb", "##\u03b7", "##\u03bd", "##\u03b9", "##\u03ba", "##\u03b1" });
    row("greek final sigma stays medial", "\u039f\u0394\u039f\u03a3",
        { "\u03bf", "##\u03b4", "##\u03bf", "##\u03c3" });
    row("cyrillic", "\u041f\u0420\u0418\u0412\u0415\u0422 \u043c\u0438\u0440",
        { "\u043f", "##\u0440", "##\u0438", "##\u0432", "##\u0435", "##\u0442", "\u043c", "##\u0438",
            "##\u0440" });
    row("cyrillic yo loses diaeresis", "\u0401\u043b\u043a\u0430",
        { "\u0435", "##\u043b", "##\u043a\u0430" });
    row("cyrillic short i loses breve", "\u0419\u043e\u0448\u043a\u0430\u0440",
        { "\u0438", "##\u043e", "##\u0448", "##\u043a\u0430", "##\u0440" });
    row("german sharp s kept", "Stra\u00dfe", { "st", "##ra\u00dfe" });
    row("german capital sharp s", "GRO\u1e9e", { "gr", "##o", "##\u00df" });
    row("german upper STRASSE", "STRASSE", { "st", "##ras", "##se" });
    row("turkish dotted capital I", "\u0130stanbul", { "istanbul" });
    row("mixed sentence", "Hello, World! \u4f60\u597d", { "hello", ",", "world", "!", "[UNK]", "[UNK]" });
}

void TestWordPieceTokenizer::edgeCases()
{
    QFETCH(QByteArray, input);
    QFETCH(int, maxLength);
    QFETCH(QStringList, expected);

    std::vector<std::int64_t> expectedIds;
    for (const QString &token : expected) {
        const std::int64_t id = indexOf(m_vocab, token.toStdString());
        QVERIFY2(id >= 0, qPrintable("expected token not in the vocabulary: " + token));
        expectedIds.push_back(id);
    }
    const std::string text = input.toStdString();
    for (const Variant &v : m_variants) {
        const Encoding e = v.tokenizer->encode(text, static_cast<std::size_t>(maxLength));
        QStringList actual;
        for (const std::int64_t id : e.ids)
            actual << QString::fromStdString(v.tokenizer->idToToken(id));
        QVERIFY2(actual == expected, qPrintable(v.name + ": got " + actual.join(' ')));
        QCOMPARE(e.ids, expectedIds);
        QCOMPARE(e.typeIds, std::vector<std::int64_t>(expectedIds.size(), 0));
        if (maxLength == 0)
            QCOMPARE(toQStringList(v.tokenizer->tokenize(text)), expected.mid(1, expected.size() - 2));
    }
}

void TestWordPieceTokenizer::randomTextsMatchHuggingFace()
{
    const std::vector<std::string> lines
        = readLines(PAIRTUNE_TEST_DATA_DIR "/text_wordpiece/hf-wordpiece-cases.jsonl");
    QCOMPARE(lines.size(), std::size_t(1500));
    for (const std::string &line : lines) {
        const nlohmann::json item = nlohmann::json::parse(line);
        const std::string text = item.at("text").get<std::string>();
        const auto expected = item.at("ids").get<std::vector<std::int64_t>>();
        for (const Variant &v : m_variants)
            QVERIFY2(v.tokenizer->encode(text, 0).ids == expected,
                qPrintable(v.name + " differs on " + QString::fromStdString(nlohmann::json(text).dump())));
    }
}

void TestWordPieceTokenizer::maxLengthBelowSpecialTokensIsAnError()
{
    try {
        m_variants.front().tokenizer->encode("hello", 1);
        QFAIL("a maximum length of 1 was accepted");
    } catch (const Error &e) {
        QVERIFY2(QString(e.what()).contains("special tokens"), e.what());
    }
}

void TestWordPieceTokenizer::concurrentEncodingIsConsistent()
{
    const Tokenizer &tokenizer = *m_variants.front().tokenizer;
    const std::vector<std::string> texts = { "Hello world!", "caf\u00e9 na\u00efve",
        "\u4e2d\u6587 [MASK] text", "state-of-the-art unaffable", std::string(300, 'x') };
    std::vector<std::vector<std::int64_t>> reference;
    for (const auto &t : texts)
        reference.push_back(tokenizer.encode(t, 0).ids);
    std::atomic<int> mismatches { 0 };
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int round = 0; round < 200; ++round)
                for (std::size_t i = 0; i < texts.size(); ++i)
                    if (tokenizer.encode(texts[i], 0).ids != reference[i])
                        ++mismatches;
        });
    for (auto &thread : threads)
        thread.join();
    QCOMPARE(mismatches.load(), 0);
}

QTEST_GUILESS_MAIN(TestWordPieceTokenizer)
#include "tst_wordpiecetokenizer.moc"
