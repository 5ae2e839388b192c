// The traps an analyst hit on a first real run (issue 14): each test here failed before its fix.
// Wheel over number fields, the Run folder field, pages during training, the Go menu's text, and the
// number of evaluations the Quick check promises against what a real run does.

#include "studiofixture.h"
#include "ui/chartwidget.h"
#include "ui/datapage.h"
#include "ui/datareportview.h"
#include "ui/mainwindow.h"
#include "ui/messagebanner.h"
#include "ui/modelpage.h"
#include "ui/settingsform.h"
#include "ui/settingspage.h"
#include "ui/trainingpresets.h"
#include "ui/trainpage.h"
#include "ui/tryexportpage.h"

#include <QAbstractSpinBox>
#include <QAction>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QWheelEvent>

using namespace pairtune;
using namespace pairtune::ui;

namespace {

constexpr int kWaitMs = 60000;
constexpr int kTrainWaitMs = 240000;

// What a menu shows for an action's text: "&&" is a literal ampersand, a single "&" marks the
// mnemonic and is not drawn.
QString shownText(const QString &text)
{
    QString shown;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text[i] == QLatin1Char('&')) {
            if (i + 1 < text.size() && text[i + 1] == QLatin1Char('&'))
                shown += text[++i];
            continue;
        }
        shown += text[i];
    }
    return shown;
}

// One notch of the wheel ("towards the user", i.e. scroll down / step down) over the middle of target.
void wheelDown(QWidget *target)
{
    const QPointF local = QRectF(target->rect()).center();
    QWheelEvent wheel(local, target->mapToGlobal(local), QPoint(), QPoint(0, -120), Qt::NoButton,
        Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(target, &wheel);
}

// The number of evaluations a run folder's metrics.jsonl records.
int evaluationsIn(const QString &run)
{
    QFile file(QDir(run).filePath(QStringLiteral("metrics.jsonl")));
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    int count = 0;
    while (!file.atEnd()) {
        const QJsonObject event = QJsonDocument::fromJson(file.readLine()).object();
        if (event.value(QStringLiteral("type")).toString() == QLatin1String("evaluation"))
            ++count;
    }
    return count;
}

bool writeText(const QString &path, const QByteArray &text)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(text) == text.size();
}

// The texts of the labels under parent that are visible.
QStringList visibleLabels(QWidget *parent)
{
    QStringList texts;
    for (QLabel *label : parent->findChildren<QLabel *>()) {
        if (label->isVisibleTo(parent))
            texts << label->text();
    }
    return texts;
}

} // namespace

class TestTraps : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        studiotest::isolateSettings();
        QVERIFY(m_dir.isValid());
        m_model = m_dir.filePath(QStringLiteral("tiny-model"));
        const QString error = studiotest::createTinyModel(m_model);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        m_pairs = m_dir.filePath(QStringLiteral("pairs.tsv"));
        QVERIFY(studiotest::writePairFile(m_pairs, 80));
    }

    // Trap 1: the wheel over an unfocused number field scrolls the form and leaves the value alone.
    void wheelOverUnfocusedNumberFieldScrollsTheForm()
    {
        SettingsPage page;
        page.resize(700, 320);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        auto *scroll = page.findChild<QScrollArea *>();
        QVERIFY(scroll);
        QScrollBar *bar = scroll->verticalScrollBar();
        QVERIFY2(bar->maximum() > 0, "the form must be taller than the page for this test");
        // The first number field that is on screen.
        QAbstractSpinBox *field = nullptr;
        for (QAbstractSpinBox *box : page.form()->findChildren<QAbstractSpinBox *>()) {
            if (box->isVisible() && box->isEnabled()
                && scroll->viewport()->rect().contains(
                    box->mapTo(scroll->viewport(), box->rect().center()))) {
                field = box;
                break;
            }
        }
        QVERIFY(field);
        // The pointer merely passes over the field: the keyboard focus is elsewhere.
        if (field->hasFocus())
            field->clearFocus();
        QVERIFY(!field->hasFocus());
        const QString before = field->text();
        const int scrolledBefore = bar->value();
        for (int notch = 0; notch < 3; ++notch)
            wheelDown(field);
        QCOMPARE(field->text(), before);
        QVERIFY2(bar->value() > scrolledBefore, "the form did not scroll");

        // Focused (clicked or tabbed into), the wheel changes the field as before.
        page.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&page));
        scroll->ensureWidgetVisible(field);
        field->setFocus(Qt::TabFocusReason);
        QVERIFY(field->hasFocus());
        const int scrolledFocused = bar->value();
        wheelDown(field);
        QVERIFY(field->text() != before);
        QCOMPARE(bar->value(), scrolledFocused);
    }

    // Trap 5: "Try & Export" keeps its ampersand in the Go menu.
    void goMenuNamesEveryPageAsTitled()
    {
        MainWindow window;
        QMenu *go = nullptr;
        for (QAction *action : window.menuBar()->actions()) {
            if (shownText(action->text()) == QLatin1String("Go"))
                go = action->menu();
        }
        QVERIFY(go);
        QStringList shown;
        for (QAction *action : go->actions())
            shown << shownText(action->text());
        for (int step = 0; step < MainWindow::StepCount; ++step) {
            const QString expected = QStringLiteral("%1 %2").arg(step + 1).arg(window.page(step)->title());
            QVERIFY2(shown.contains(expected),
                qPrintable(expected + QStringLiteral(" not in ") + shown.join(", ")));
        }
        QVERIFY(shown.contains(QStringLiteral("6 Try & Export")));
    }

    // Trap 5: at 1024×700 the Try tables keep several rows while the exported model's Python lines
    // are shown (the Python box gives up height first).
    void tryTablesKeepRowsAt1024x700()
    {
        MainWindow window;
        window.resize(1024, 700);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.height(), 700);
        const QSize pageSize = window.page(MainWindow::DataStep)->size();
        TryExportPage page;
        page.showView(TryExportPage::View::Search); // the tables' tab (the verdict's is shown first)
        page.resize(pageSize);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        // What the page looks like after an export: the Python lines under the export row.
        auto *python = page.findChild<QPlainTextEdit *>(QStringLiteral("pythonSnippet"));
        QVERIFY(python);
        // After an export the lines sit in the usage tabs under the export row: show them and their boxes.
        for (QWidget *shown = python; shown && shown != &page; shown = shown->parentWidget())
            shown->show();
        QTRY_VERIFY(python->isVisible());
        QCoreApplication::processEvents();
        for (const QString &name : { QStringLiteral("baseResults"), QStringLiteral("tunedResults") }) {
            auto *table = page.findChild<QTableWidget *>(name);
            QVERIFY(table);
            const int rowHeight = table->verticalHeader()->defaultSectionSize();
            QVERIFY2(table->viewport()->height() >= 4 * rowHeight,
                qPrintable(QStringLiteral("%1: %2 px for rows of %3 px in a %4×%5 page")
                               .arg(name)
                               .arg(table->viewport()->height())
                               .arg(rowHeight)
                               .arg(pageSize.width())
                               .arg(pageSize.height())));
        }
    }

    // Trap 5: at a chart's smallest size its axis labels keep apart (no crowding).
    void chartAxisLabelsDoNotCrowdWhenSmall()
    {
        ChartWidget chart(QStringLiteral("Loss"), QStringLiteral("step"), QStringLiteral("loss"));
        const int series = chart.addSeries(QStringLiteral("loss"), Qt::blue);
        for (int step = 0; step <= 1000; ++step)
            chart.appendPoint(series, step, 3.7 - 3.6 * step / 1000.0);
        chart.refresh();
        chart.resize(chart.minimumSize());
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        chart.replot(QCustomPlot::rpImmediateRefresh);
        const QFontMetrics metrics(chart.xAxis->tickLabelFont());
        const auto gaps = [&](QCPAxis *axis, bool horizontal) {
            const QVector<double> ticks = axis->tickVector();
            const QVector<QString> labels = axis->tickVectorLabels();
            double tightest = 1e9;
            for (int i = 1; i < ticks.size(); ++i) {
                const double distance
                    = std::abs(axis->coordToPixel(ticks[i]) - axis->coordToPixel(ticks[i - 1]));
                // Space left between two neighbouring labels.
                const double size = horizontal
                    ? (metrics.horizontalAdvance(labels[i]) + metrics.horizontalAdvance(labels[i - 1])) / 2.0
                    : metrics.height();
                tightest = std::min(tightest, distance - size);
            }
            return tightest;
        };
        const double xGap = gaps(chart.xAxis, true);
        const double yGap = gaps(chart.yAxis, false);
        QVERIFY2(xGap >= 2 * metrics.averageCharWidth(),
            qPrintable(QStringLiteral("x labels %1 px apart").arg(xGap)));
        QVERIFY2(yGap >= metrics.height(), qPrintable(QStringLiteral("y labels %1 px apart").arg(yGap)));
    }

    // Trap 3: during training the earlier pages can be looked at, read-only, and the window says so.
    void pagesAreViewableReadOnlyDuringTraining()
    {
        MainWindow window;
        window.show();
        prepareWizard(window, 0, 1000);
        TrainPage *train = window.trainPage();
        train->setRunFolder(m_dir.filePath(QStringLiteral("run-readonly")));
        QVERIFY(train->startTraining());
        QVERIFY(train->isRunning());
        for (int step :
            { int(MainWindow::DataStep), int(MainWindow::ModelStep), int(MainWindow::SettingsStep) }) {
            QVERIFY2(window.goToStep(step), qPrintable(window.page(step)->title()));
            QCOMPARE(window.currentStep(), step);
            QVERIFY(window.findChild<QLabel *>(QStringLiteral("nextReason"))
                        ->text()
                        .contains(QStringLiteral("read-only")));
        }
        // Read-only: no field of the settings can change while the run uses them.
        for (QAbstractSpinBox *box : window.settingsPage()->form()->findChildren<QAbstractSpinBox *>())
            QVERIFY(!box->isEnabled());
        QVERIFY(window.goToStep(MainWindow::TrainStep));
        train->cancelTraining();
        QTRY_VERIFY_WITH_TIMEOUT(!train->isRunning(), kTrainWaitMs);
        QVERIFY(window.goToStep(MainWindow::SettingsStep));
        QVERIFY(window.settingsPage()->form()->findChild<QSpinBox *>()->isEnabled());
    }

    // Trap 2: the Run folder field names the run the page shows: after it stopped, after Resume, after
    // it ended, also when the page is left and entered again; a new Start then gets a new folder.
    void runFolderFieldNamesTheShownRun()
    {
        MainWindow window;
        window.show();
        prepareWizard(window, 12, 2);
        TrainPage *train = window.trainPage();
        const QString run = QDir::cleanPath(m_dir.filePath(QStringLiteral("run-shown")));
        train->setRunFolder(run);
        QVERIFY(train->startTraining());
        QTRY_VERIFY_WITH_TIMEOUT(
            window.findChild<QProgressBar *>(QStringLiteral("trainingProgress"))->value() >= 2, kTrainWaitMs);
        train->cancelTraining();
        QTRY_VERIFY_WITH_TIMEOUT(!train->isRunning(), kTrainWaitMs);
        QCOMPARE(train->runFolder(), run);
        QVERIFY(window.goToStep(MainWindow::SettingsStep));
        QVERIFY(window.goToStep(MainWindow::TrainStep));
        QCOMPARE(train->runFolder(), run);
        if (train->result()->cancelled) {
            QVERIFY(train->resumeTraining());
            QCOMPARE(train->runFolder(), run);
            QTRY_VERIFY_WITH_TIMEOUT(!train->isRunning(), kTrainWaitMs);
        }
        QVERIFY(!train->result()->cancelled);
        QCOMPARE(train->runFolder(), run);
        QVERIFY(window.goToStep(MainWindow::SettingsStep));
        QVERIFY(window.goToStep(MainWindow::TrainStep));
        QCOMPARE(train->runFolder(), run);

        // Start again: the finished run stays untouched, the new one gets its own (new) folder.
        QVERIFY(train->startTraining());
        const QString second = train->runFolder();
        QVERIFY(second != run);
        QVERIFY(QFileInfo(second).isDir());
        train->cancelTraining();
        QTRY_VERIFY_WITH_TIMEOUT(!train->isRunning(), kTrainWaitMs);
        QCOMPARE(train->runFolder(), second);
    }

    // Trap 6: the Quick check's tooltip, the run summary and a real Quick check run agree on the number
    // of evaluations (3,000 pairs: 85 steps per epoch, so the 20-step limit ends inside the epoch).
    void quickCheckEvaluationsMatchARealRun()
    {
        const QString pairs = m_dir.filePath(QStringLiteral("pairs-3000.tsv"));
        QVERIFY(studiotest::writePairFile(pairs, 3000));
        MainWindow window;
        window.show();
        window.dataPage()->addFiles({ pairs });
        QTRY_VERIFY_WITH_TIMEOUT(window.nextButton()->isEnabled(), kWaitMs);
        QVERIFY(window.goNext());
        window.modelPage()->chooseFolder(m_model);
        QTRY_VERIFY_WITH_TIMEOUT(window.modelPage()->isComplete(), kWaitMs);
        QVERIFY(window.goNext());
        QVERIFY(window.goNext()); // past the optional Hard negatives step
        SettingsPage *settings = window.settingsPage();
        auto *quick = settings->findChild<QPushButton *>(QStringLiteral("presetQuickcheck"));
        QVERIFY(quick);
        quick->click();
        TrainingConfig config = settings->config();
        config.threads = 1;
        settings->setConfig(config);
        QTRY_VERIFY_WITH_TIMEOUT(settings->estimate().evaluations > 0, kWaitMs);
        const std::int64_t promised = settings->estimate().evaluations;
        const QRegularExpression count(QStringLiteral("(\\d+) evaluations"));
        const QRegularExpressionMatch tip = count.match(quick->toolTip());
        QVERIFY2(tip.hasMatch(), qPrintable(quick->toolTip()));
        QCOMPARE(tip.captured(1).toLongLong(), qlonglong(promised));

        QVERIFY(window.goNext());
        const QString run = m_dir.filePath(QStringLiteral("run-quick"));
        window.trainPage()->setRunFolder(run);
        QVERIFY(window.trainPage()->startTraining());
        QTRY_VERIFY_WITH_TIMEOUT(!window.trainPage()->isRunning(), kTrainWaitMs);
        QVERIFY2(window.trainPage()->lastError().isEmpty(), qPrintable(window.trainPage()->lastError()));
        QCOMPARE(qlonglong(evaluationsIn(run)), qlonglong(promised));
    }

    // Trap 4: with two bad files, each is marked in the list with its own error, and the message names
    // both.
    void everyBadFileIsMarkedWithItsError()
    {
        const QString badOne = m_dir.filePath(QStringLiteral("bad-one.jsonl"));
        QVERIFY(writeText(badOne, "{\"anchor\": \"a\", \"positive\": \"b\"}\n{\"anchor\": \"c\", \n"));
        const QString badTwo = m_dir.filePath(QStringLiteral("bad-two.jsonl"));
        QVERIFY(writeText(badTwo,
            "{\"anchor\": \"a\", \"positive\": \"b\"}\n{\"anchor\": \"d\", \"positive\": \"e\"}\n{broken\n"));
        DataPage page;
        page.show();
        page.addFiles({ m_pairs, badOne, badTwo });
        QTRY_VERIFY_WITH_TIMEOUT(!page.isLoading() && !page.lastResult().error.empty(), kWaitMs);
        auto *list = page.findChild<QListWidget *>(QStringLiteral("fileList"));
        QCOMPARE(list->count(), 3);
        QVERIFY2(list->item(1)->toolTip().contains(QStringLiteral("bad-one.jsonl:2")),
            qPrintable(list->item(1)->toolTip()));
        QVERIFY2(list->item(2)->toolTip().contains(QStringLiteral("bad-two.jsonl:3")),
            qPrintable(list->item(2)->toolTip()));
        QVERIFY(!list->item(1)->icon().isNull());
        QVERIFY(!list->item(2)->icon().isNull());
        QVERIFY(list->item(0)->icon().isNull()); // the good file is not marked
        QString shown;
        for (MessageBanner *banner : page.findChildren<MessageBanner *>())
            shown += banner->text();
        QVERIFY2(shown.contains(QStringLiteral("bad-one.jsonl:2"))
                && shown.contains(QStringLiteral("bad-two.jsonl:3")),
            qPrintable(shown));
    }

    // Trap 4: selecting a file in the list shows that file in the preview.
    void selectingAFilePreviewsIt()
    {
        const QString second = m_dir.filePath(QStringLiteral("second.tsv"));
        QVERIFY(
            writeText(second, "anchor\tpositive\nzebra question\tzebra answer\nyak question\tyak answer\n"));
        DataPage page;
        page.show();
        page.addFiles({ m_pairs, second });
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete(), kWaitMs);
        QTableWidget *preview = page.previewTable();
        QVERIFY(preview->item(0, 0)->text() != QLatin1String("zebra question"));
        auto *list = page.findChild<QListWidget *>(QStringLiteral("fileList"));
        list->setCurrentRow(1);
        QTRY_VERIFY_WITH_TIMEOUT(
            preview->item(0, 0) && preview->item(0, 0)->text() == QLatin1String("zebra question"), kWaitMs);
        QVERIFY(visibleLabels(&page).filter(QStringLiteral("second.tsv")).size() == 1);
    }

    // Trap 4: after the file the fixes removed pairs from is removed, no "Removed nothing" note and no
    // Undo button stay behind.
    void removingAFileLeavesNoStaleFixNote()
    {
        const QString messy = m_dir.filePath(QStringLiteral("messy.tsv"));
        QVERIFY(writeText(messy, "anchor\tpositive\nsame\tpair\nsame\tpair\nother\tthing\n"));
        DataPage page;
        page.show();
        page.addFiles({ m_pairs, messy });
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete(), kWaitMs);
        DataReportView *report = page.reportView();
        QVERIFY(report->dropDuplicatesButton()->isVisibleTo(&page));
        report->dropDuplicatesButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete() && page.fixes().dropDuplicates, kWaitMs);
        QCOMPARE(page.dataset()->size(), std::size_t(82));
        auto *undo = page.findChild<QPushButton *>(QStringLiteral("undoFixes"));
        QVERIFY(undo->isVisibleTo(&page));
        page.removeFile(messy);
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete() && page.dataset()->size() == 80, kWaitMs);
        QVERIFY(!undo->isVisibleTo(&page));
        QVERIFY2(visibleLabels(&page).filter(QStringLiteral("Removed")).isEmpty(),
            qPrintable(visibleLabels(&page).join(QStringLiteral(" | "))));
    }

    // Trap 4: before a model is chosen the data check says that the length check (truncation at
    // max_seq_length) needs the model, instead of saying nothing about it.
    void dataCheckSaysTruncationNeedsTheModel()
    {
        DataPage page;
        page.show();
        page.addFiles({ m_pairs });
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete(), kWaitMs);
        QVERIFY2(visibleLabels(page.reportView())
                     .join(QLatin1Char(' '))
                     .contains(QStringLiteral("max_seq_length")),
            qPrintable(visibleLabels(page.reportView()).join(QStringLiteral(" | "))));
    }

private:
    // Data, model and settings chosen through the pages; ends on the train page.
    void prepareWizard(MainWindow &window, std::int64_t maxSteps, int epochs)
    {
        window.dataPage()->addFiles({ m_pairs });
        QTRY_VERIFY_WITH_TIMEOUT(window.nextButton()->isEnabled(), kWaitMs);
        QVERIFY(window.goNext());
        window.modelPage()->chooseFolder(m_model);
        QTRY_VERIFY_WITH_TIMEOUT(window.modelPage()->isComplete(), kWaitMs);
        QVERIFY(window.goNext());
        QVERIFY(window.goNext()); // past the optional Hard negatives step
        TrainingConfig config = window.settingsPage()->config();
        config.maxSteps = maxSteps;
        config.epochs = epochs;
        config.batchSize = 8;
        config.evalEvery = 3;
        config.warmupSteps = 2;
        config.lr = 1e-3;
        config.checkpointEvery = 4;
        config.keepCheckpoints = 2;
        config.threads = 1;
        window.settingsPage()->setConfig(config);
        QVERIFY(window.nextButton()->isEnabled());
        QVERIFY(window.goNext());
        QCOMPARE(window.currentStep(), int(MainWindow::TrainStep));
    }

    QTemporaryDir m_dir;
    QString m_model;
    QString m_pairs;
};

QTEST_MAIN(TestTraps)
#include "tst_traps.moc"
