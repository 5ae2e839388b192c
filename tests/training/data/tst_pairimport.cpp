// Valid but unusual pair files are accepted with exactly the records they hold.
#include "core/error.h"
#include "core/log.h"
#include "data/importoptions.h"
#include "data/pairdataset.h"
#include "data/previewtable.h"
#include "data/sha256.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace pairtune;

namespace {

QString q(const std::string &text)
{
    return QString::fromStdString(text);
}

QStringList names(const PairDataset &dataset)
{
    QStringList out;
    for (const std::string &name : dataset.columnNames())
        out << q(name);
    return out;
}

} // namespace

class TestPairImport : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void bomAndCrlfTsv();
    void quotedCsvWithDelimitersAndNewlines();
    void semicolonCsvWithCommasInTexts();
    void headerlessTsv();
    void tsvQuotesAreTextUnlessWellFormed();
    void extraColumnsBecomeNegatives();
    void scores_data();
    void scores();
    void jsonArrayOfArrays();
    void jsonlSentencePairsWithScore();
    void jsonWrappedAndColumnar();
    void jsonlNegativesList();
    void veryLongText();
    void headerOverride();
    void explicitMappingAndIgnoredColumns();
    void unknownColumnsWithHeader();
    void formatByContentAndOverride();
    void lineEndingsAndBlankLines();
    void customDelimiter();
    void mergesFiles();
    void fixes();
    void previewShowsMapping();
    void formatNames();

private:
    QString write(const QString &name, const QByteArray &bytes);
    QTemporaryDir m_dir;
    QStringList m_warnings;
};

QString TestPairImport::write(const QString &name, const QByteArray &bytes)
{
    const QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qFatal("cannot write %s", qPrintable(path));
    file.write(bytes);
    return path;
}

void TestPairImport::init()
{
    m_warnings.clear();
    setLogSink([this](LogLevel, const std::string &message) { m_warnings << q(message); });
}

void TestPairImport::bomAndCrlfTsv()
{
    const QString path = write("bom.tsv",
        "\xEF\xBB\xBF"
        "anchor\tpositive\r\nwhat is bm25?\ta ranking function\r\n"
        "caf\xC3\xA9\tcoffee\r\n");
    const PairDataset data = PairDataset::load(path.toStdString());
    QCOMPARE(data.size(), std::size_t(2));
    QCOMPARE(q(data.detectedFormat()), QString("tsv"));
    QCOMPARE(names(data), QStringList({ "anchor", "positive" }));
    QCOMPARE(q(data.records()[0].anchor), QString("what is bm25?"));
    QCOMPARE(q(data.records()[0].positive), QString("a ranking function"));
    QCOMPARE(q(data.records()[1].anchor), QString::fromUtf8("caf\xC3\xA9"));
    QCOMPARE(data.records()[0].sourceLine, std::size_t(2));
    QCOMPARE(data.records()[1].sourceLine, std::size_t(3));
    QVERIFY(!data.hasScores());
    QCOMPARE(data.negativesPerRecord(), std::size_t(0));
    QVERIFY(m_warnings.isEmpty());
}

void TestPairImport::quotedCsvWithDelimitersAndNewlines()
{
    const QString path = write("quoted.csv",
        "anchor,positive\r\n"
        "\"Hello, world\",\"line one\r\nline two\"\r\n"
        "\"He said \"\"hi\"\"\", plain\r\n"
        " \"spaced\" ,\"\"\r\n");
    const PairDataset data = PairDataset::load(path.toStdString());
    QCOMPARE(data.size(), std::size_t(3));
    QCOMPARE(q(data.detectedFormat()), QString("csv"));
    QCOMPARE(q(data.records()[0].anchor), QString("Hello, world"));
    QCOMPARE(q(data.records()[0].positive), QString("line one\r\nline two"));
    QCOMPARE(q(data.records()[1].anchor), QString("He said \"hi\""));
    QCOMPARE(q(data.records()[1].positive), QString(" plain"));
    QCOMPARE(data.records()[1].sourceLine, std::size_t(4));
    QCOMPARE(q(data.records()[2].anchor), QString("spaced"));
    QCOMPARE(q(data.records()[2].positive), QString());
}

void TestPairImport::semicolonCsvWithCommasInTexts()
{
    const QString headed
        = write("semi.csv", "query;answer\nWas ist das, bitte?;Ein Test, ja.\nNoch, eine;Zwei, drei\n");
    const PairDataset data = PairDataset::load(headed.toStdString());
    QCOMPARE(data.size(), std::size_t(2));
    QCOMPARE(q(data.records()[0].anchor), QString("Was ist das, bitte?"));
    QCOMPARE(q(data.records()[1].positive), QString("Zwei, drei"));
    QCOMPARE(names(data), QStringList({ "query", "answer" }));

    // Without a header the delimiter that splits every line the same way wins.
    const QString headerless = write("semi2.csv", "a, b;c\nd;e, f, g\nh;i\n");
    const PairDataset plain = PairDataset::load(headerless.toStdString());
    QCOMPARE(plain.size(), std::size_t(3));
    QCOMPARE(q(plain.records()[0].anchor), QString("a, b"));
    QCOMPARE(q(plain.records()[1].positive), QString("e, f, g"));
    QCOMPARE(names(plain), QStringList({ "0", "1" }));
}

void TestPairImport::headerlessTsv()
{
    const QString path = write("plain.tsv", "first question\tfirst answer\nsecond question\tsecond answer\n");
    const PairDataset data = PairDataset::load(path.toStdString());
    QCOMPARE(data.size(), std::size_t(2));
    QCOMPARE(q(data.records()[0].anchor), QString("first question"));
    QCOMPARE(data.records()[0].sourceLine, std::size_t(1));
    QCOMPARE(q(data.records()[1].positive), QString("second answer"));
}

void TestPairImport::tsvQuotesAreTextUnlessWellFormed()
{
    const QString path = write("quotes.tsv",
        "He said \"hi\" to me\tok\n"
        "\"Quoted\" start\tb\n"
        "\"a\ttab\"\tc\n"
        "\"multi\nline\"\td\n"
        "\"unclosed\te\n");
    const PairDataset data = PairDataset::load(path.toStdString());
    QCOMPARE(data.size(), std::size_t(5));
    QCOMPARE(q(data.records()[0].anchor), QString("He said \"hi\" to me"));
    QCOMPARE(q(data.records()[1].anchor), QString("\"Quoted\" start"));
    QCOMPARE(q(data.records()[2].anchor), QString("a\ttab"));
    QCOMPARE(q(data.records()[3].anchor), QString("multi\nline"));
    QCOMPARE(data.records()[4].sourceLine, std::size_t(6));
    QCOMPARE(q(data.records()[4].anchor), QString("\"unclosed"));
}

void TestPairImport::extraColumnsBecomeNegatives()
{
    const QString headerless = write("negs.tsv", "q1\tp1\tn1a\tn1b\nq2\tp2\tn2a\tn2b\n");
    const PairDataset data = PairDataset::load(headerless.toStdString());
    QCOMPARE(data.negativesPerRecord(), std::size_t(2));
    QCOMPARE(q(data.records()[1].negatives[0]), QString("n2a"));
    QCOMPARE(q(data.records()[1].negatives[1]), QString("n2b"));
    QCOMPARE(names(data), QStringList({ "0", "1", "2", "3" }));

    const QString headed = write("negs.csv", "anchor,positive,negative_1,negative_2\nq,p,x,y\n");
    const PairDataset named = PairDataset::load(headed.toStdString());
    QCOMPARE(named.negativesPerRecord(), std::size_t(2));
    QCOMPARE(q(named.records()[0].negatives[1]), QString("y"));
    QCOMPARE(names(named), QStringList({ "anchor", "positive", "negative_1", "negative_2" }));

    // A trailing delimiter makes an empty column: not a negative.
    const QString trailing = write("trailing.tsv", "q\tp\t\nr\ts\t\n");
    const PairDataset trimmed = PairDataset::load(trailing.toStdString());
    QCOMPARE(trimmed.negativesPerRecord(), std::size_t(0));
    QCOMPARE(m_warnings.size(), 1);
    QVERIFY(m_warnings.front().contains("column \"2\" is empty in every row"));
}

void TestPairImport::scores_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QStringList>("columns");
    QTest::addColumn<float>("secondScore");
    QTest::addColumn<int>("negatives");
    QTest::newRow("headerless third column")
        << "s1.tsv" << QByteArray("a\tb\t0.5\nc\td\t1\n") << QStringList { "0", "1", "2" } << 1.0f << 0;
    QTest::newRow("headerless score then negative")
        << "s2.tsv" << QByteArray("a\tb\t0.5\tn\nc\td\t-2e-1\tm\n") << QStringList { "0", "1", "3", "2" }
        << -0.2f << 1;
    QTest::newRow("sts header") << "s3.csv" << QByteArray("sentence1,sentence2,score\na,b,4.5\nc,d,0.25\n")
                                << QStringList { "sentence1", "sentence2", "score" } << 0.25f << 0;
    QTest::newRow("label header first") << "s4.tsv" << QByteArray("label\ttext1\ttext2\n1\ta\tb\n0\tc\td\n")
                                        << QStringList { "text1", "text2", "label" } << 0.0f << 0;
}

void TestPairImport::scores()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, content);
    QFETCH(QStringList, columns);
    QFETCH(float, secondScore);
    QFETCH(int, negatives);
    const PairDataset data = PairDataset::load(write(name, content).toStdString());
    QVERIFY(data.hasScores());
    QCOMPARE(names(data), columns);
    QCOMPARE(*data.records()[1].score, secondScore);
    QCOMPARE(int(data.negativesPerRecord()), negatives);
    QCOMPARE(q(data.records()[1].anchor), QString("c"));
}

void TestPairImport::jsonArrayOfArrays()
{
    const PairDataset plain
        = PairDataset::load(write("arr.json", R"([["a", "b"], ["c", "d"]])").toStdString());
    QCOMPARE(plain.size(), std::size_t(2));
    QCOMPARE(q(plain.detectedFormat()), QString("json"));
    QCOMPARE(q(plain.records()[1].positive), QString("d"));

    const PairDataset scored = PairDataset::load(
        write("arr2.json", "[\n  [\"a\", \"b\", 0.5],\n  [\"c\", \"d\", 1]\n]").toStdString());
    QVERIFY(scored.hasScores());
    QCOMPARE(*scored.records()[0].score, 0.5f);
    QCOMPARE(scored.records()[1].sourceLine, std::size_t(3));
}

void TestPairImport::jsonlSentencePairsWithScore()
{
    const QString path = write("sts.jsonl",
        R"({"sentence1": "A man plays.", "sentence2": "Someone plays.", "score": 0.8})"
        "\n\n"
        R"({"score": 0.1, "sentence2": "Dogs bark.", "sentence1": "\u00e9t\u00e9", "id": 7})"
        "\n");
    const PairDataset data = PairDataset::load(path.toStdString());
    QCOMPARE(data.size(), std::size_t(2));
    QCOMPARE(q(data.detectedFormat()), QString("jsonl"));
    QCOMPARE(names(data), QStringList({ "sentence1", "sentence2", "score" }));
    QCOMPARE(*data.records()[0].score, 0.8f);
    QCOMPARE(q(data.records()[1].anchor), QString::fromUtf8("\xC3\xA9t\xC3\xA9"));
    QCOMPARE(q(data.records()[1].positive), QString("Dogs bark."));
    QCOMPARE(data.records()[1].sourceLine, std::size_t(3));
    QCOMPARE(m_warnings.size(), 1);
    QVERIFY(m_warnings.front().contains("key \"id\" is not used"));
    QCOMPARE(data.warnings().size(), std::size_t(1));
}

void TestPairImport::jsonWrappedAndColumnar()
{
    const PairDataset wrapped = PairDataset::load(write("wrapped.json",
        R"({"version": 2, "data": [{"query": "q", "answer": "a"}, {"query": "r", "answer": "b"}]})")
                                                      .toStdString());
    QCOMPARE(wrapped.size(), std::size_t(2));
    QCOMPARE(q(wrapped.records()[1].anchor), QString("r"));

    const PairDataset columnar = PairDataset::load(write(
        "columns.json", "{\"anchor\": [\"a\", \"b\"],\n \"positive\": [\"c\", \"d\"],\n \"score\": [1, 0]}")
                                                       .toStdString());
    QCOMPARE(columnar.size(), std::size_t(2));
    QCOMPARE(q(columnar.records()[1].anchor), QString("b"));
    QCOMPARE(q(columnar.records()[1].positive), QString("d"));
    QCOMPARE(*columnar.records()[1].score, 0.0f);
}

void TestPairImport::jsonlNegativesList()
{
    const PairDataset data = PairDataset::load(write("list.jsonl",
        R"({"anchor": "a", "positive": "b", "negatives": ["x", "y"]})"
        "\n"
        R"({"anchor": "c", "positive": "d", "negatives": ["z", "w"]})")
                                                   .toStdString());
    QCOMPARE(data.negativesPerRecord(), std::size_t(2));
    QCOMPARE(q(data.records()[1].negatives[1]), QString("w"));
}

void TestPairImport::veryLongText()
{
    QByteArray longText;
    while (longText.size() < 100 * 1024)
        longText += "a long sentence, with \"quotes\" and commas; ";
    QByteArray escaped = longText;
    escaped.replace("\"", "\"\"");
    const PairDataset data
        = PairDataset::load(write("long.csv", "anchor,positive\nshort,\"" + escaped + "\"\n").toStdString());
    QCOMPARE(data.size(), std::size_t(1));
    QCOMPARE(data.records()[0].positive.size(), std::size_t(longText.size()));
    QCOMPARE(QByteArray::fromStdString(data.records()[0].positive), longText);

    // The limit is an option.
    ImportOptions options;
    options.maxTextBytes = 1000;
    QVERIFY_THROWS_EXCEPTION(Error, PairDataset::load(m_dir.filePath("long.csv").toStdString(), options));
}

void TestPairImport::headerOverride()
{
    const QString path = write("override.tsv", "anchor\tpositive\nx\ty\n");
    ImportOptions absent;
    absent.header = ImportOptions::Header::Absent;
    const PairDataset data = PairDataset::load(path.toStdString(), absent);
    QCOMPARE(data.size(), std::size_t(2));
    QCOMPARE(q(data.records()[0].anchor), QString("anchor"));

    const QString unknown = write("unknown.tsv", "foo\tbar\nx\ty\n");
    QCOMPARE(PairDataset::load(unknown.toStdString()).size(), std::size_t(2)); // not a header by default
    ImportOptions present;
    present.header = ImportOptions::Header::Present;
    const PairDataset headed = PairDataset::load(unknown.toStdString(), present);
    QCOMPARE(headed.size(), std::size_t(1));
    QCOMPARE(names(headed), QStringList({ "foo", "bar" }));
    QCOMPARE(q(headed.records()[0].positive), QString("y"));
}

void TestPairImport::explicitMappingAndIgnoredColumns()
{
    const QString path = write("mapped.csv", "id,title,body,summary\n1,t1,b1,s1\n2,t2,b2,s2\n");
    ImportOptions options;
    options.anchorColumn = "summary";
    options.positiveColumn = "2"; // body, by index
    options.negativeColumns = { "title" };
    const PairDataset data = PairDataset::load(path.toStdString(), options);
    QCOMPARE(q(data.records()[1].anchor), QString("s2"));
    QCOMPARE(q(data.records()[1].positive), QString("b2"));
    QCOMPARE(q(data.records()[1].negatives[0]), QString("t2"));
    // No name in the header is a known one; naming columns in the options makes it a header.
    QCOMPARE(data.size(), std::size_t(2));
    QCOMPARE(names(data), QStringList({ "summary", "body", "title" }));
}

void TestPairImport::unknownColumnsWithHeader()
{
    const QString path = write("squad.csv", "id,question,context\n17,What?,Because.\n18,Why?,So.\n");
    const PairDataset data = PairDataset::load(path.toStdString());
    QCOMPARE(data.size(), std::size_t(2));
    QCOMPARE(q(data.records()[0].anchor), QString("What?"));
    QCOMPARE(q(data.records()[0].positive), QString("Because."));
    QCOMPARE(m_warnings.size(), 1);
    QCOMPARE(m_warnings.front(), path + ": column \"id\" is not used");

    const QString free = write("free.tsv", "question\tbody\textra\nq\tb\te\n");
    const PairDataset filled = PairDataset::load(free.toStdString());
    QCOMPARE(q(filled.records()[0].positive), QString("b"));
    QCOMPARE(filled.negativesPerRecord(), std::size_t(0));
    QVERIFY(m_warnings.last().contains("column \"extra\" is not used; to train with it as a hard negative"));
}

void TestPairImport::formatByContentAndOverride()
{
    const QString jsonl = write(
        "pairs.txt", "{\"anchor\": \"a\", \"positive\": \"b\"}\n{\"anchor\": \"c\", \"positive\": \"d\"}\n");
    QCOMPARE(q(PairDataset::load(jsonl.toStdString()).detectedFormat()), QString("jsonl"));
    const QString tsv = write("pairs.dat", "a, b\tc\nd\te, f\n");
    QCOMPARE(q(PairDataset::load(tsv.toStdString()).detectedFormat()), QString("tsv"));
    const QString bracket = write("bracket.txt", "[CLS] is special\tyes\n{braces}\tno\n");
    QCOMPARE(q(PairDataset::load(bracket.toStdString()).detectedFormat()), QString("tsv"));
    const QString jsonTxt = write("array.txt", "[[\"a\", \"b\"]]");
    QCOMPARE(q(PairDataset::load(jsonTxt.toStdString()).detectedFormat()), QString("json"));
    const QString oneLine = write("one.json", "{\"anchor\": \"a\", \"positive\": \"b\"}");
    QCOMPARE(PairDataset::load(oneLine.toStdString()).size(), std::size_t(1));

    // A .csv file that really is tab-separated, read as TSV on request.
    const QString misnamed = write("misnamed.csv", "say \"hi\"\tb\n");
    QVERIFY_THROWS_EXCEPTION(Error, PairDataset::load(misnamed.toStdString()));
    ImportOptions options;
    options.format = ImportOptions::Format::Tsv;
    QCOMPARE(
        q(PairDataset::load(misnamed.toStdString(), options).records()[0].anchor), QString("say \"hi\""));
}

void TestPairImport::lineEndingsAndBlankLines()
{
    const PairDataset cr = PairDataset::load(write("mac.tsv", "a\tb\rc\td\r\re\tf").toStdString());
    QCOMPARE(cr.size(), std::size_t(3));
    QCOMPARE(q(cr.records()[2].anchor), QString("e"));
    QCOMPARE(cr.records()[2].sourceLine, std::size_t(4));
    const PairDataset blank = PairDataset::load(write("blank.csv", "\n\na,b\n   \n\nc,d\n\n").toStdString());
    QCOMPARE(blank.size(), std::size_t(2));
    QCOMPARE(blank.records()[0].sourceLine, std::size_t(3));
    QCOMPARE(blank.records()[1].sourceLine, std::size_t(6));
}

void TestPairImport::customDelimiter()
{
    ImportOptions options;
    options.delimiter = '|';
    const PairDataset data = PairDataset::load(write("pipe.csv", "a, x|b; y\nc|d\n").toStdString(), options);
    QCOMPARE(data.size(), std::size_t(2));
    QCOMPARE(q(data.records()[0].positive), QString("b; y"));
}

void TestPairImport::mergesFiles()
{
    const QString first = write("part1.tsv", "anchor\tpositive\na\tb\nc\td\n");
    const QString second = write("part2.jsonl", "{\"anchor\": \"e\", \"positive\": \"f\"}\n");
    const PairDataset data = PairDataset::loadMany({ first.toStdString(), second.toStdString() });
    QCOMPARE(data.size(), std::size_t(3));
    QCOMPARE(q(data.records()[2].anchor), QString("e"));
    QCOMPARE(data.records()[2].sourceFile, std::size_t(1));
    QCOMPARE(data.records()[2].sourceLine, std::size_t(1));
    QCOMPARE(data.records()[1].sourceFile, std::size_t(0));
    QCOMPARE(data.sourcePaths().size(), std::size_t(2));
    QCOMPARE(data.sourceHashes().size(), std::size_t(2));
    QCOMPARE(q(data.sourceHashes()[1]), q(sha256OfFile(second.toStdString())));
    QVERIFY(data.sourceHashes()[0] != data.sourceHashes()[1]);
}

void TestPairImport::fixes()
{
    const QString path = write("fix.tsv", "a\tb\n \t\xC2\xA0\na\tb\nsame \tsame\nc\t\nd\te\na\tb\n");
    PairDataset data = PairDataset::load(path.toStdString());
    QCOMPARE(data.size(), std::size_t(7));
    PairDataset copy = data;
    QCOMPARE(copy.dropDuplicates(), std::size_t(2));
    QCOMPARE(copy.size(), std::size_t(5));
    QCOMPARE(copy.dropEmpty(), std::size_t(2));
    QCOMPARE(copy.dropIdenticalSides(), std::size_t(1));
    QCOMPARE(copy.size(), std::size_t(2));
    QCOMPARE(q(copy.records()[1].anchor), QString("d"));
    QCOMPARE(copy.records()[1].sourceLine, std::size_t(6));

    const PairDataset picked = data.subset({ 5, 0 });
    QCOMPARE(q(picked.records()[0].anchor), QString("d"));
    QCOMPARE(q(picked.records()[1].anchor), QString("a"));
    QVERIFY_THROWS_EXCEPTION(Error, data.subset({ 7 }));
}

void TestPairImport::previewShowsMapping()
{
    const QString path
        = write("preview.csv", "id,sentence2,sentence1,label\n1,b,a,0.5\n2,d,c,0.7\n3,f,e,0.1\n");
    const PreviewTable table = preview(path.toStdString(), {}, 2);
    QVERIFY2(table.error.empty(), table.error.c_str());
    QCOMPARE(q(table.format), QString("csv"));
    QCOMPARE(table.delimiter, ',');
    QVERIFY(table.hasHeader);
    QCOMPARE(table.columnNames.size(), std::size_t(4));
    QCOMPARE(table.rows.size(), std::size_t(2));
    QCOMPARE(q(table.rows[1][2]), QString("c"));
    QCOMPARE(table.rowLines[1], std::size_t(3));
    QCOMPARE(table.mapping.anchor, std::size_t(2));
    QCOMPARE(table.mapping.positive, std::size_t(1));
    QCOMPARE(table.mapping.score, std::size_t(3));
    QCOMPARE(table.mapping.ignored, std::vector<std::size_t>({ 0 }));
    QCOMPARE(table.warnings.size(), std::size_t(1));

    // A score problem in the previewed rows is reported; beyond them it is not seen.
    const QString bad = write("preview-score.csv", "sentence1,sentence2,score\na,b,0.1\nc,d,x\n");
    QVERIFY(preview(bad.toStdString(), {}, 1).error.empty());
    QCOMPARE(q(preview(bad.toStdString(), {}, 5).error),
        bad
            + ":3:5: the score \"x\" in column \"score\" is not a "
              "number; scores are similarities such as 0.8 (class "
              "labels like \"entailment\" are not supported)");
}

void TestPairImport::formatNames()
{
    QCOMPARE(formatFromName("JSONL"), ImportOptions::Format::Jsonl);
    QCOMPARE(formatFromName("ndjson"), ImportOptions::Format::Jsonl);
    QCOMPARE(q(formatName(ImportOptions::Format::Csv)), QString("csv"));
    QVERIFY_THROWS_EXCEPTION(Error, formatFromName("xlsx"));
}

QTEST_GUILESS_MAIN(TestPairImport)
#include "tst_pairimport.moc"
