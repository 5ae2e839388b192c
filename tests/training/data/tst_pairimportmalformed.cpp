// Every malformed pair file must fail with one line naming the file, the line (and column where one
// character is to blame) and what is wrong.
#include "core/error.h"
#include "data/pairdataset.h"
#include "data/previewtable.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace pairtune;

class TestPairImportMalformed : public QObject
{
    Q_OBJECT

private slots:
    void malformed_data();
    void malformed();
    void badColumnOption();
    void mergedFilesMustAgree();
    void previewReportsErrorWithoutThrowing();

private:
    QString write(const QString &name, const QByteArray &bytes);
    QTemporaryDir m_dir;
};

QString TestPairImportMalformed::write(const QString &name, const QByteArray &bytes)
{
    const QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qFatal("cannot write %s", qPrintable(path));
    file.write(bytes);
    return path;
}

static QByteArray nul()
{
    return QByteArray(1, '\0');
}

void TestPairImportMalformed::malformed_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("location"); // what follows the path before ": "
    QTest::addColumn<QString>("phrase");

    const QByteArray pair = R"({"anchor": "a", "positive": "b"})"
                            "\n";
    // Empty and structural problems.
    QTest::newRow("empty file") << "empty.tsv" << QByteArray() << ""
                                << "the file is empty";
    QTest::newRow("only blank lines") << "blank.csv" << QByteArray("\n   \r\n\n") << ""
                                      << "the file is empty";
    QTest::newRow("only a header") << "header.tsv" << QByteArray("anchor\tpositive\n") << ":1"
                                   << "header line but no pairs";
    QTest::newRow("one column tsv") << "one.tsv" << QByteArray("first text\nsecond text\n") << ":1"
                                    << "expected at least 2 columns (anchor and positive), found 1 (no tab";
    QTest::newRow("one column csv") << "one.csv" << QByteArray("first text\nsecond text\n") << ":1"
                                    << "no tab, ',' or ';' splits the first lines";
    QTest::newRow("short row") << "short.tsv" << QByteArray("a\tb\nc\td\nlonely\n") << ":3"
                               << "expected at least 2 columns (anchor and positive), found 1";
    QTest::newRow("ragged csv") << "ragged.csv" << QByteArray("a,b,c\nd,e,f\ng,h\n") << ":3"
                                << "expected 3 columns as on line 1, found 2";
    QTest::newRow("duplicate header name") << "dup.csv" << QByteArray("anchor,anchor\na,b\n") << ":1:8"
                                           << "duplicate column name \"anchor\"";
    // Quotes (CSV is strict).
    QTest::newRow("unterminated quote") << "open.csv" << QByteArray("a,b\nc,\"d e\nf,g\n") << ":2:3"
                                        << "unterminated quoted field";
    QTest::newRow("stray quote") << "stray.csv" << QByteArray("a,b\nsay \"hi\",x\n") << ":2:5"
                                 << "stray quote in an unquoted field";
    QTest::newRow("stray quote after utf8")
        << "stray8.csv" << QByteArray("a,b\nh\xC3\xA9llo,say \"hi\"\n") << ":2:11"
        << "stray quote";
    QTest::newRow("text after closing quote") << "after.csv" << QByteArray("\"a\"b,c\n") << ":1:4"
                                              << "after the closing quote";
    // Encoding.
    QTest::newRow("utf8 overlong") << "overlong.tsv" << QByteArray("a\tb\nc\xC0\x80\td\n") << ":2:2"
                                   << "invalid UTF-8: overlong encoding (0xC0)";
    QTest::newRow("utf8 overlong 3-byte") << "overlong3.tsv" << QByteArray("a\xE0\x80\xAF\tb\n") << ":1:2"
                                          << "overlong encoding (0xE0 0x80)";
    QTest::newRow("utf8 lone continuation") << "cont.tsv" << QByteArray("a\xA9 b\tc\n") << ":1:2"
                                            << "unexpected continuation byte 0xA9";
    QTest::newRow("utf8 truncated sequence") << "trunc8.tsv" << QByteArray("x\ty\ncaf\xC3\tb\n") << ":2:4"
                                             << "truncated sequence (0xC3 needs 1 continuation bytes)";
    QTest::newRow("latin-1 text") << "latin1.tsv" << QByteArray("caf\xE9 au lait\tcoffee\n") << ":1:4"
                                  << "Latin-1 or Windows-1252";
    QTest::newRow("utf8 surrogate") << "surrogate.tsv" << QByteArray("a\xED\xA0\x80\tb\n") << ":1:2"
                                    << "surrogate";
    QTest::newRow("utf8 above U+10FFFF") << "big.tsv" << QByteArray("a\tb\xF4\x90\x80\x80\n") << ":1:4"
                                         << "above U+10FFFF";
    QTest::newRow("NUL byte") << "nul.tsv" << QByteArray("a\tb\nc") + nul() + QByteArray("d\te\n") << ":2:2"
                              << "NUL byte";
    QTest::newRow("UTF-16 with BOM") << "utf16.tsv"
                                     << QByteArray("\xFF\xFE"
                                                   "a")
            + nul() + "\t" + nul() << ":1:1"
                                     << "UTF-16";
    // JSON Lines.
    QTest::newRow("truncated jsonl") << "cut.jsonl" << pair + R"({"anchor": "c", "pos)"
                                     << ":2:1"
                                     << "truncated JSON object";
    QTest::newRow("jsonl line not an object") << "str.jsonl" << pair + "\"just a string\"\n"
                                              << ":2:1"
                                              << "expected a JSON object";
    QTest::newRow("jsonl invalid json") << "bad.jsonl" << pair + R"({"anchor" "c"})"
                                        << ":2:11"
                                        << "invalid JSON: syntax error while parsing object separator";
    QTest::newRow("jsonl object then array") << "mixed.jsonl" << pair + "[\"c\", \"d\"]\n"
                                             << ":2:1"
                                             << "expected an object like the first row (line 1)";
    QTest::newRow("jsonl unknown keys") << "keys.jsonl" << QByteArray(R"({"foo": "a", "bar": "b"})") << ":1"
                                        << "unknown keys \"foo\", \"bar\"; expected anchor/positive, "
                                           "sentence1/sentence2, text1/text2, query/answer";
    QTest::newRow("jsonl unknown keys on line 2") << "keys2.jsonl" << pair + R"({"foo": "x", "bar": "y"})"
                                                  << ":2"
                                                  << "unknown keys \"foo\", \"bar\"";
    QTest::newRow("jsonl missing anchor") << "noanchor.jsonl" << pair + R"({"positive": "c"})"
                                          << ":2"
                                          << "missing \"anchor\"";
    QTest::newRow("jsonl null anchor") << "null.jsonl" << pair + R"({"anchor": null, "positive": "c"})"
                                       << ":2:12"
                                       << "key \"anchor\" is null";
    QTest::newRow("jsonl number as text")
        << "num.jsonl" << QByteArray(R"({"anchor": 5, "positive": "c"})") << ":1:12"
        << "expected a string in key \"anchor\", found the number 5";
    QTest::newRow("jsonl negatives differ")
        << "negs.jsonl"
        << QByteArray(R"({"anchor": "a", "positive": "b", "negatives": ["x", "y"]})"
                      "\n"
                      R"({"anchor": "c", "positive": "d", "negatives": ["z"]})")
        << ":2"
        << "expected 2 hard negatives as on line 1, found 1";
    // JSON documents.
    QTest::newRow("json unknown keys")
        << "keys.json" << QByteArray("[\n  {\"foo\": \"a\", \"bar\": \"b\"}\n]") << ":2"
        << "unknown keys \"foo\", \"bar\"";
    QTest::newRow("json top-level string") << "str.json" << QByteArray("  \"hello\"") << ":1:3"
                                           << "expected a JSON array of pairs";
    QTest::newRow("json top-level number") << "num.json" << QByteArray("42") << ":1:1"
                                           << "expected a JSON array of pairs";
    QTest::newRow("json single object") << "obj.json" << QByteArray("{\n\"anchor\": [\"a\"]\n}") << ":1:1"
                                        << "found an object with keys \"anchor\"";
    QTest::newRow("json empty array") << "empty.json" << QByteArray("[]") << ":1:1"
                                      << "the JSON array is empty";
    QTest::newRow("json truncated") << "cut.json" << QByteArray(R"([{"anchor": "a", "positive": "b"},)")
                                    << ":1:1"
                                    << "truncated JSON";
    QTest::newRow("json invalid")
        << "bad.json"
        << QByteArray("[\n{\"anchor\": \"a\", \"positive\": \"b\"},\n{\"anchor\": \"c\" "
                      "\"positive\": \"d\"}\n]")
        << ":3:16"
        << "invalid JSON: syntax error while parsing object - unexpected string literal";
    QTest::newRow("json array row too short")
        << "short.json" << QByteArray("[[\"a\", \"b\"],\n [\"c\"]]") << ":2"
        << "expected at least 2 columns (anchor and positive), found 1";
    QTest::newRow("json row not an object")
        << "row.json" << QByteArray("[{\"anchor\": \"a\", \"positive\": \"b\"}, 7]") << ":1:36"
        << "or an array of texts, found a number";
    QTest::newRow("json object then array")
        << "mixed.json" << QByteArray("[{\"anchor\": \"a\", \"positive\": \"b\"},\n [\"c\", \"d\"]]")
        << ":2:2"
        << "expected an object like the first row (line 1), found an array";
    // Values.
    QTest::newRow("non-numeric score")
        << "score.tsv" << QByteArray("sentence1\tsentence2\tscore\na\tb\t0.5\nc\td\thigh\n") << ":3:5"
        << "the score \"high\" in column \"score\" is not a number";
    QTest::newRow("nli label is not a score")
        << "nli.csv" << QByteArray("premise,hypothesis,label\nA man,A person,entailment\n") << ":2:16"
        << "not a number";
    QTest::newRow("empty score") << "noscore.tsv" << QByteArray("a\tb\t0.5\nc\td\t \n") << ":2:5"
                                 << "the score is empty";
    QTest::newRow("infinite score") << "inf.jsonl"
                                    << QByteArray(R"({"text1": "a", "text2": "b", "score": "inf"})")
                                    << ":1:39"
                                    << "is not a number";
    QTest::newRow("1 MiB + 1 line") << "long.tsv"
                                    << QByteArray("a\tb\n") + QByteArray((1 << 20) + 1, 'x') + "\tb\n"
                                    << ":2:1"
                                    << "is 1048577 bytes, over the limit of 1048576 bytes";
    QTest::newRow("1 MiB + 1 jsonl text")
        << "long.jsonl"
        << "{\"anchor\": \"" + QByteArray((1 << 20) + 1, 'y') + "\", \"positive\": \"b\"}"
        << ":1:12"
        << "over the limit";
}

void TestPairImportMalformed::malformed()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, content);
    QFETCH(QString, location);
    QFETCH(QString, phrase);
    const QString path = write(name, content);
    try {
        PairDataset::load(path.toStdString());
        QFAIL("the file was accepted");
    } catch (const Error &error) {
        const QString message = QString::fromStdString(error.what());
        const QString prefix = path + location + ": ";
        QVERIFY2(message.startsWith(prefix),
            qPrintable("expected prefix " + prefix + "\n got: " + message.left(300)));
        QVERIFY2(message.contains(phrase),
            qPrintable("expected phrase " + phrase + "\n got: " + message.left(300)));
        QVERIFY2(!message.contains('\n'), qPrintable("message spans lines: " + message.left(300)));
        QVERIFY(message.size() < 400); // one readable line, not a dump of the file
    }
}

void TestPairImportMalformed::badColumnOption()
{
    const QString path = write("cols.csv", "question,answer\nq,a\n");
    ImportOptions options;
    options.anchorColumn = "query_text";
    try {
        PairDataset::load(path.toStdString(), options);
        QFAIL("accepted a column that does not exist");
    } catch (const Error &error) {
        QCOMPARE(QString::fromStdString(error.what()),
            path
                + ": the anchor column \"query_text\" does not exist; the columns are \"question\", "
                  "\"answer\"");
    }
    options.anchorColumn = "answer";
    options.positiveColumn = "1";
    QVERIFY_THROWS_EXCEPTION(Error, PairDataset::load(path.toStdString(), options));
}

void TestPairImportMalformed::mergedFilesMustAgree()
{
    const QString plain = write("plain.tsv", "a\tb\n");
    const QString scored = write("scored.tsv", "c\td\t0.5\n");
    try {
        PairDataset::loadMany({ plain.toStdString(), scored.toStdString() });
        QFAIL("merged files with different columns");
    } catch (const Error &error) {
        const QString message = QString::fromStdString(error.what());
        QVERIFY2(message.startsWith(scored + ": has a score column but " + plain + " has none"),
            qPrintable(message));
    }
}

void TestPairImportMalformed::previewReportsErrorWithoutThrowing()
{
    const QString path = write("preview-bad.csv", "a,b\nc,\"d\n");
    const PreviewTable table = preview(path.toStdString());
    QCOMPARE(QString::fromStdString(table.error),
        path + ":2:3: unterminated quoted field: the quote opened here is never closed");
    QVERIFY(table.rows.empty());
}

QTEST_GUILESS_MAIN(TestPairImportMalformed)
#include "tst_pairimportmalformed.moc"
