// In-memory pair sources (cells pasted into the studio) read exactly as the same bytes in a file do,
// and name themselves in messages as a file would.
#include "core/error.h"
#include "data/pairdataset.h"
#include "data/pairsource.h"
#include "data/previewtable.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace pairtune;

namespace {

// What LibreOffice Calc and Excel put on the clipboard as text/plain for a 3x2 selection whose last
// cell holds a line break: CRLF between rows, tabs between cells, the multi-line cell quoted.
const std::string kClipboard = "anchor\tpositive\r\n"
                               "how do I reset my password\topen Settings, then Security\r\n"
                               "printer offline\t\"check the cable\nthen restart the spooler\"\r\n";

} // namespace

class TestPairSource : public QObject
{
    Q_OBJECT

private slots:
    void inMemoryReadsLikeTheSameFile()
    {
        const PairDataset pasted
            = PairDataset::loadSources({ PairSource::inMemory("pasted-1.tsv", kClipboard) });
        QCOMPARE(pasted.size(), std::size_t(2));
        QCOMPARE(pasted.records()[0].anchor, std::string("how do I reset my password"));
        QCOMPARE(pasted.records()[0].positive, std::string("open Settings, then Security"));
        QCOMPARE(pasted.records()[1].positive, std::string("check the cable\nthen restart the spooler"));
        QCOMPARE(pasted.records()[1].sourceLine, std::size_t(3));
        QCOMPARE(pasted.sourcePaths(), std::vector<std::string> { "pasted-1.tsv" });

        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("pasted-1.tsv"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(kClipboard.data(), qint64(kClipboard.size()));
        file.close();
        const PairDataset saved = PairDataset::load(path.toStdString());
        QCOMPARE(saved.size(), pasted.size());
        for (std::size_t i = 0; i < saved.size(); ++i) {
            QCOMPARE(saved.records()[i].anchor, pasted.records()[i].anchor);
            QCOMPARE(saved.records()[i].positive, pasted.records()[i].positive);
        }
        QCOMPARE(saved.sourceHashes(), pasted.sourceHashes());
        QCOMPARE(saved.columnNames(), pasted.columnNames());

        // Files and pasted cells are joined in order; records know their source.
        const PairDataset both = PairDataset::loadSources(
            { PairSource::file(path.toStdString()), PairSource::inMemory("pasted-2.tsv", kClipboard) });
        QCOMPARE(both.size(), std::size_t(4));
        QCOMPARE(both.records()[3].sourceFile, std::size_t(1));
        QCOMPARE(both.sourcePaths()[1], std::string("pasted-2.tsv"));
    }

    void messagesNameTheInMemorySource()
    {
        try {
            (void)PairDataset::loadSources(
                { PairSource::inMemory("pasted-3.tsv", "anchor\tpositive\nonly one cell\n") });
            QFAIL("one cell per row was accepted");
        } catch (const Error &error) {
            QVERIFY2(std::string(error.what()).rfind("pasted-3.tsv:2", 0) == 0, error.what());
        }
        const PreviewTable broken = preview(PairSource::inMemory("pasted-4.tsv", ""));
        QVERIFY(broken.format.empty());
        QVERIFY2(broken.error.rfind("pasted-4.tsv", 0) == 0, broken.error.c_str());
    }

    // A workbook source reads its own sheet, whatever the shared options say (the studio keeps one
    // sheet per dropped workbook). The workbook: LibreOffice's xlsx of
    // tests/data/sheets/studio-two-sheets.fods.
    void workbookSourceReadsItsOwnSheet()
    {
        const std::string workbook = PAIRTUNE_TEST_DATA_DIR "/sheets/studio-two-sheets.xlsx";
        PairSource sales = PairSource::file(workbook);
        sales.sheet = "Sales";
        const PairDataset both = PairDataset::loadSources({ PairSource::file(workbook), sales });
        QCOMPARE(both.size(), std::size_t(5)); // Support's 3 pairs, then Sales' 2
        QCOMPARE(both.records()[0].anchor, std::string("how do I reset my password"));
        QCOMPARE(both.records()[3].anchor, std::string("is there a discount for schools"));
        QCOMPARE(both.records()[4].positive, std::string("yes, yearly plans can be paid by invoice"));
        QCOMPARE(preview(sales).rows.size(), std::size_t(2));
    }

    void previewOfInMemoryCells()
    {
        const PreviewTable table = preview(PairSource::inMemory("pasted-1.tsv", kClipboard));
        QVERIFY2(table.error.empty(), table.error.c_str());
        QCOMPARE(table.format, std::string("tsv"));
        QVERIFY(table.hasHeader);
        QCOMPARE(table.rows.size(), std::size_t(2));
        QCOMPARE(table.rows[1][0], std::string("printer offline"));
        QCOMPARE(table.rowLines, (std::vector<std::size_t> { 2, 3 }));
    }
};

QTEST_GUILESS_MAIN(TestPairSource)
#include "tst_pairsource.moc"
