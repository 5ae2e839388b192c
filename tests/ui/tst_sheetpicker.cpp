// Issue 15, the studio's half: a workbook dropped on the Data page is previewed like a pair file, and
// when it has several sheets a picker chooses the one to read. The workbook was written by LibreOffice
// from tests/data/sheets/studio-two-sheets.fods (soffice --headless --convert-to xlsx): sheet
// "Support" holds 3 pairs under anchor/positive, sheet "Sales" 2 pairs under question/answer.

#include "data/pairdataset.h"
#include "studiofixture.h"
#include "ui/datapage.h"
#include "ui/dropzone.h"

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QLabel>
#include <QListWidget>
#include <QMimeData>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

using namespace pairtune;
using namespace pairtune::ui;

namespace {

constexpr int kWaitMs = 20000;

const QString kWorkbook = QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/sheets/studio-two-sheets.xlsx");

void drop(QWidget *target, const QString &path)
{
    QMimeData mime;
    mime.setUrls({ QUrl::fromLocalFile(path) });
    const QPoint centre = target->rect().center();
    QDragEnterEvent enter(centre, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent event(QPointF(centre), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &event);
    QVERIFY(event.isAccepted());
}

QStringList comboItems(const QComboBox *combo)
{
    QStringList items;
    for (int i = 0; i < combo->count(); ++i)
        items << combo->itemText(i);
    return items;
}

} // namespace

class TestSheetPicker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { studiotest::isolateSettings(); }

    void droppedWorkbookPreviewsAndSwitchesSheets()
    {
        DataPage page;
        page.resize(1100, 700);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        drop(page.dropZone(), kWorkbook);
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete(), kWaitMs);

        // The first sheet, previewed as a file is.
        QTableWidget *preview = page.previewTable();
        QCOMPARE(preview->rowCount(), 3);
        QCOMPARE(preview->columnCount(), 2);
        QVERIFY(preview->horizontalHeaderItem(0)->text().startsWith(QStringLiteral("anchor")));
        QCOMPARE(preview->item(0, 0)->text(), QStringLiteral("how do I reset my password"));
        QCOMPARE(page.dataset()->size(), std::size_t(3));

        // The sheet names come from a read off the GUI thread; then the picker offers both.
        QComboBox *picker = page.sheetPicker();
        QTRY_VERIFY_WITH_TIMEOUT(picker->isVisible(), kWaitMs);
        QCOMPARE(comboItems(picker), (QStringList { QStringLiteral("Support"), QStringLiteral("Sales") }));
        QCOMPARE(picker->currentText(), QStringLiteral("Support"));
        QCOMPARE(page.fileList()->item(0)->text(), QStringLiteral("studio-two-sheets.xlsx: Support"));
        // The first sheet is what the trainer reads from the file by default: no copy needed.
        QVERIFY(!page.needsPreparedCopy());
        QTemporaryDir run;
        QCOMPARE(page.dataForRun(run.path()).paths, std::vector<std::string> { kWorkbook.toStdString() });

        // The user picks the other sheet: its rows, its header, its pairs.
        picker->setFocus();
        QTest::keyClick(picker, Qt::Key_Down);
        QCOMPARE(picker->currentText(), QStringLiteral("Sales"));
        QCOMPARE(page.sources().sheet(kWorkbook), QStringLiteral("Sales"));
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete() && page.dataset()->size() == 2, kWaitMs);
        QCOMPARE(preview->rowCount(), 2);
        QVERIFY(preview->horizontalHeaderItem(0)->text().startsWith(QStringLiteral("question")));
        QCOMPARE(preview->item(1, 1)->text(), QStringLiteral("yes, yearly plans can be paid by invoice"));
        QCOMPARE(page.fileList()->item(0)->text(), QStringLiteral("studio-two-sheets.xlsx: Sales"));
        const QLabel *caption = nullptr;
        for (const QLabel *label : page.findChildren<QLabel *>()) {
            if (label->text().contains(QStringLiteral("sheet Sales")))
                caption = label;
        }
        QVERIFY(caption);

        // The trainer reads files with the default (first) sheet, so the chosen sheet's pairs are
        // trained from a prepared copy.
        QVERIFY(page.needsPreparedCopy());
        const DataPage::RunData data = page.dataForRun(run.path());
        data.prepared.write(); // the training worker's part
        const std::vector<std::string> &paths = data.paths;
        QCOMPARE(paths.size(), std::size_t(1));
        const PairDataset prepared = PairDataset::load(paths.front());
        QCOMPARE(prepared.size(), std::size_t(2));
        QCOMPARE(prepared.records()[0].anchor, std::string("is there a discount for schools"));

        // And back.
        QTest::keyClick(picker, Qt::Key_Up);
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete() && page.dataset()->size() == 3, kWaitMs);
        QCOMPARE(preview->item(0, 0)->text(), QStringLiteral("how do I reset my password"));
        QVERIFY(!page.needsPreparedCopy());
    }

    void aOneSheetWorkbookHasNoPicker()
    {
        DataPage page;
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        const QString pairs = QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/sheets/wordnet-demo-pairs.xlsx");
        page.addFiles({ pairs });
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete(), kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(page.sources().sheetNames(pairs).size(), 1, kWaitMs);
        QVERIFY(!page.sheetPicker()->isVisible());
        QCOMPARE(page.fileList()->item(0)->text(), QStringLiteral("wordnet-demo-pairs.xlsx"));
    }
};

QTEST_MAIN(TestSheetPicker)
#include "tst_sheetpicker.moc"
