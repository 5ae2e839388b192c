#include "ui/tryexportpage.h"

#include "ui/comparepanel.h"
#include "ui/exportpanel.h"
#include "ui/loadedmodel.h"
#include "ui/matryoshkapanel.h"
#include "ui/thresholdpanel.h"
#include "ui/verdictpanel.h"

#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QScrollArea>
#include <QTabWidget>
#include <QVBoxLayout>

namespace pairtune::ui {
namespace {

bool isModelFolder(const QString &folder)
{
    return !folder.isEmpty() && QFileInfo::exists(QDir(folder).filePath(QStringLiteral("modules.json")));
}

// The newest checkpoint's model folder: what exportFromRun calls "last".
QString lastCheckpointModel(const QString &runPath)
{
    const QDir checkpoints(QDir(runPath).filePath(QStringLiteral("checkpoints")));
    qlonglong newest = -1;
    for (const QString &name : checkpoints.entryList({ QStringLiteral("step-*") }, QDir::Dirs)) {
        bool ok = false;
        const qlonglong step = name.mid(5).toLongLong(&ok);
        if (ok && step > newest
            && QFileInfo::exists(checkpoints.filePath(name + QStringLiteral("/trainer_state.json"))))
            newest = step;
    }
    return newest < 0 ? QString() : checkpoints.filePath(QStringLiteral("step-%1/model").arg(newest));
}

} // namespace

TryExportPage::TryExportPage(QWidget *parent)
    : WizardPage(parent)
{
    m_which = new QComboBox(this);
    m_which->setObjectName(QStringLiteral("modelChoice"));
    m_which->setToolTip(
        tr("Final: the model after the last step. Best: the model of the best evaluation. Last "
           "checkpoint: the newest checkpoint (e.g. of a cancelled run)."));
    connect(m_which, &QComboBox::currentIndexChanged, this, &TryExportPage::modelChosen);
    m_runInfo = new QLabel(this);
    m_runInfo->setWordWrap(true);
    m_compare = new ComparePanel(this);
    m_export = new ExportPanel(this);

    auto *whichLabel = new QLabel(tr("&Model:"), this);
    whichLabel->setBuddy(m_which);
    auto *choice = new QHBoxLayout;
    choice->addWidget(whichLabel);
    choice->addWidget(m_which);
    choice->addWidget(m_runInfo, 1);

    // Three views of the chosen model share the space above the export: the verdict (issue 21), the
    // similarity threshold (issue 21 part 2) and the before/after search. Stacked, none had the height
    // to be read on a laptop screen; as tabs each gets all of it.
    m_views = new QTabWidget(this);
    m_views->setDocumentMode(true);

    // Issue 21: the verdict with its evidence; a row's query runs in the before/after search.
    // The verdict and threshold tabs scroll rather than set the window's smallest height (1024x700 must fit).
    const auto scrolling = [this](QWidget *panel) {
        auto *area = new QScrollArea(this);
        area->setWidgetResizable(true);
        area->setFrameShape(QFrame::NoFrame);
        area->setWidget(panel);
        return area;
    };
    m_verdict = new VerdictPanel(this);
    m_views->addTab(scrolling(m_verdict), tr("Did it help? Verdict"));

    // Issue 21 part 2: the cosine threshold for "is this a match?", stored with the model for the export.
    m_threshold = new ThresholdPanel(this);
    m_views->addTab(scrolling(m_threshold), tr("Is it a match? Threshold"));

    m_views->addTab(m_compare, tr("Try it: search before and after"));

    // Issue 20: MRR@10 at each Matryoshka size, before and after (a run without sizes says how to get them).
    m_sizes = new MatryoshkaPanel(this);
    m_views->addTab(scrolling(m_sizes), tr("Smaller vectors? Sizes"));
    connect(m_verdict, &VerdictPanel::querySelected, this, [this](const QString &query) {
        showView(View::Search);
        m_compare->queryEdit()->setText(query);
        m_compare->search(query);
    });

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(createHeader(tr("Try and export"),
        tr("Search the held-out texts with the base model and the tuned model side by side, then export the "
           "tuned model for Python (sentence-transformers), ONNX Runtime or llama.cpp.")));
    layout->addLayout(choice);
    layout->addWidget(m_views, 1);
    layout->addWidget(m_export);
}

void TryExportPage::showView(View view)
{
    m_views->setCurrentIndex(static_cast<int>(view));
}

QString TryExportPage::modelFolder(const QString &which) const
{
    const QString run = QString::fromStdString(m_result.runPath);
    if (which == QLatin1String("final"))
        return QString::fromStdString(m_result.modelPath);
    if (which == QLatin1String("best"))
        return QString::fromStdString(m_result.bestModelPath);
    if (which == QLatin1String("last"))
        return lastCheckpointModel(run);
    return {};
}

void TryExportPage::setRun(
    const TrainingConfig &config, const TrainingResult &result, std::shared_ptr<const LoadedModel> base)
{
    m_config = config;
    m_result = result;
    const QSignalBlocker blocker(m_which);
    m_which->clear();
    if (isModelFolder(modelFolder(QStringLiteral("final"))))
        m_which->addItem(tr("Final model (step %1)").arg(result.steps), QStringLiteral("final"));
    if (isModelFolder(modelFolder(QStringLiteral("best"))))
        m_which->addItem(tr("Best evaluation (step %1, %2 %3)")
                             .arg(result.bestStep)
                             .arg(QString::fromStdString(config.bestMetric))
                             .arg(result.bestValue, 0, 'f', 3),
            QStringLiteral("best"));
    const QString last = modelFolder(QStringLiteral("last"));
    if (isModelFolder(last))
        m_which->addItem(tr("Last checkpoint (%1)").arg(QFileInfo(QFileInfo(last).path()).fileName()),
            QStringLiteral("last"));
    // When an earlier evaluation beat the last one, the best model is the one a person most likely
    // wants to try and export, so it is chosen first; the final model stays one click away.
    const int best = m_which->findData(QStringLiteral("best"));
    if (best >= 0 && result.bestStep >= 0 && result.bestStep < result.steps)
        m_which->setCurrentIndex(best);
    m_runInfo->setText(tr("Run %1%2")
                           .arg(QDir::toNativeSeparators(QString::fromStdString(result.runPath)),
                               result.cancelled ? tr(" (stopped early)") : QString()));
    // The comparison searches the run's own held-out pairs (RUN/eval-pairs.tsv, matchsearch.h), so it
    // needs the run's folder, whatever outPath the configuration was given.
    TrainingConfig run = config;
    if (!result.runPath.empty())
        run.outPath = result.runPath;
    m_compare->setRun(run, std::move(base));
    m_export->setRun(QString::fromStdString(result.runPath));
    m_verdict->setRun(QString::fromStdString(result.runPath));
    m_sizes->setRun(config, result);
    modelChosen();
}

bool TryExportPage::chooseModel(const QString &which)
{
    const int index = m_which->findData(which);
    if (index < 0)
        return false;
    m_which->setCurrentIndex(index);
    modelChosen();
    return true;
}

QString TryExportPage::chosenModel() const
{
    return m_which->currentData().toString();
}

void TryExportPage::modelChosen()
{
    const QString which = chosenModel();
    if (which.isEmpty())
        return;
    const QString label = m_which->currentText();
    m_compare->setTunedModel(modelFolder(which), label);
    m_export->setModelFolder(modelFolder(which));
    m_threshold->setSource(modelFolder(which),
        QDir(QString::fromStdString(m_result.runPath)).filePath(QStringLiteral("eval-pairs.tsv")));
    m_export->setWhich(which,
        which == QLatin1String("final")      ? tr("final model")
            : which == QLatin1String("best") ? tr("best model")
                                             : tr("last checkpoint"));
}

} // namespace pairtune::ui
