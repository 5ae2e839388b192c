// .xlsx and .ods workbooks written by LibreOffice import like the TSV they came from, show numbers
// and dates as the sheet displays them, name cells in errors and refuse what they cannot read.
#include "core/error.h"
#include "data/importoptions.h"
#include "data/pairdataset.h"
#include "data/sha256.h"
#include "data/spreadsheetreader.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace pairtune;

namespace {

const std::string kSheets = PAIRTUNE_TEST_DATA_DIR "/sheets/";

QString q(const std::string &text)
{
    return QString::fromStdString(text);
}

// The message of the Error that fn throws ("" when it throws none).
template <typename Fn> QString errorOf(Fn fn)
{
    try {
        fn();
    } catch (const Error &error) {
        return q(error.what());
    }
    return {};
}

PairDataset loadSheet(const std::string &file, const std::string &sheet = {})
{
    ImportOptions options;
    options.sheet = sheet;
    return PairDataset::load(kSheets + file, options);
}

std::string fileBytes(const std::string &path)
{
    QFile file(q(path));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", path.c_str());
    return file.readAll().toStdString();
}

} // namespace

class TestSpreadsheetImport : public QObject
{
    Q_OBJECT

private slots:
    void samplePairsMatchTsv_data();
    void samplePairsMatchTsv();
    void sheetNames_data();
    void sheetNames();
    void firstSheetTextsAndFormulas_data();
    void firstSheetTextsAndFormulas();
    void sheetByName_data();
    void sheetByName();
    void numbersAndDatesAsDisplayed_data();
    void numbersAndDatesAsDisplayed();
    void errorsNameTheCell_data();
    void errorsNameTheCell();
    void refusedFiles_data();
    void refusedFiles();
    void zipBombWithinBounds();
    void usedRangeBounded();
    void spreadsheetPaths();

private:
    QTemporaryDir m_dir;
};

void TestSpreadsheetImport::samplePairsMatchTsv_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("xlsx") << "wordnet-demo-pairs.xlsx";
    QTest::newRow("ods") << "wordnet-demo-pairs.ods";
}

void TestSpreadsheetImport::samplePairsMatchTsv()
{
    QFETCH(QString, file);
    const PairDataset tsv
        = PairDataset::load(PAIRTUNE_TEST_DATA_DIR "/../../resources/data/wordnet-demo-pairs.tsv");
    const PairDataset sheet = loadSheet(file.toStdString());
    QCOMPARE(sheet.size(), tsv.size());
    QCOMPARE(sheet.size(), std::size_t(2000));
    QCOMPARE(sheet.columnNames(), tsv.columnNames());
    QCOMPARE(q(sheet.detectedFormat()), file.section('.', -1));
    for (std::size_t i = 0; i < tsv.size(); ++i) {
        const PairRecord &a = sheet.records()[i];
        const PairRecord &b = tsv.records()[i];
        if (a.anchor != b.anchor || a.positive != b.positive || a.sourceLine != b.sourceLine)
            QFAIL(qPrintable(QString("row %1: \"%2\" / \"%3\" (row %4) instead of \"%5\" / \"%6\" (line %7)")
                                 .arg(i)
                                 .arg(q(a.anchor), q(a.positive))
                                 .arg(a.sourceLine)
                                 .arg(q(b.anchor), q(b.positive))
                                 .arg(b.sourceLine)));
    }
    // The run config records the workbook's own bytes.
    QCOMPARE(q(sheet.sourceHashes().at(0)), q(Sha256::hex(fileBytes(kSheets + file.toStdString()))));
}

void TestSpreadsheetImport::sheetNames_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("xlsx") << "fixtures.xlsx";
    QTest::newRow("ods") << "fixtures.ods";
}

void TestSpreadsheetImport::sheetNames()
{
    QFETCH(QString, file);
    const std::vector<std::string> expected
        = { "Pairs", "Formats", "Merged cells", "Empty score", "Bad score", "Offset", "Blank" };
    QCOMPARE(spreadsheetSheetNames(kSheets + file.toStdString()), expected);
}

void TestSpreadsheetImport::firstSheetTextsAndFormulas_data()
{
    sheetNames_data();
}

// Rich text runs, repeated spaces, a two-line cell, empty rows skipped, formula results.
void TestSpreadsheetImport::firstSheetTextsAndFormulas()
{
    QFETCH(QString, file);
    const PairDataset data = loadSheet(file.toStdString());
    QCOMPARE(data.size(), std::size_t(3));
    QCOMPARE(data.columnNames(), std::vector<std::string>({ "anchor", "positive", "score" }));
    QCOMPARE(q(data.records()[0].anchor), QString("the cat sits"));
    QCOMPARE(data.records()[0].score, std::optional<float>(0.9f));
    QCOMPARE(q(data.records()[1].anchor), QString("a bold word"));
    QCOMPARE(q(data.records()[1].positive), QString("two  spaces and\na second line"));
    QCOMPARE(data.records()[1].sourceLine, std::size_t(5)); // rows 3 and 4 are empty
    QCOMPARE(q(data.records()[2].positive), QString("the cat sits again")); // =A2&" again"
    QCOMPARE(data.records()[2].score, std::optional<float>(0.65f)); // =C2-C5
    QCOMPARE(data.records()[2].sourceLine, std::size_t(6));
}

void TestSpreadsheetImport::sheetByName_data()
{
    sheetNames_data();
}

void TestSpreadsheetImport::sheetByName()
{
    QFETCH(QString, file);
    const std::string path = file.toStdString();
    // A merged range keeps its value in the top-left cell; the cells it covers read as empty.
    const PairDataset merged = loadSheet(path, "Merged cells");
    QCOMPARE(merged.columnNames(), std::vector<std::string>({ "query", "answer" }));
    QCOMPARE(merged.size(), std::size_t(3));
    QCOMPARE(q(merged.records()[0].anchor), QString("shared question"));
    QCOMPARE(q(merged.records()[1].anchor), QString());
    QCOMPARE(q(merged.records()[1].positive), QString("second answer"));
    QCOMPARE(q(merged.records()[2].anchor), QString("spans both columns"));
    QCOMPARE(q(merged.records()[2].positive), QString());
    // Names are matched regardless of case, as the spreadsheets treat them; data may start anywhere.
    const PairDataset offset = loadSheet(path, "offset");
    QCOMPARE(offset.size(), std::size_t(1));
    QCOMPARE(q(offset.records()[0].anchor), QString("where is it"));
    QCOMPARE(q(offset.records()[0].positive), QString("over there"));
    QCOMPARE(offset.records()[0].sourceLine, std::size_t(4));
    QCOMPARE(errorOf([&] { loadSheet(path, "Missing"); }),
        q(kSheets + path)
            + ": no sheet named \"Missing\"; the workbook's sheets are \"Pairs\", \"Formats\", \"Merged "
              "cells\", "
              "\"Empty score\", \"Bad score\", \"Offset\", \"Blank\"");
    QCOMPARE(errorOf([&] { loadSheet(path, "Blank"); }),
        q(kSheets + path)
            + ": sheet \"Blank\" is empty; expected pairs of texts in its first columns (choose another "
              "sheet)");
}

void TestSpreadsheetImport::numbersAndDatesAsDisplayed_data()
{
    sheetNames_data();
}

// What LibreOffice shows in each cell of the "Formats" sheet (fixtures.fods sets the formats). The
// .ods holds the displayed text itself; the .xlsx holds values and format codes that the reader
// must apply to get the same text.
void TestSpreadsheetImport::numbersAndDatesAsDisplayed()
{
    QFETCH(QString, file);
    const SpreadsheetTable table = readSpreadsheet(kSheets + file.toStdString(), "Formats");
    const QStringList expected = { "shown", "0.1", "1234567.5", "42", "3.14", "-2.50", "1,234,567.89",
        "25.6%", "1.23E+04", "2024-03-05", "03/05/24", "31-Dec-1999", "2024-03-05 14:30", "09:05:07",
        "3:45 PM", "TRUE", "42" };
    QStringList shown;
    for (const RawRow &row : table.table.rows)
        shown << q(row.cells.at(1).text);
    QCOMPARE(shown, expected);
    QCOMPARE(q(table.table.format), file.section('.', -1));
    QCOMPARE(q(table.source.describeAt(table.table.rows[9].cells[1].offset, "here")),
        q(kSheets + file.toStdString()) + ": Formats!B10: here");
}

void TestSpreadsheetImport::errorsNameTheCell_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("sheet");
    QTest::addColumn<QString>("message");
    for (const char *file : { "fixtures.xlsx", "fixtures.ods" }) {
        QTest::addRow("%s empty score", file) << file << "Empty score"
                                              << "'Empty score'!C3: the score is empty; every row needs a "
                                                 "score when the file has a score column";
        QTest::addRow("%s text score", file)
            << file << "Bad score"
            << "'Bad score'!C4: the score \"high\" in column \"score\" is not a number; scores are "
               "similarities "
               "such as 0.8 (class labels like \"entailment\" are not supported)";
    }
}

void TestSpreadsheetImport::errorsNameTheCell()
{
    QFETCH(QString, file);
    QFETCH(QString, sheet);
    QFETCH(QString, message);
    const std::string path = kSheets + file.toStdString();
    QCOMPARE(errorOf([&] { loadSheet(file.toStdString(), sheet.toStdString()); }), q(path) + ": " + message);
}

void TestSpreadsheetImport::refusedFiles_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("message");
    QTest::newRow("zip without workbook") << "no-workbook.xlsx"
                                          << "not a spreadsheet (the zip has no workbook)";
    QTest::newRow("old binary xls") << "legacy.xls"
                                    << "an Excel 97-2003 workbook (.xls), an old binary format Pairtune does "
                                       "not read; open it in Excel or "
                                       "LibreOffice and save it as .xlsx (File > Save As > Excel Workbook)";
    QTest::newRow("password ods")
        << "encrypted.ods"
        << "the file is password-protected; open it in LibreOffice, remove the password "
           "(File > Properties > Security) and save it again, or save it as .xlsx "
           "without a password";
    QTest::newRow("malformed xml") << "malformed.xlsx"
                                   << "xl/worksheets/sheet1.xml is not well-formed XML (Error parsing "
                                      "element attribute at byte 1468); the "
                                      "file is damaged: open it in Excel or LibreOffice and save it again";
}

void TestSpreadsheetImport::refusedFiles()
{
    QFETCH(QString, file);
    QFETCH(QString, message);
    const std::string path = kSheets + file.toStdString();
    QCOMPARE(errorOf([&] { loadSheet(file.toStdString()); }), q(path) + ": " + message);
    // Sheet names come from the workbook part alone: a damaged sheet still lets the studio list them.
    if (file == "malformed.xlsx")
        QCOMPARE(spreadsheetSheetNames(path).size(), std::size_t(7));
    else
        QCOMPARE(errorOf([&] { spreadsheetSheetNames(path); }), q(path) + ": " + message);
}

// bomb.xlsx inflates a 77 KB part to 64 MiB of XML; bomb-lying.xlsx declares 4 KiB for it, so only
// counting the inflated bytes stops it. Each bound ends the read with an error before the part is held.
void TestSpreadsheetImport::zipBombWithinBounds()
{
    const std::string bomb = kSheets + "bomb.xlsx", lying = kSheets + "bomb-lying.xlsx";
    QVERIFY(errorOf([&] { readSpreadsheet(bomb, ""); }).contains("(a zip bomb)"));
    QVERIFY(errorOf([&] { readSpreadsheet(lying, ""); }).contains("(a zip bomb)"));
    SpreadsheetLimits limits;
    limits.maxRatio = std::uint64_t(1) << 40; // only the size bounds
    limits.maxPartBytes = std::uint64_t(8) << 20;
    QCOMPARE(errorOf([&] { readSpreadsheet(lying, "", limits); }),
        q(lying)
            + ": xl/worksheets/sheet1.xml inflates to more than 8 MiB (a zip bomb or a sheet too large to "
              "import)");
    limits.maxPartBytes = std::uint64_t(1) << 30;
    limits.maxTotalBytes = std::uint64_t(16) << 20;
    QCOMPARE(errorOf([&] { readSpreadsheet(lying, "", limits); }),
        q(lying)
            + ": the workbook inflates to more than 16 MiB (a zip bomb or a workbook too large to import)");
    // Within generous bounds the padded sheet is still a valid sheet.
    limits.maxTotalBytes = std::uint64_t(1) << 30;
    QCOMPARE(readSpreadsheet(bomb, "", limits).table.rows.size(), std::size_t(4));
}

// Each kept row gets a cell for every used column, so the rows times the used columns are bounded
// (two far-apart cells could otherwise ask for millions of empty cells).
void TestSpreadsheetImport::usedRangeBounded()
{
    const std::string path = kSheets + "fixtures.xlsx";
    SpreadsheetLimits limits;
    limits.maxCells = 8; // "Merged cells" uses A1:B4 and holds 6 values (merged ranges cover two cells)
    QCOMPARE(readSpreadsheet(path, "Merged cells", limits).table.rows.size(), std::size_t(4));
    limits.maxCells = 7;
    QCOMPARE(errorOf([&] { readSpreadsheet(path, "Merged cells", limits); }),
        q(path)
            + ": sheet \"Merged cells\" uses 4 rows by 2 columns, more than the 7 cells Pairtune imports; "
              "delete "
              "the cells outside the pairs");
}

void TestSpreadsheetImport::spreadsheetPaths()
{
    QVERIFY(isSpreadsheetPath("a/pairs.xlsx"));
    QVERIFY(isSpreadsheetPath("PAIRS.ODS"));
    QVERIFY(isSpreadsheetPath("old.xls"));
    QVERIFY(!isSpreadsheetPath("pairs.tsv"));
    QVERIFY(!isSpreadsheetPath("xlsx"));
    // A workbook under another name is still read as one; a password-protected .xlsx is an OLE file.
    const QString renamed = m_dir.filePath("pairs.dat");
    QVERIFY(QFile::copy(q(kSheets + "fixtures.xlsx"), renamed));
    QVERIFY(looksLikeSpreadsheet(renamed.toStdString()));
    QCOMPARE(PairDataset::load(renamed.toStdString()).size(), std::size_t(3));
    const QString encrypted = m_dir.filePath("secret.xlsx");
    QFile file(encrypted);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) + QByteArray(504, '\0')
        + QByteArray("E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0", 32) + QByteArray(512, '\0'));
    file.close();
    QCOMPARE(errorOf([&] { PairDataset::load(encrypted.toStdString()); }),
        encrypted
            + ": the workbook is password-protected (encrypted); open it in Excel, remove the password (File "
              "> "
              "Info > Protect Workbook > Encrypt with Password, empty) and save it again as .xlsx");
    const QString text = m_dir.filePath("text.xlsx");
    QFile textFile(text);
    QVERIFY(textFile.open(QIODevice::WriteOnly));
    textFile.write("anchor\tpositive\na\tb\n");
    textFile.close();
    QVERIFY(errorOf([&] {
        PairDataset::load(text.toStdString());
    }).startsWith(text + ": not a spreadsheet (not a zip file"));
}

QTEST_GUILESS_MAIN(TestSpreadsheetImport)
#include "tst_spreadsheetimport.moc"
