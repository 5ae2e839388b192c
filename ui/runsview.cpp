#include "ui/runsview.h"

#include "core/error.h"
#include "train/exporter.h"
#include "train/runcomparison.h"
#include "ui/chartwidget.h"
#include "ui/preferences.h"
#include "ui/runcomparisonview.h"
#include "ui/runreplay.h"
#include "ui/trainingcharts.h"

#include <QDateTime>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <utility>

namespace pairtune::ui {
namespace {

const Preference<QStringList> recentRunsPreference { "runs/recent", {} };
constexpr int kMaxRecentRuns = 10;

QString statusText(const RunRecord &run)
{
    switch (run.status) {
    case RunStatus::Running:
        return RunsView::tr("running elsewhere");
    case RunStatus::Stopped:
        return RunsView::tr("stopped at step %1").arg(run.resumeStep.value_or(run.lastStep));
    case RunStatus::Finished:
        return RunsView::tr("finished");
    }
    return {};
}

QString dataText(const RunRecord &run)
{
    QStringList names;
    for (const RunDataFile &file : run.dataFiles)
        names << QFileInfo(QString::fromStdString(file.path)).fileName();
    return names.join(QStringLiteral(", "));
}

} // namespace

QStringList recentRuns()
{
    return recentRunsPreference.get();
}

void addRecentRun(const QString &path)
{
    QStringList recent = recentRunsPreference.get();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    recent.removeAll(absolute);
    recent.prepend(absolute);
    while (recent.size() > kMaxRecentRuns)
        recent.removeLast();
    recentRunsPreference.set(recent);
}

RunsView::RunsView(QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Runs"));
    m_parent = new QLineEdit(this);
    m_parent->setPlaceholderText(tr("Folder that holds run folders"));
    auto *browse = new QPushButton(tr("Choose…"), this);
    connect(browse, &QPushButton::clicked, this, &RunsView::browseParent);
    connect(m_parent, &QLineEdit::editingFinished, this, &RunsView::refresh);

    m_list = new QTreeWidget(this);
    m_list->setHeaderLabels(
        { tr("Run"), tr("Status"), tr("Model"), tr("Data"), tr("Settings"), tr("Best"), tr("Started") });
    m_list->setRootIsDecorated(false);
    m_list->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_list->setAlternatingRowColors(true);
    connect(m_list, &QTreeWidget::itemSelectionChanged, this, &RunsView::showCurrent);
    connect(m_list, &QTreeWidget::itemActivated, this, [this] {
        if (openCurrent())
            accept();
    });

    m_details = new QLabel(this);
    m_details->setObjectName(QStringLiteral("runDetails"));
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_charts = new TrainingCharts(this);

    m_export = new QPushButton(tr("Export model…"), this);
    connect(m_export, &QPushButton::clicked, this, &RunsView::exportInteractively);
    m_compare = new QPushButton(tr("Compare selected"), this);
    m_compare->setToolTip(tr("Select two or more runs (Ctrl+click) to see them side by side"));
    connect(m_compare, &QPushButton::clicked, this, [this] { compareSelected(); });
    m_useSettings = new QPushButton(tr("New run with these settings"), this);
    m_useSettings->setToolTip(
        tr("Puts this run's settings on the Settings page, for your current data and model"));
    connect(m_useSettings, &QPushButton::clicked, this, [this] {
        if (useCurrentSettings())
            accept();
    });
    m_open = new QPushButton(tr("&Open"), this);
    m_open->setObjectName(QStringLiteral("openRunButton"));
    m_open->setToolTip(tr("Shows this run on the Train page: its charts and log, Try & Export, and Resume "
                          "when it was stopped"));
    connect(m_open, &QPushButton::clicked, this, [this] {
        if (openCurrent())
            accept();
    });
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_open, QDialogButtonBox::AcceptRole);
    buttons->addButton(m_useSettings, QDialogButtonBox::ActionRole);
    buttons->addButton(m_export, QDialogButtonBox::ActionRole);
    buttons->addButton(m_compare, QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Runs in:"), this));
    top->addWidget(m_parent, 1);
    top->addWidget(browse);
    auto *lower = new QWidget(this);
    auto *lowerLayout = new QVBoxLayout(lower);
    lowerLayout->setContentsMargins(0, 0, 0, 0);
    lowerLayout->addWidget(m_details);
    lowerLayout->addWidget(m_charts, 1);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_list);
    splitter->addWidget(lower);
    splitter->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(splitter, 1);
    layout->addWidget(buttons);
    resize(1000, 720);

    m_parent->setText(prefs::lastRunsFolder.get());
    refresh();
}

void RunsView::setParentFolder(const QString &folder)
{
    m_parent->setText(folder);
    refresh();
}

QString RunsView::parentFolder() const
{
    return m_parent->text();
}

void RunsView::refresh()
{
    m_runs.clear();
    QStringList seen;
    if (!m_parent->text().isEmpty()) {
        for (RunRecord &run : listRunRecords(m_parent->text().toStdString())) {
            seen << QFileInfo(QString::fromStdString(run.path)).absoluteFilePath();
            m_runs.push_back(std::move(run));
        }
    }
    for (const QString &path : recentRuns()) {
        if (seen.contains(path) || !isRunFolder(path.toStdString()))
            continue;
        try {
            m_runs.push_back(readRunRecord(path.toStdString()));
        } catch (const Error &) {
            // Moved or damaged since it was used: the list shows the readable runs.
        }
    }
    m_list->clear();
    for (const RunRecord &run : m_runs) {
        const QString best = run.bestValue ? QStringLiteral("%1 %2")
                                                 .arg(QString::fromStdString(run.bestMetric))
                                                 .arg(*run.bestValue, 0, 'f', 4)
                                           : QStringLiteral("–");
        auto *item = new QTreeWidgetItem(m_list,
            { QString::fromStdString(run.name), statusText(run),
                QFileInfo(QString::fromStdString(run.baseModel)).fileName(), dataText(run),
                QString::fromStdString(run.settingsSummary()), best,
                QDateTime::fromSecsSinceEpoch(run.startedUnix)
                    .toString(QStringLiteral("yyyy-MM-dd hh:mm")) });
        item->setToolTip(0, QString::fromStdString(run.path));
        item->setToolTip(2, QString::fromStdString(run.baseModel));
    }
    for (int column = 0; column < m_list->columnCount(); ++column)
        m_list->resizeColumnToContents(column);
    showCurrent();
}

std::vector<const RunRecord *> RunsView::selectedRuns() const
{
    std::vector<const RunRecord *> runs;
    for (int row = 0; row < m_list->topLevelItemCount(); ++row) {
        if (m_list->topLevelItem(row)->isSelected())
            runs.push_back(&m_runs[static_cast<std::size_t>(row)]);
    }
    return runs;
}

void RunsView::showCurrent()
{
    const auto selected = selectedRuns();
    m_compare->setEnabled(selected.size() >= 2);
    const RunRecord *run = selected.size() == 1 ? selected.front() : nullptr;
    m_export->setEnabled(run && run->status == RunStatus::Finished);
    m_useSettings->setEnabled(run != nullptr);
    m_open->setEnabled(run != nullptr);
    m_charts->clear();
    // The charts' own empty text is the live run's ("Waiting for the first step…"): here it would say a
    // run is on its way where none is selected, or where a stored run simply recorded nothing.
    const std::pair<ChartWidget *, bool> charts[]
        = { { m_charts->lossChart(), false }, { m_charts->learningRateChart(), false },
              { m_charts->retrievalChart(), true }, { m_charts->similarityChart(), true } };
    for (const auto &[chart, evaluations] : charts) {
        if (!run)
            chart->setEmptyText(selected.empty() ? tr("Select a run to see its charts.")
                                                 : tr("Several runs selected: Compare draws them together."));
        else if (run->status == RunStatus::Running)
            chart->setEmptyText(
                evaluations ? tr("Waiting for the first evaluation…") : tr("Waiting for the first step…"));
        else
            chart->setEmptyText(evaluations ? tr("No evaluations recorded in this run.")
                                            : tr("No steps recorded in this run."));
    }
    if (!run) {
        m_charts->setTotalSteps(1); // not the x range of the run selected before
        m_details->setText(selected.empty()
                ? tr("Select a run to see its charts; select several to compare them.")
                : tr("%1 runs selected: Compare shows them side by side.").arg(selected.size()));
        return;
    }
    m_charts->addEvents(trainingEventsOf(*run));
    QString details
        = tr("<b>%1</b> — %2 · %3<br>Model: %4<br>Data: %5")
              .arg(QString::fromStdString(run->name).toHtmlEscaped(), statusText(*run),
                  QString::fromStdString(run->settingsSummary()).toHtmlEscaped(),
                  QString::fromStdString(run->baseModel).toHtmlEscaped(), dataText(*run).toHtmlEscaped());
    if (run->processes > 1) // batch_size is per process; the studio trains one process (docs/distributed.md)
        details += tr("<br>Trained under torchrun by %1 processes: Use settings gives one process batch %2, "
                      "the same global batch.")
                       .arg(run->processes)
                       .arg(run->globalBatchSize);
    if (run->status == RunStatus::Stopped && run->resumeStep && run->processes > 1)
        details
            += tr("<br>Continue it under torchrun with %1 processes in all, not in the studio: Open shows "
                  "the command.")
                   .arg(run->processes);
    else if (run->status == RunStatus::Stopped && run->resumeStep)
        details += tr("<br>Open it to continue it with Resume (as <tt>pairtune-cli train --resume %1</tt> "
                      "does).")
                       .arg(QString::fromStdString(run->path).toHtmlEscaped());
    m_details->setText(details);
}

bool RunsView::selectRun(const QString &path)
{
    const QString wanted = QFileInfo(path).absoluteFilePath();
    for (int row = 0; row < m_list->topLevelItemCount(); ++row) {
        if (QFileInfo(QString::fromStdString(m_runs[static_cast<std::size_t>(row)].path)).absoluteFilePath()
            == wanted) {
            m_list->clearSelection();
            m_list->setCurrentItem(m_list->topLevelItem(row));
            m_list->topLevelItem(row)->setSelected(true);
            return true;
        }
    }
    return false;
}

QString RunsView::currentRun() const
{
    const auto selected = selectedRuns();
    return selected.size() == 1 ? QString::fromStdString(selected.front()->path) : QString();
}

QString RunsView::exportCurrentRun(const QString &destination)
{
    const QString run = currentRun();
    if (run.isEmpty())
        return tr("Select one run to export.");
    try {
        exportFromRun(run.toStdString(), "final", destination.toStdString());
        addRecentRun(run);
        return {};
    } catch (const std::exception &e) {
        return QString::fromStdString(e.what());
    }
}

void RunsView::exportInteractively()
{
    const QString destination = QFileDialog::getSaveFileName(this, tr("Export the model to a new folder"),
        prefs::lastExportFolder.get(), {}, nullptr, QFileDialog::ShowDirsOnly);
    if (destination.isEmpty())
        return;
    prefs::lastExportFolder.set(QFileInfo(destination).absolutePath());
    const QString error = exportCurrentRun(destination);
    if (!error.isEmpty())
        QMessageBox::warning(this, tr("Export failed"), error);
}

void RunsView::browseParent()
{
    const QString folder
        = QFileDialog::getExistingDirectory(this, tr("Folder that holds run folders"), m_parent->text());
    if (folder.isEmpty())
        return;
    prefs::lastRunsFolder.set(folder);
    setParentFolder(folder);
}

bool RunsView::useCurrentSettings()
{
    const auto selected = selectedRuns();
    if (selected.size() != 1)
        return false;
    const RunRecord &run = *selected.front();
    try {
        Q_EMIT useSettingsRequested(run.singleProcessConfig()); // a torchrun run: its global batch
        return true;
    } catch (const std::exception &e) {
        QMessageBox::warning(this, tr("Cannot use these settings"), QString::fromStdString(e.what()));
        return false;
    }
}

bool RunsView::openCurrent()
{
    const QString run = currentRun();
    if (run.isEmpty())
        return false;
    Q_EMIT openRequested(run);
    return true;
}

QDialog *RunsView::compareSelected()
{
    std::vector<RunRecord> runs;
    for (const RunRecord *run : selectedRuns())
        runs.push_back(*run);
    if (runs.size() < 2)
        return nullptr;
    auto *dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Compare runs"));
    auto *view = new RunComparisonView(dialog);
    view->setObjectName(QStringLiteral("runComparison"));
    view->setComparison(compareRuns(std::move(runs)));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(view, 1);
    layout->addWidget(buttons);
    dialog->resize(1100, 760);
    dialog->show();
    return dialog;
}

} // namespace pairtune::ui
