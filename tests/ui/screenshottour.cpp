// pairtune-screenshots: drives the studio through a real (small) training run and saves a PNG of every
// page, for docs/screenshots (scripts/screenshots.sh runs it under Xvfb). Not a test: it asserts
// nothing, but it exits non-zero when a step does not reach the state it waits for.

#include "screenshotkit.h"
#include "studiofixture.h"
#include "ui/comparepanel.h"
#include "ui/datapage.h"
#include "ui/datareportview.h"
#include "ui/exportformatchoice.h"
#include "ui/exportpanel.h"
#include "ui/mainwindow.h"
#include "ui/miningpage.h"
#include "ui/miningreview.h"
#include "ui/modelpage.h"
#include "ui/settingspage.h"
#include "ui/thresholdpanel.h"
#include "ui/trainpage.h"
#include "ui/tryexportpage.h"
#include "ui/verdictpanel.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

#include <cstdio>

using namespace pairtune::ui;
using screenshots::shoot;
using screenshots::waitFor;

namespace {

// Support-desk questions and answers: readable in a screenshot, and learnable by a small model.
QStringList supportPairs()
{
    const QStringList products
        = { QStringLiteral("laptop"), QStringLiteral("printer"), QStringLiteral("router"),
              QStringLiteral("phone"), QStringLiteral("tablet"), QStringLiteral("smartwatch"),
              QStringLiteral("headphones"), QStringLiteral("camera"), QStringLiteral("monitor"),
              QStringLiteral("keyboard"), QStringLiteral("speaker"), QStringLiteral("e-reader") };
    const QList<QPair<QString, QString>> intents = {
        { QStringLiteral("How do I reset my %1?"),
            QStringLiteral(
                "To reset the %1, hold the power button for ten seconds until the light blinks.") },
        { QStringLiteral("My %1 will not turn on"),
            QStringLiteral(
                "If the %1 does not start, charge it for thirty minutes and press the power button again.") },
        { QStringLiteral("Where can I download drivers for the %1?"),
            QStringLiteral("Drivers and manuals for the %1 are on the support site under Downloads.") },
        { QStringLiteral("How long is the warranty on the %1?"),
            QStringLiteral("The %1 has a two-year warranty that covers manufacturing defects.") },
        { QStringLiteral("Can I return my %1?"),
            QStringLiteral("You can return the %1 within thirty days in its original packaging.") },
        { QStringLiteral("How do I update the %1 firmware?"),
            QStringLiteral("Open the %1 settings, choose Software update and install the newest version.") },
        { QStringLiteral("The %1 battery drains quickly"),
            QStringLiteral(
                "Lower the brightness and turn off background sync so the %1 battery lasts longer.") },
        { QStringLiteral("How do I connect the %1 to wifi?"),
            QStringLiteral("In the %1 network settings pick your wifi network and type its password.") },
        { QStringLiteral("Is the %1 waterproof?"),
            QStringLiteral("The %1 resists splashes but must not be put under water.") },
        { QStringLiteral("How much does a %1 repair cost?"),
            QStringLiteral(
                "A %1 repair outside the warranty is quoted after a free check at the service centre.") },
    };
    QStringList lines;
    for (const auto &[question, answer] : intents)
        for (const QString &product : products)
            lines << question.arg(product) + QLatin1Char('\t') + answer.arg(product);
    return lines;
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    const auto options = screenshots::setUp(app);
    if (!options)
        return 2;
    const QString shots = options->out;

    QTemporaryDir work;
    const QString model = work.filePath(QStringLiteral("tiny-bert"));
    const QString error = studiotest::createModel(model, 2, 64, 4, 128, 24);
    if (!error.isEmpty()) {
        std::fprintf(stderr, "pairtune-screenshots: %s\n", qPrintable(error));
        return 1;
    }
    {
        // E5-style prompts, so the pages show how they are used (Try & Export: the prompt choice).
        QFile config(QDir(model).filePath(QStringLiteral("config_sentence_transformers.json")));
        if (!config.open(QIODevice::ReadOnly))
            return 1;
        QJsonObject json = QJsonDocument::fromJson(config.readAll()).object();
        config.close();
        json[QStringLiteral("prompts")]
            = QJsonObject { { QStringLiteral("query"), QStringLiteral("query: ") },
                  { QStringLiteral("document"), QStringLiteral("passage: ") } };
        if (!config.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return 1;
        config.write(QJsonDocument(json).toJson());
    }
    const QString data = work.filePath(QStringLiteral("support-pairs.tsv"));
    {
        QFile file(data);
        if (!file.open(QIODevice::WriteOnly))
            return 1;
        QStringList lines { QStringLiteral("question\tanswer") };
        lines << supportPairs();
        lines << supportPairs().mid(3, 2); // two duplicates and an empty answer, for the data check
        lines << QStringLiteral("Do you ship abroad?\t ");
        file.write(lines.join(QLatin1Char('\n')).toUtf8() + '\n');
    }

    MainWindow window;
    window.resize(options->width, options->height);
    window.show();
    if (!QTest::qWaitForWindowExposed(&window))
        return 1;

    // 1. Data, with the data check's warnings and fixes visible.
    window.dataPage()->addFiles({ data });
    if (!waitFor([&] { return window.dataPage()->isComplete(); }, 30000, "the data"))
        return 1;
    if (!shoot(&window, shots, QStringLiteral("1-data")))
        return 1;
    // 1b. Cells copied in a spreadsheet and pasted with Ctrl+V: a source beside the file, previewed.
    QGuiApplication::clipboard()->setText(QStringLiteral(
        "question\tanswer\r\n"
        "Can I buy a gift card?\tGift cards from 10 to 200 euros are sold in the online shop.\r\n"
        "Do you offer student discounts?\tStudents get 15 percent off with a valid student card.\r\n"
        "How do I change my delivery address?\tChange the address under Orders until the parcel ships.\r\n"
        "Can I pick up my order in a store?\tChoose Click and collect at checkout and pick a store.\r\n"
        "Is there a phone number for support?\t\"Call 0800 123 456,\nMonday to Friday from 8 to 18.\"\r\n"));
    window.dataPage()->pasteFromClipboard();
    window.dataPage()->fileList()->setCurrentRow(1);
    if (!waitFor(
            [&] {
                return window.dataPage()->isComplete() && window.dataPage()->previewTable()->rowCount() == 5;
            },
            30000, "the pasted cells"))
        return 1;
    if (!shoot(&window, shots, QStringLiteral("1-data-pasted")))
        return 1;
    // 1c. A workbook with two sheets: the sheet picker chooses the one to read.
    const QString workbook = QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/sheets/studio-two-sheets.xlsx");
    window.dataPage()->addFiles({ workbook });
    if (!waitFor([&] { return window.dataPage()->sources().sheetNames(workbook).size() == 2; }, 30000,
            "the sheets"))
        return 1;
    window.dataPage()->fileList()->setCurrentRow(2);
    window.dataPage()->setSheet(workbook, QStringLiteral("Sales"));
    if (!waitFor(
            [&] {
                return window.dataPage()->isComplete() && window.dataPage()->previewTable()->rowCount() == 2;
            },
            30000, "the workbook"))
        return 1;
    if (!shoot(&window, shots, QStringLiteral("1-data-sheets")))
        return 1;
    for (const QString &source : window.dataPage()->sourceKeys()) {
        if (source != data)
            window.dataPage()->removeFile(source);
    }
    if (!waitFor([&] { return window.dataPage()->isComplete(); }, 30000, "the file alone"))
        return 1;
    window.dataPage()->setFixes({ true, true, false });
    if (!waitFor([&] { return window.dataPage()->isComplete() && window.dataPage()->fixes().dropEmpty; },
            30000, "the fixes"))
        return 1;

    // 2. Model.
    window.goNext();
    window.modelPage()->chooseFolder(model);
    if (!waitFor([&] { return window.modelPage()->isComplete(); }, 60000, "the model"))
        return 1;
    if (!waitFor([&] { return window.dataPage()->isComplete(); }, 30000, "the token report"))
        return 1;
    if (!shoot(&window, shots, QStringLiteral("2-model")))
        return 1;

    // 2b. Hard negatives (optional): mined and reviewed, one unticked; then discarded so the run and the
    // later pictures are those of the plain pairs.
    window.goNext();
    MiningPage *mining = window.miningPage();
    mining->perRowBox()->setValue(2);
    mining->startMining();
    if (!waitFor([&] { return !mining->isRunning(); }, 120000, "the mining") || !mining->hasMined())
        return 1;
    if (QTreeWidgetItem *first = mining->review()->sampleTree()->topLevelItem(0);
        first && first->childCount() > 2)
        first->child(2)->setCheckState(0, Qt::Unchecked);
    QTest::qWait(300);
    if (!shoot(&window, shots, QStringLiteral("mining-review")))
        return 1;
    mining->discardMined();

    // 3. Settings: the recommended preset, sized for a short demonstration run.
    window.goNext();
    window.settingsPage()->applyPreset(TrainingPreset::Recommended);
    pairtune::TrainingConfig config = window.settingsPage()->config();
    config.epochs = 10;
    config.batchSize = 16;
    config.lr = 2e-4; // a small randomly initialised model needs a larger step than a pretrained one
    config.warmupSteps = 6;
    config.evalEvery = 6;
    config.checkpointEvery = 30;
    config.matryoshka = true; // issue 20: the Sizes tab's chart (matryoshka-sizes) needs a run with sizes
    window.settingsPage()->setConfig(config);
    // The time estimate comes from a few training steps timed on this computer (ui/speedprobe.h).
    if (!waitFor(
            [&] { return window.settingsPage()->estimate().fromMeasuredSteps; }, 60000, "the timed estimate"))
        return 1;
    QTest::qWait(300);
    if (!shoot(&window, shots, QStringLiteral("3-settings")))
        return 1;

    // 4. Train: one picture while it runs, one when it is done.
    window.goNext();
    window.trainPage()->setRunFolder(work.filePath(QStringLiteral("runs/support-run")));
    if (!window.trainPage()->startTraining())
        return 1;
    auto *progress = window.findChild<QProgressBar *>(QStringLiteral("trainingProgress"));
    if (!waitFor([&] { return progress->maximum() > 1 && progress->value() >= progress->maximum() * 6 / 10; },
            600000, "the run to get going"))
        return 1;
    if (!shoot(&window, shots, QStringLiteral("4-train-running")))
        return 1;
    if (!waitFor([&] { return !window.trainPage()->isRunning(); }, 600000, "the run to end"))
        return 1;
    if (!window.trainPage()->lastError().isEmpty()) {
        std::fprintf(stderr, "pairtune-screenshots: %s\n", qPrintable(window.trainPage()->lastError()));
        return 1;
    }
    if (!shoot(&window, shots, QStringLiteral("4-train")))
        return 1;

    // 5. Try & Export: the verdict, the similarity threshold, a held-out question, then an export.
    window.goNext();
    TryExportPage *tryExport = window.tryExportPage();
    VerdictPanel *verdict = tryExport->verdictPanel();
    tryExport->showView(TryExportPage::View::Verdict);
    if (!waitFor([&] { return !verdict->verdictText().isEmpty(); }, 120000, "the verdict"))
        return 1;
    if (!shoot(&window, shots, QStringLiteral("verdict-panel")))
        return 1;
    ThresholdPanel *threshold = tryExport->thresholdPanel();
    tryExport->showView(TryExportPage::View::Threshold);
    if (!waitFor([&] { return !threshold->curve().points.empty(); }, 180000, "the threshold curve"))
        return 1;
    if (!shoot(&window, shots, QStringLiteral("threshold-curve")))
        return 1;
    tryExport->showView(TryExportPage::View::Sizes); // MRR@10 at each Matryoshka size, before and after
    QTest::qWait(300);
    if (!shoot(&window, shots, QStringLiteral("matryoshka-sizes")))
        return 1;
    tryExport->showView(TryExportPage::View::Search);
    ComparePanel *compare = tryExport->comparePanel();
    if (!waitFor([&] { return compare->isReady(); }, 120000, "the comparison"))
        return 1;
    // A held-out question, so the true answer is marked in both lists.
    QString query = QString::fromStdString(compare->corpus()->queries.front());
    for (const std::string &candidate : compare->corpus()->queries)
        if (QString::fromStdString(candidate).startsWith(QStringLiteral("How do I update")))
            query = QString::fromStdString(candidate);
    compare->queryEdit()->setText(query);
    compare->search(compare->queryEdit()->text());
    if (!waitFor([&] { return !compare->isSearching(); }, 60000, "the search"))
        return 1;
    ExportPanel *exporter = window.tryExportPage()->exportPanel();
    exporter->setDestination(work.filePath(QStringLiteral("exports/support-model")));
    exporter->exportNow();
    if (!waitFor([&] { return !exporter->isExporting(); }, 60000, "the export")
        || !exporter->errorText().isEmpty())
        return 1;
    if (!shoot(&window, shots, QStringLiteral("5-try-export")))
        return 1;

    // The same model with ONNX and GGUF inside the folder, and the lines that run them (JavaScript's).
    if (!waitFor([&] { return exporter->formatsChecked(); }, 60000, "the format check"))
        return 1;
    ExportFormatChoice *formats = exporter->formatChoice();
    formats->onnxBox()->setChecked(true);
    formats->ggufBox()->setChecked(formats->ggufBox()->isEnabled());
    exporter->setDestination(work.filePath(QStringLiteral("exports/support-model-everywhere")));
    exporter->exportNow();
    if (!waitFor([&] { return !exporter->isExporting(); }, 120000, "the export with formats")
        || !exporter->errorText().isEmpty())
        return 1;
    exporter->showUsage(QStringLiteral("JavaScript · ONNX Runtime"));
    if (!shoot(&window, shots, QStringLiteral("tryexport-formats")))
        return 1;
    return 0;
}
