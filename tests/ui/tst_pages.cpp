// The wizard's pages on their own: validation, drag and drop of pair files, column mapping, one-click
// fixes, model folder checks, and settings that round-trip into the engine's TrainingConfig.

#include "data/pairdataset.h"
#include "model/runtime.h"
#include "studiofixture.h"
#include "train/precision.h"
#include "ui/columnmappingwidget.h"
#include "ui/datapage.h"
#include "ui/datareportview.h"
#include "ui/dropzone.h"
#include "ui/loadedmodel.h"
#include "ui/mainwindow.h"
#include "ui/modelpage.h"
#include "ui/preferences.h"
#include "ui/scoredistributionplot.h"
#include "ui/settingsform.h"
#include "ui/settingspage.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileInfo>
#include <QListWidget>
#include <QMimeData>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

using namespace pairtune;
using namespace pairtune::ui;

namespace {

constexpr int kWaitMs = 20000;

// Sends a drag-enter and, when it was accepted, a drop of urls to target; returns whether the drop
// was accepted.
bool dragAndDrop(QWidget *target, const QList<QUrl> &urls, bool *enterAccepted = nullptr)
{
    QMimeData mime;
    mime.setUrls(urls);
    const QPoint centre = target->rect().center();
    QDragEnterEvent enter(centre, Qt::CopyAction | Qt::LinkAction, &mime, Qt::LeftButton, Qt::NoModifier);
    enter.setAccepted(false);
    QApplication::sendEvent(target, &enter);
    if (enterAccepted)
        *enterAccepted = enter.isAccepted();
    if (!enter.isAccepted())
        return false;
    QDropEvent drop(QPointF(centre), Qt::CopyAction | Qt::LinkAction, &mime, Qt::LeftButton, Qt::NoModifier);
    drop.setAccepted(false);
    QApplication::sendEvent(target, &drop);
    return drop.isAccepted();
}

bool writeText(const QString &path, const QByteArray &text)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(text) == text.size();
}

} // namespace

class TestPages : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        studiotest::isolateSettings();
        QVERIFY(m_dir.isValid());
        m_pairs = m_dir.filePath(QStringLiteral("pairs.tsv"));
        QVERIFY(studiotest::writePairFile(m_pairs, 40));
    }

    void dataPageStartsIncomplete()
    {
        DataPage page;
        QVERIFY(!page.isComplete());
        QVERIFY(page.incompleteReason().contains(QStringLiteral("pair file")));
        QVERIFY(!page.dataset());
    }

    void droppingAPairFileFillsThePreview()
    {
        DataPage page;
        page.show();
        QSignalSpy changed(&page, &DataPage::dataChanged);
        bool entered = false;
        QVERIFY(dragAndDrop(page.dropZone(), { QUrl::fromLocalFile(m_pairs) }, &entered));
        QVERIFY(entered);
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete(), kWaitMs);
        QCOMPARE(page.files(), QStringList { m_pairs });
        QTableWidget *preview = page.previewTable();
        QCOMPARE(preview->columnCount(), 2);
        QCOMPARE(preview->rowCount(), 40);
        QVERIFY(preview->item(0, 0)->text().startsWith(QStringLiteral("how do i reset my password")));
        QVERIFY(preview->horizontalHeaderItem(0)->text().contains(QStringLiteral("anchor")));
        QVERIFY(preview->horizontalHeaderItem(1)->text().contains(QStringLiteral("positive")));
        QCOMPARE(page.dataset()->size(), std::size_t(40));
        QVERIFY(changed.count() >= 1);
        // Two columns: nothing to map.
        QVERIFY(page.columnMapping()->isHidden());
        // The report is there and in words (no model yet).
        QVERIFY(page.reportView()->summaryText().contains(QStringLiteral("40 pairs")));
    }

    void dropZoneRefusesFoldersAndRemoteUrls()
    {
        DataPage page;
        bool entered = true;
        QVERIFY(!dragAndDrop(page.dropZone(), { QUrl::fromLocalFile(m_dir.path()) }, &entered));
        QVERIFY(!entered);
        QVERIFY(!dragAndDrop(
            page.dropZone(), { QUrl(QStringLiteral("https://example.com/pairs.tsv")) }, &entered));
        QVERIFY(!entered);
        QVERIFY(page.files().isEmpty());

        DropZone folders(DropZone::Accept::Folder, QStringLiteral("drop"), QStringLiteral("browse"));
        QSignalSpy dropped(&folders, &DropZone::pathsDropped);
        QVERIFY(!dragAndDrop(&folders, { QUrl::fromLocalFile(m_pairs) }));
        QVERIFY(dragAndDrop(&folders, { QUrl::fromLocalFile(m_dir.path()) }));
        QCOMPARE(dropped.count(), 1);
    }

    void severalFilesAreJoined()
    {
        const QString second = m_dir.filePath(QStringLiteral("more.tsv"));
        QVERIFY(studiotest::writePairFile(second, 10));
        DataPage page;
        QVERIFY(dragAndDrop(page.dropZone(), { QUrl::fromLocalFile(m_pairs), QUrl::fromLocalFile(second) }));
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete(), kWaitMs);
        QCOMPARE(page.files().size(), 2);
        QCOMPARE(page.dataset()->size(), std::size_t(50));
        page.removeFile(second);
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete(), kWaitMs);
        QCOMPARE(page.dataset()->size(), std::size_t(40));
        QVERIFY(!page.needsPreparedCopy());
        const DataPage::RunData data = page.dataForRun(m_dir.path());
        QCOMPARE(data.paths, std::vector<std::string> { m_pairs.toStdString() });
        QVERIFY(!data.prepared);
    }

    void aBrokenFileIsReportedAndBlocksNext()
    {
        const QString broken = m_dir.filePath(QStringLiteral("broken.jsonl"));
        QVERIFY(writeText(broken, "{\"anchor\": \"a\", \"positive\": \"b\"}\n{\"anchor\": \"c\", \n"));
        DataPage page;
        page.addFiles({ broken });
        QTRY_VERIFY_WITH_TIMEOUT(!page.isLoading() && !page.lastResult().error.empty(), kWaitMs);
        QVERIFY(!page.isComplete());
        QVERIFY(QString::fromStdString(page.lastResult().error).contains(QStringLiteral("broken.jsonl:2")));
    }

    void oneClickFixesCleanTheData()
    {
        const QString messy = m_dir.filePath(QStringLiteral("messy.tsv"));
        QStringList extra = studiotest::pairLines(3); // three exact duplicates of the first pairs
        extra << QStringLiteral("   \tan answer without a question")
              << QStringLiteral("same text\tsame text");
        QVERIFY(studiotest::writePairFile(messy, 30, extra));
        DataPage page;
        page.show();
        page.addFiles({ messy });
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete(), kWaitMs);
        QCOMPARE(page.dataset()->size(), std::size_t(35));
        DataReportView *report = page.reportView();
        QVERIFY(report->dropDuplicatesButton()->isVisibleTo(&page));
        QVERIFY(report->dropEmptyButton()->isVisibleTo(&page));
        QVERIFY(report->dropIdenticalButton()->isVisibleTo(&page));
        QVERIFY(report->dropDuplicatesButton()->text().contains(QStringLiteral("3")));
        QVERIFY(!report->warnings().isEmpty());

        report->dropDuplicatesButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete() && page.dataset()->size() == 32, kWaitMs);
        QVERIFY(page.fixes().dropDuplicates);
        QVERIFY(!report->dropDuplicatesButton()->isVisibleTo(&page));
        report->dropEmptyButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete() && page.dataset()->size() == 31, kWaitMs);
        report->dropIdenticalButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete() && page.dataset()->size() == 30, kWaitMs);

        // The trainer reads files: the cleaned pairs are written next to the run and read back equal.
        QVERIFY(page.needsPreparedCopy());
        QTemporaryDir run;
        const DataPage::RunData data = page.dataForRun(run.path());
        const std::vector<std::string> &paths = data.paths;
        QCOMPARE(paths.size(), std::size_t(1));
        QVERIFY(QString::fromStdString(paths[0]).endsWith(QStringLiteral("prepared-pairs.jsonl")));
        // Not written here on the GUI thread: the training worker writes it (TrainingController::start).
        QVERIFY(!QFileInfo::exists(QString::fromStdString(paths[0])));
        QCOMPARE(data.prepared.path, paths[0]);
        data.prepared.write();
        const PairDataset back = PairDataset::load(paths[0]);
        QCOMPARE(back.size(), std::size_t(30));
        for (std::size_t i = 0; i < back.size(); ++i) {
            QCOMPARE(back.records()[i].anchor, page.dataset()->records()[i].anchor);
            QCOMPARE(back.records()[i].positive, page.dataset()->records()[i].positive);
        }

        report->undoButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete() && page.dataset()->size() == 35, kWaitMs);
        QVERIFY(!page.needsPreparedCopy());
    }

    void columnMappingForWideFiles()
    {
        const QString wide = m_dir.filePath(QStringLiteral("wide.tsv"));
        QByteArray text = "id\tquestion\tanswer\tnote\n";
        for (int i = 0; i < 12; ++i)
            text
                += QStringLiteral("%1\twhat is item %1\titem %1 is a thing\tnote about %1\n").arg(i).toUtf8();
        QVERIFY(writeText(wide, text));
        DataPage page;
        page.show();
        page.addFiles({ wide });
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete(), kWaitMs);
        ColumnMappingWidget *mapping = page.columnMapping();
        QVERIFY(mapping->isVisibleTo(&page));
        QCOMPARE(mapping->anchorBox()->currentText(), QStringLiteral("question"));
        QCOMPARE(mapping->positiveBox()->currentText(), QStringLiteral("answer"));
        QCOMPARE(page.dataset()->records()[0].anchor, std::string("what is item 0"));

        // Use the note as the positive instead.
        mapping->positiveBox()->setCurrentIndex(mapping->positiveBox()->findText(QStringLiteral("note")));
        QVERIFY(mapping->isCustomised());
        QTRY_VERIFY_WITH_TIMEOUT(
            page.isComplete() && page.dataset()->records()[0].positive == "note about 0", kWaitMs);
        QVERIFY(page.previewTable()->horizontalHeaderItem(3)->text().contains(QStringLiteral("positive")));
        QVERIFY(page.needsPreparedCopy());
        QTemporaryDir run;
        const DataPage::RunData data = page.dataForRun(run.path());
        data.prepared.write();
        const PairDataset back = PairDataset::load(data.paths.front());
        QCOMPARE(back.records()[5].positive, std::string("note about 5"));
        QCOMPARE(back.records()[5].anchor, std::string("what is item 5"));
    }

    void modelPageRejectsAFolderThatIsNotAModel()
    {
        ModelPage page;
        QSignalSpy changed(&page, &ModelPage::modelChanged);
        page.chooseFolder(m_dir.path());
        QVERIFY(!page.isComplete());
        QVERIFY(page.errorText().contains(QStringLiteral("not a sentence-transformers model folder")));
        QVERIFY(changed.count() >= 1);

        // A folder that looks like a model but is broken: the loader's reason is shown.
        QTemporaryDir broken;
        QVERIFY(
            writeText(broken.filePath(QStringLiteral("modules.json")), "[{\"idx\": 0, \"name\": \"0\"}]"));
        page.chooseFolder(broken.path());
        QTRY_VERIFY_WITH_TIMEOUT(!page.isLoading(), kWaitMs);
        QVERIFY(!page.isComplete());
        QVERIFY(page.errorText().contains(QStringLiteral("cannot be used")));
    }

    void modelPageValidatesAndRemembersAModel()
    {
        QTemporaryDir models;
        const QString folder = models.filePath(QStringLiteral("tiny"));
        const QString error = studiotest::createTinyModel(folder);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        ModelPage page;
        page.chooseFolder(folder);
        QVERIFY(page.isLoading());
        QVERIFY(!page.isComplete());
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete(), kWaitMs);
        QCOMPARE(page.basePath(), folder);
        QVERIFY(page.model());
        QCOMPARE(page.model()->summary().hidden, 32);
        QCOMPARE(page.model()->summary().maxSeqLength, 32);
        QVERIFY(prefs::recentModels.get().contains(folder));
        ModelPage again;
        QCOMPARE(again.recentList()->item(0)->data(Qt::UserRole).toString(), folder);
    }

    void settingsRoundTripIntoTheEngineConfig()
    {
        TrainingConfig config;
        config.dataPaths = { "/data/a.tsv", "/data/b.jsonl" };
        config.basePath = "/models/base";
        config.outPath = "/runs/one";
        config.epochs = 3;
        config.batchSize = 48;
        config.warmupSteps = 250;
        config.trainFraction = 0.75;
        config.scoreMean = 0.6;
        config.scoreScaling = 12.5;
        config.useFileScores = FileScores::Ignore;
        config.loss = "cosent";
        config.similarity = "cos";
        config.scale = 20.0;
        config.lr = 3e-5;
        config.weightDecay = 0.05;
        config.adamBeta1 = 0.85;
        config.adamBeta2 = 0.995;
        config.adamEpsilon = 1e-7;
        config.maxGradNorm = 0.5;
        config.schedule = "warmupcosine";
        config.scheduleCycles = 1.5;
        config.seed = 1234;
        config.maxSeqLength = 96;
        config.evalEvery = 40;
        config.checkpointEvery = 80;
        config.keepCheckpoints = 3;
        config.maxSteps = 500;
        config.threads = 2;
        config.device = "cuda:1";
        config.noDuplicates = false;
        config.lengthGrouped = true;
        config.bf16 = Bf16Mode::On;
        config.bestMetric = "ndcg@10";
        QVERIFY(config != TrainingConfig {});

        SettingsPage page;
        page.setConfig(config);
        QVERIFY(page.config() == config);
        QVERIFY(page.isComplete());

        // The defaults are the recipe's.
        page.setConfig(TrainingConfig {});
        QVERIFY(page.config() == TrainingConfig {});

        // Editing the controls changes the config the engine gets.
        SettingsForm *form = page.form();
        form->epochsBox()->setValue(5);
        form->batchSizeBox()->setValue(16);
        form->lossBox()->setCurrentIndex(form->lossBox()->findData(QStringLiteral("mnrl_symmetric")));
        const TrainingConfig edited = page.config();
        QCOMPARE(edited.epochs, 5);
        QCOMPARE(edited.batchSize, 16);
        QCOMPARE(edited.loss, std::string("mnrl_symmetric"));
        QCOMPARE(trainingConfigFromJson(toJson(edited)), edited);
    }

    // The bf16 switch can be turned on only where it would be faster: a GPU, or a CPU with native bf16.
    void settingsBf16FollowsTheDevice()
    {
        SettingsPage page;
        QCheckBox *bf16 = nullptr;
        for (QCheckBox *box : page.findChildren<QCheckBox *>())
            if (box->text().contains(QStringLiteral("bfloat16")))
                bf16 = box;
        QVERIFY(bf16 != nullptr);
        TrainingConfig config;
        config.device = "cuda";
        page.setConfig(config);
        QVERIFY(bf16->isEnabled());
        QVERIFY(!bf16->isChecked()); // Auto is float32 on a GPU
        QVERIFY(page.config().bf16 == Bf16Mode::Auto);
        bf16->setChecked(true);
        QVERIFY(page.config().bf16 == Bf16Mode::On);
        config.device = "cpu";
        page.setConfig(config);
        QCOMPARE(bf16->isEnabled(), pairtune::cpuHasNativeBf16());
        // Auto on the CPU: on where bf16 is the faster choice (AMX-BF16, issue 17), and the config stays
        // Auto until the user flips the switch; then it says what the user chose.
        QCOMPARE(bf16->isChecked(), pairtune::cpuHasAmxBf16());
        QVERIFY(page.config().bf16 == Bf16Mode::Auto);
        if (bf16->isChecked()) {
            bf16->setChecked(false);
            QVERIFY(page.config().bf16 == Bf16Mode::Off);
        } else if (bf16->isEnabled()) { // AVX512-BF16 alone: off by default, on when asked
            bf16->setChecked(true);
            QVERIFY(page.config().bf16 == Bf16Mode::On);
        }
        // An old run's config (no "bf16" key: float32) shows the switch off.
        config.bf16 = Bf16Mode::Off;
        page.setConfig(config);
        QVERIFY(!bf16->isChecked());
        QVERIFY(page.config().bf16 == Bf16Mode::Off);
    }

    void settingsValidationBlocksNext()
    {
        SettingsPage page;
        QSignalSpy complete(&page, &WizardPage::completeChanged);
        page.form()->batchSizeBox()->setValue(1); // MNRL needs other pairs in the batch
        QVERIFY(!page.isComplete());
        QVERIFY(page.incompleteReason().contains(QStringLiteral("batch size")));
        QVERIFY(complete.count() >= 1);
        page.form()->batchSizeBox()->setValue(2);
        QVERIFY(page.isComplete());
    }

    void settingsShowSizesStepsAndTraps()
    {
        SettingsPage page;
        auto dataset = std::make_shared<const PairDataset>(PairDataset::load(m_pairs.toStdString()));
        page.setData(dataset, DataReport {});
        TrainingConfig config;
        config.batchSize = 8;
        config.epochs = 2;
        page.setConfig(config);
        QCOMPARE(page.estimate().pairs, std::size_t(40));
        QCOMPARE(page.estimate().trainPairs, std::size_t(32));
        QCOMPARE(page.estimate().evalPairs, std::size_t(8));
        QCOMPARE(page.estimate().stepsPerEpoch, std::int64_t(4));
        QCOMPARE(page.estimate().totalSteps, std::int64_t(8));
        QVERIFY(page.estimate().exactSteps);
        // MNRL ignores scores; the recipe's warmup (100) outlasts an 8-step run.
        QVERIFY(page.guidance().filter(QStringLiteral("MNRL ignores scores")).size() == 1);
        QVERIFY(page.guidance().filter(QStringLiteral("Warmup")).size() == 1);
        QVERIFY(page.guidance().filter(QStringLiteral("adds no negatives")).size() == 1);

        // Duplicates as false negatives when the no-duplicates batches are off.
        config.noDuplicates = false;
        page.setConfig(config);
        QVERIFY(page.guidance().filter(QStringLiteral("false negatives")).size() == 1);

        // Presets.
        page.applyPreset(TrainingPreset::QuickCheck);
        QCOMPARE(page.config().maxSteps, std::int64_t(20));
        QCOMPARE(page.estimate().totalSteps, std::int64_t(1)); // 32 pairs, batch 32, one epoch
        page.applyPreset(TrainingPreset::Recommended);
        QCOMPARE(page.config().similarity, std::string("cos"));
        QCOMPARE(page.config().scale, 20.0);
        page.applyPreset(TrainingPreset::Recipe);
        QVERIFY(page.config() == TrainingConfig {});
    }

    void scorePlotFollowsMeanAndScaling()
    {
        SettingsPage page;
        page.form()->scoreMeanBox()->setValue(0.5);
        page.form()->scoreScalingBox()->setValue(10.0);
        QTRY_COMPARE(page.scorePlot()->lower(), 0.45);
        QCOMPARE(page.scorePlot()->upper(), 0.55);
    }

    void wizardKeepsChoicesAndGatesNext()
    {
        MainWindow window;
        window.show();
        QCOMPARE(window.currentStep(), int(MainWindow::DataStep));
        QVERIFY(!window.nextButton()->isEnabled());
        QVERIFY(!window.backButton()->isEnabled());
        QVERIFY(!window.goNext());
        window.dataPage()->addFiles({ m_pairs });
        QTRY_VERIFY_WITH_TIMEOUT(window.nextButton()->isEnabled(), kWaitMs);
        QVERIFY(window.goNext());
        QCOMPARE(window.currentStep(), int(MainWindow::ModelStep));
        // Without the built-in model shipped in this checkout, a clear message and no Next.
        window.modelPage()->chooseFolder(m_dir.path());
        QVERIFY(!window.nextButton()->isEnabled());
        QVERIFY(!window.goToStep(MainWindow::SettingsStep));
        QVERIFY(window.goBack());
        QCOMPARE(window.currentStep(), int(MainWindow::DataStep));
        QCOMPARE(window.dataPage()->files(), QStringList { m_pairs });
        QVERIFY(window.nextButton()->isEnabled());
        QVERIFY(window.goNext());
        QCOMPARE(window.modelPage()->basePath(), m_dir.path()); // kept, not reset to the built-in one
    }

private:
    QTemporaryDir m_dir;
    QString m_pairs;
};

QTEST_MAIN(TestPages)
#include "tst_pages.moc"
