// Issue 15, the studio's half: cells copied in a spreadsheet and pasted with Ctrl+V on the Data page
// become a source like a file (list entry, preview, data check, removal), and a run started from them
// keeps them in its folder and names that file in its data list.

#include "data/pairdataset.h"
#include "recipe/trainingconfig.h"
#include "studiofixture.h"
#include "ui/datapage.h"
#include "ui/datareportview.h"
#include "ui/mainwindow.h"
#include "ui/messagebanner.h"
#include "ui/modelpage.h"
#include "ui/settingspage.h"
#include "ui/trainpage.h"

#include <QClipboard>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QListWidget>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

using namespace pairtune;
using namespace pairtune::ui;

namespace {

constexpr int kWaitMs = 20000;
constexpr int kTrainWaitMs = 240000;

// What LibreOffice Calc and Excel put on the clipboard (text/plain) for a selection of a header row
// and `rows` rows of two columns: CRLF after every row, a tab between cells, and the one cell that
// holds a line break (row 3's positive) in double quotes.
QString spreadsheetClipboard(int rows)
{
    QString text = QStringLiteral("question\tanswer\r\n");
    for (int row = 1; row <= rows; ++row) {
        const QString positive = row == 3 ? QStringLiteral("\"open the printer queue\nthen restart it\"")
                                          : QStringLiteral("answer number %1 about topic %1").arg(row);
        text += QStringLiteral("question number %1 about topic %1\t%2\r\n").arg(row).arg(positive);
    }
    return text;
}

// Ctrl+V as the user presses it: to the focused widget of the active window.
void pressPaste(QWidget *page)
{
    page->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(page->window()));
    QWidget *focus = page->findChild<QListWidget *>(QStringLiteral("fileList"));
    if (!focus || !focus->isVisible())
        focus = page->findChild<QTableWidget *>(QStringLiteral("previewTable"));
    focus->setFocus();
    QTest::keyClick(focus, Qt::Key_V, Qt::ControlModifier);
}

QJsonObject readJson(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

} // namespace

class TestPastedCells : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        studiotest::isolateSettings();
        QVERIFY(m_dir.isValid());
    }

    void ctrlVAddsPastedCellsAsASource()
    {
        QGuiApplication::clipboard()->setText(spreadsheetClipboard(12));
        DataPage page;
        page.resize(1100, 700);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        pressPaste(&page);
        QCOMPARE(page.sourceKeys(), QStringList { QStringLiteral("pasted-1.tsv") });
        QCOMPARE(page.fileList()->count(), 1);
        QCOMPARE(page.fileList()->item(0)->text(), QStringLiteral("Pasted (12 rows)"));
        QVERIFY(page.files().isEmpty()); // no file: a saved session lists files only
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete(), kWaitMs);

        // The preview, the pairs and the data check: the header row named the columns, the quoted cell
        // kept its line break.
        QTableWidget *preview = page.previewTable();
        QCOMPARE(preview->rowCount(), 12);
        QCOMPARE(preview->columnCount(), 2);
        QVERIFY(preview->horizontalHeaderItem(0)->text().startsWith(QStringLiteral("question")));
        QCOMPARE(preview->item(0, 0)->text(), QStringLiteral("question number 1 about topic 1"));
        QCOMPARE(preview->item(2, 1)->text(), QStringLiteral("open the printer queue\nthen restart it"));
        QCOMPARE(page.dataset()->size(), std::size_t(12));
        QCOMPARE(
            page.dataset()->records()[2].positive, std::string("open the printer queue\nthen restart it"));
        QCOMPARE(page.dataset()->records()[11].anchor, std::string("question number 12 about topic 12"));
        QVERIFY2(page.reportView()->summaryText().contains(QStringLiteral("12 pairs")),
            qPrintable(page.reportView()->summaryText()));

        // A second paste is a second source; the pairs are joined.
        QGuiApplication::clipboard()->setText(spreadsheetClipboard(5));
        pressPaste(&page);
        QCOMPARE(page.sourceKeys(),
            (QStringList { QStringLiteral("pasted-1.tsv"), QStringLiteral("pasted-2.tsv") }));
        QCOMPARE(page.fileList()->item(1)->text(), QStringLiteral("Pasted (5 rows)"));
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete() && page.dataset()->size() == 17, kWaitMs);

        // Removed like a file: select it, press Delete.
        page.fileList()->setCurrentRow(0);
        page.fileList()->setFocus();
        QTest::keyClick(page.fileList(), Qt::Key_Delete);
        QCOMPARE(page.sourceKeys(), QStringList { QStringLiteral("pasted-2.tsv") });
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete() && page.dataset()->size() == 5, kWaitMs);
        QCOMPARE(page.previewTable()->rowCount(), 5);
    }

    void pastedCellsAreCheckedAndFixedLikeAFile()
    {
        // A duplicate pair and a row with one cell: the data check names the pasted source and its line.
        DataPage page;
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        const QString broken = QStringLiteral("anchor\tpositive\na\tb\nonly one cell\n");
        QVERIFY(!page.addPastedCells(broken).isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(!page.isLoading() && !page.lastResult().error.empty(), kWaitMs);
        QVERIFY(!page.isComplete());
        const QString error = QString::fromStdString(page.lastResult().error);
        QVERIFY2(error.startsWith(QStringLiteral("pasted-1.tsv:3")), qPrintable(error));
        page.clearFiles();

        const QString duplicated = QStringLiteral("anchor\tpositive\na\tb\nc\td\na\tb\n");
        const QString key = page.addPastedCells(duplicated);
        QCOMPARE(page.sources().label(key), QStringLiteral("Pasted (3 rows)"));
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete(), kWaitMs);
        DataFixes fixes;
        fixes.dropDuplicates = true;
        page.setFixes(fixes);
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete() && page.dataset()->size() == 2, kWaitMs);
        QVERIFY(page.needsPreparedCopy());
        // The prepared copy is trained on; the pasted cells are kept next to it as pasted.
        QTemporaryDir run;
        const DataPage::RunData data = page.dataForRun(run.path());
        data.prepared.write(); // the training worker's part
        const std::vector<std::string> &paths = data.paths;
        QCOMPARE(paths,
            std::vector<std::string> {
                QDir(run.path()).filePath(QStringLiteral("prepared-pairs.jsonl")).toStdString() });
        QCOMPARE(PairDataset::load(paths.front()).size(), std::size_t(2));
        QFile kept(QDir(run.path()).filePath(key));
        QVERIFY(kept.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(kept.readAll()), duplicated);
    }

    void clipboardWithoutCellsOrWithFiles()
    {
        DataPage page;
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        // Text without a tab is no cells: nothing is added and the page says what to copy.
        QGuiApplication::clipboard()->setText(QStringLiteral("just a sentence"));
        pressPaste(&page);
        QVERIFY(page.sourceKeys().isEmpty());
        auto *banner = page.findChild<MessageBanner *>();
        QVERIFY(banner && banner->isVisible());
        QVERIFY2(banner->text().contains(QStringLiteral("no cells")), qPrintable(banner->text()));

        // Files copied in a file manager are added as files.
        const QString pairs = m_dir.filePath(QStringLiteral("copied.tsv"));
        QVERIFY(studiotest::writePairFile(pairs, 6));
        auto *mime = new QMimeData;
        mime->setUrls({ QUrl::fromLocalFile(pairs) });
        mime->setText(pairs);
        QGuiApplication::clipboard()->setMimeData(mime);
        pressPaste(&page);
        QCOMPARE(page.files(), QStringList { pairs });
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete() && page.dataset()->size() == 6, kWaitMs);
    }

    // A run started from pasted cells finds them in its own folder, named in its data list, reads back
    // the same pairs, and resumes from them after a stop.
    void aRunKeepsThePastedCellsInItsFolder()
    {
        const QString model = m_dir.filePath(QStringLiteral("tiny-model"));
        const QString created = studiotest::createTinyModel(model);
        QVERIFY2(created.isEmpty(), qPrintable(created));

        const QString clipboard = spreadsheetClipboard(24);
        QGuiApplication::clipboard()->setText(clipboard);
        MainWindow window;
        window.resize(1200, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        pressPaste(window.dataPage());
        QCOMPARE(window.dataPage()->sourceKeys(), QStringList { QStringLiteral("pasted-1.tsv") });
        QTRY_VERIFY_WITH_TIMEOUT(window.nextButton()->isEnabled(), kWaitMs);
        const std::vector<std::string> pastedHashes = window.dataPage()->dataset()->sourceHashes();
        QVERIFY(window.goNext());
        window.modelPage()->chooseFolder(model);
        QTRY_VERIFY_WITH_TIMEOUT(window.modelPage()->isComplete(), kWaitMs);
        QVERIFY(window.goNext());
        QVERIFY(window.goNext()); // past the optional Hard negatives step
        TrainingConfig config = window.settingsPage()->config();
        config.maxSteps = 8;
        config.epochs = 3;
        config.batchSize = 8;
        config.checkpointEvery = 2;
        config.evalEvery = 4;
        config.threads = 1;
        window.settingsPage()->setConfig(config);
        QVERIFY(window.goNext());

        const QString run = m_dir.filePath(QStringLiteral("run-pasted"));
        window.trainPage()->setRunFolder(run);
        TrainPage *train = window.trainPage();
        QVERIFY(train->startTraining());
        QTRY_VERIFY_WITH_TIMEOUT(
            window.findChild<QProgressBar *>(QStringLiteral("trainingProgress"))->value() >= 3, kTrainWaitMs);
        train->cancelTraining();
        QTRY_VERIFY_WITH_TIMEOUT(!train->isRunning(), kTrainWaitMs);
        if (train->result()->cancelled) {
            // Resume reads the data the run names, not the page: the pasted cells are gone from it.
            window.dataPage()->clearFiles();
            QVERIFY(train->resumeTraining());
            QTRY_VERIFY_WITH_TIMEOUT(!train->isRunning(), kTrainWaitMs);
        }
        QVERIFY2(train->lastError().isEmpty(), qPrintable(train->lastError()));
        QVERIFY(!train->result()->cancelled);
        QCOMPARE(train->result()->steps, std::int64_t(8));

        const QString kept = QDir(run).filePath(QStringLiteral("pasted-1.tsv"));
        QFile file(kept);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(file.readAll()), clipboard);
        const QJsonArray dataPaths = readJson(QDir(run).filePath(QStringLiteral("config.json")))
                                         .value(QStringLiteral("training"))
                                         .toObject()
                                         .value(QStringLiteral("data_paths"))
                                         .toArray();
        QCOMPARE(dataPaths.size(), 1);
        QCOMPARE(dataPaths.at(0).toString(), kept);
        const PairDataset reread = PairDataset::load(kept.toStdString());
        QCOMPARE(reread.size(), std::size_t(24));
        QCOMPARE(reread.records()[2].positive, std::string("open the printer queue\nthen restart it"));
        QCOMPARE(reread.sourceHashes(), pastedHashes);
        // No temporary file of the atomic write is left behind.
        QCOMPARE(QDir(run).entryList({ QStringLiteral("pasted-1.tsv*") }, QDir::Files | QDir::Hidden),
            QStringList { QStringLiteral("pasted-1.tsv") });
    }

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(TestPastedCells)
#include "tst_pastedcells.moc"
