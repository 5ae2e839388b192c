#include "core/error.h"
#include "io/fileutil.h"
#include "io/jsonfile.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace pairtune;

class TestJsonFile : public QObject
{
    Q_OBJECT

private slots:
    void syntaxErrorPositions_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("location");
        QTest::addColumn<QString>("detail");
        // Line and column (1-based) of the character where parsing failed.
        QTest::newRow("missing value") << QByteArray("{\n  \"a\": 1,\n  \"b\": }\n") << "3:8"
                                       << "unexpected '}'";
        QTest::newRow("bad literal") << QByteArray("[true, fals]") << "1:12"
                                     << "invalid literal";
        QTest::newRow("non-ASCII counted as one column") << QByteArray("{\"é€\": x}") << "1:8"
                                                         << "invalid literal";
        QTest::newRow("unterminated array at end") << QByteArray("{\"a\": [1, 2") << "1:12"
                                                   << "unexpected end of input";
        QTest::newRow("empty text") << QByteArray("") << "1:1"
                                    << "unexpected end of input";
        QTest::newRow("trailing comma on line 4") << QByteArray("[\n1,\n2,\n]") << "4:1"
                                                  << "unexpected ']'";
        QTest::newRow("garbage after value") << QByteArray("{}\n\n  x") << "3:3"
                                             << "expected end of input";
        QTest::newRow("CRLF lines") << QByteArray("{\r\n\"a\":\r\n,}") << "3:1"
                                    << "unexpected ','";
        QTest::newRow("invalid UTF-8 in a string") << QByteArray("\n[\"ab\xff\"]") << "2:5"
                                                   << "UTF-8";
    }

    void syntaxErrorPositions()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, location);
        QFETCH(QString, detail);
        try {
            parseJson(text.toStdString(), "data/config.json");
            QFAIL("invalid JSON was accepted");
        } catch (const Error &e) {
            const QString what = QString::fromUtf8(e.what());
            QVERIFY2(what.startsWith("data/config.json:" + location + ": invalid JSON: "), qPrintable(what));
            QVERIFY2(what.contains(detail), qPrintable(what));
            QVERIFY2(!what.contains("json.exception"), qPrintable(what));
            QCOMPARE(e.kind(), Error::Kind::InvalidInput);
        }
    }

    void readsFiles()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("c.json").toStdString();
        writeFileAtomic(path, "{\"hidden_size\": 384, \"name\": \"m\u00fcller\"}");
        const nlohmann::json j = readJsonFile(path);
        QCOMPARE(j.at("hidden_size").get<int>(), 384);
        QCOMPARE(j.at("name").get<std::string>(), std::string("m\u00fcller"));

        writeFileAtomic(path, "{\n  \"a\": [1, 2,, 3]\n}\n");
        try {
            readJsonFile(path);
            QFAIL("accepted");
        } catch (const Error &e) {
            QVERIFY2(QString(e.what()).startsWith(QString::fromStdString(path) + ":2:14: "), e.what());
        }

        const std::string missing = dir.filePath("nope.json").toStdString();
        try {
            readJsonFile(missing);
            QFAIL("read a missing file");
        } catch (const Error &e) {
            QCOMPARE(e.kind(), Error::Kind::Io);
            QVERIFY(QString(e.what()).contains(QString::fromStdString(missing)));
        }
    }

    void writesUtf8WithTrailingNewline()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("out.json").toStdString();
        nlohmann::json j;
        j["word"] = "naïve – 日本語 🙂";
        j["n"] = 3;
        j["list"] = { 1, 2 };
        writeJsonFile(path, j, 2);
        const std::string text = readFileBytes(path);
        QCOMPARE(text,
            std::string("{\n  \"list\": [\n    1,\n    2\n  ],\n  \"n\": 3,\n  \"word\": \"naïve – 日本語 "
                        "🙂\"\n}\n"));
        QCOMPARE(readJsonFile(path), j);

        writeJsonFile(path, j, -1);
        QCOMPARE(readFileBytes(path),
            std::string("{\"list\":[1,2],\"n\":3,\"word\":\"naïve – 日本語 🙂\"}\n"));
    }

    void invalidUtf8IsReplacedNotFatal()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("bad.json").toStdString();
        writeJsonFile(path,
            nlohmann::json { { "t",
                std::string("ab\xff"
                            "c") } },
            -1);
        QCOMPARE(readFileBytes(path),
            std::string("{\"t\":\"ab\xEF\xBF\xBD"
                        "c\"}\n"));
    }

    void writeLeavesNoTemporaryFiles()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("x.json").toStdString();
        writeJsonFile(path, nlohmann::json { { "v", 1 } }, 4);
        writeJsonFile(path, nlohmann::json { { "v", 2 } }, 4);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList { "x.json" });
        QCOMPARE(readJsonFile(path).at("v").get<int>(), 2);
    }
};

QTEST_APPLESS_MAIN(TestJsonFile)
#include "tst_jsonfile.moc"
