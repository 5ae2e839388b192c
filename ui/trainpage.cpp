#include "ui/trainpage.h"

#include "ui/messagebanner.h"
#include "ui/preferences.h"
#include "ui/runestimate.h"
#include "ui/textformat.h"
#include "ui/trainingcharts.h"
#include "ui/trainingcontroller.h"
#include "ui/traininglogtext.h"

#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QStandardPaths>
#include <QStyle>
#include <QVBoxLayout>

#include <exception>

namespace pairtune::ui {
namespace {

QString duration(double seconds)
{
    return QString::fromStdString(formatDuration(seconds));
}

QString metricText(const std::map<std::string, double> &metrics, const char *key)
{
    const auto it = metrics.find(key);
    return it == metrics.end() ? QStringLiteral("–") : QString::number(it->second, 'f', 3);
}

} // namespace

TrainPage::TrainPage(QWidget *parent)
    : WizardPage(parent)
{
    m_controller = new TrainingController(this);
    connect(m_controller, &TrainingController::eventsReady, this, &TrainPage::onEvents);
    connect(m_controller, &TrainingController::finished, this, &TrainPage::onFinished);
    connect(m_controller, &TrainingController::failed, this, &TrainPage::onFailed);
    connect(m_controller, &TrainingController::runningChanged, this, [this](bool running) {
        updateButtons();
        Q_EMIT runningChanged(running);
        Q_EMIT completeChanged();
    });

    m_runFolder = new QLineEdit(this);
    m_runFolder->setObjectName(QStringLiteral("runFolder"));
    m_runFolder->setToolTip(
        tr("A new folder for this run: checkpoints, metrics, the final model and its settings "
           "(config.json) go there."));
    connect(m_runFolder, &QLineEdit::textEdited, this, [this] { m_runFolderEdited = true; });
    m_browse = new QPushButton(style()->standardIcon(QStyle::SP_DirOpenIcon), tr("Choose…"), this);
    connect(m_browse, &QPushButton::clicked, this, &TrainPage::browseRunFolder);
    m_start = new QPushButton(style()->standardIcon(QStyle::SP_MediaPlay), tr("&Start training"), this);
    m_start->setObjectName(QStringLiteral("startTraining"));
    m_cancel = new QPushButton(style()->standardIcon(QStyle::SP_MediaStop), tr("&Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("cancelTraining"));
    m_cancel->setToolTip(
        tr("Stop after the current step. The last checkpoint is kept and Resume continues from it."));
    m_resume = new QPushButton(style()->standardIcon(QStyle::SP_MediaSeekForward), tr("&Resume"), this);
    m_resume->setObjectName(QStringLiteral("resumeTraining"));
    m_resume->setToolTip(tr("Continue the stopped run from its newest checkpoint, to the same result as an "
                            "uninterrupted run."));
    connect(m_start, &QPushButton::clicked, this, &TrainPage::startTraining);
    connect(m_cancel, &QPushButton::clicked, this, &TrainPage::cancelTraining);
    connect(m_resume, &QPushButton::clicked, this, &TrainPage::resumeTraining);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("trainingProgress"));
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setFormat(QStringLiteral("%p%"));
    m_status = new QLabel(tr("Not started."), this);
    m_status->setObjectName(QStringLiteral("trainingStatus"));
    m_message = new MessageBanner(this);
    m_message->setObjectName(QStringLiteral("trainMessage"));
    m_charts = new TrainingCharts(this);
    m_log = new QPlainTextEdit(this);
    m_log->setObjectName(QStringLiteral("trainingLog"));
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(2000);
    m_log->setPlaceholderText(tr("Evaluations, checkpoints and messages of the run appear here."));

    auto *folderRow = new QHBoxLayout;
    folderRow->addWidget(new QLabel(tr("Run folder:"), this));
    folderRow->addWidget(m_runFolder, 1);
    folderRow->addWidget(m_browse);
    folderRow->addSpacing(fontMetrics().averageCharWidth() * 2);
    folderRow->addWidget(m_start);
    folderRow->addWidget(m_cancel);
    folderRow->addWidget(m_resume);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_charts);
    splitter->addWidget(m_log);
    splitter->setStretchFactor(0, 5);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(createHeader(tr("Train"),
        tr("Training runs in the background: the window stays usable and the charts update as it goes.")));
    layout->addLayout(folderRow);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(m_message);
    layout->addWidget(splitter, 1);
    updateButtons();
}

bool TrainPage::isRunning() const
{
    return m_controller->isRunning();
}

bool TrainPage::isComplete() const
{
    return !isRunning() && m_result && (!m_result->modelPath.empty() || runHasCheckpoint());
}

QString TrainPage::incompleteReason() const
{
    if (isRunning())
        return tr("Training is running.");
    return tr("Train a model first.");
}

void TrainPage::enterPage()
{
    if (isRunning())
        return;
    if (!m_activeRun.isEmpty()) {
        // The page shows this run's charts and log: the field names its folder until the user types
        // another one (Start then puts a new run in a fresh folder, see startTraining).
        if (!m_runFolderEdited)
            setRunFolder(m_activeRun);
        return;
    }
    const QString folder = runFolder();
    if (folder.isEmpty() || !m_runFolderEdited
        || QFileInfo::exists(QDir(folder).filePath(QStringLiteral("config.json"))))
        setRunFolder(freshRunFolder());
}

void TrainPage::setRunFolder(const QString &folder)
{
    m_runFolder->setText(QDir::toNativeSeparators(folder));
}

QString TrainPage::runFolder() const
{
    return QDir::fromNativeSeparators(m_runFolder->text().trimmed());
}

QString TrainPage::freshRunFolder() const
{
    QString parent = prefs::lastRunsFolder.get();
    if (parent.isEmpty())
        parent = QDir(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation))
                     .filePath(QStringLiteral("Pairtune runs"));
    const QString stem
        = QStringLiteral("run-") + QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    QString candidate = QDir(parent).filePath(stem);
    for (int i = 2; QFileInfo::exists(candidate); ++i)
        candidate = QDir(parent).filePath(stem + QStringLiteral("-%1").arg(i));
    return candidate;
}

void TrainPage::browseRunFolder()
{
    const QString parent = QFileInfo(runFolder()).absolutePath();
    const QString folder
        = QFileDialog::getExistingDirectory(this, tr("Choose the folder for this run"), parent);
    if (folder.isEmpty())
        return;
    // An existing run stays untouched: put the new run in a fresh folder inside the chosen one.
    const bool empty = QDir(folder).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot);
    setRunFolder(empty ? folder : QDir(folder).filePath(QFileInfo(freshRunFolder()).fileName()));
    m_runFolderEdited = true;
}

bool TrainPage::startTraining()
{
    if (isRunning() || !m_provider)
        return false;
    QString folder = runFolder();
    // Start on a page that shows a run (its folder in the field) means a new run next to it.
    if (!m_activeRun.isEmpty() && !folder.isEmpty()
        && QFileInfo(folder).absoluteFilePath() == QFileInfo(m_activeRun).absoluteFilePath()) {
        folder = freshRunFolder();
        setRunFolder(folder);
    }
    if (folder.isEmpty()) {
        m_message->showMessage(MessageBanner::Kind::Error, tr("Choose a folder for the run."));
        return false;
    }
    if (QFileInfo::exists(QDir(folder).filePath(QStringLiteral("config.json")))) {
        m_message->showMessage(MessageBanner::Kind::Error,
            tr("<b>%1 already holds a training run.</b> Pairtune never overwrites a run: choose another "
               "folder.")
                .arg(QDir::toNativeSeparators(folder).toHtmlEscaped()));
        m_message->addAction(tr("Use a new folder"), [this] {
            setRunFolder(freshRunFolder());
            m_message->clear();
        });
        return false;
    }
    if (!QDir().mkpath(folder)) {
        m_message->showMessage(MessageBanner::Kind::Error,
            tr("<b>The run folder cannot be created.</b> %1 is not writable; choose another place.")
                .arg(QDir::toNativeSeparators(folder).toHtmlEscaped()));
        return false;
    }
    PairsToWrite preparedPairs;
    try {
        RunStart run = m_provider(folder);
        m_config = std::move(run.config);
        preparedPairs = std::move(run.pairs);
    } catch (const std::exception &error) {
        m_message->showMessage(MessageBanner::Kind::Error,
            tr("<b>The run could not be prepared.</b> %1")
                .arg(QString::fromUtf8(error.what()).toHtmlEscaped()));
        return false;
    }
    m_config.outPath = folder.toStdString();
    prefs::lastRunsFolder.set(QFileInfo(folder).absolutePath());
    m_result.reset();
    m_lastError.clear();
    m_activeRun = folder;
    m_runElsewhere = false;
    m_activeProcesses = 1;
    m_runFolderEdited = false;
    m_charts->clear();
    m_log->clear();
    m_message->clear();
    m_progress->setRange(0, 0); // busy until the trainer knows its total
    m_status->setText(tr("Loading the model and preparing the data…"));
    appendLog(tr("Run folder: %1").arg(QDir::toNativeSeparators(folder)));
    if (m_config.dataPaths.size() == 1
        && QFileInfo(QString::fromStdString(m_config.dataPaths.front())).absolutePath()
            == QFileInfo(folder).absoluteFilePath())
        appendLog(tr("Training on the cleaned copy of the data: %1")
                      .arg(QDir::toNativeSeparators(QString::fromStdString(m_config.dataPaths.front()))));
    return m_controller->start(m_config, std::move(preparedPairs));
}

void TrainPage::cancelTraining()
{
    if (!isRunning())
        return;
    m_controller->requestStop();
    m_status->setText(tr("Stopping after the current step…"));
    updateButtons();
}

bool TrainPage::resumeTraining()
{
    if (isRunning() || m_activeRun.isEmpty() || m_runElsewhere || m_activeProcesses > 1)
        return false;
    m_result.reset();
    m_lastError.clear();
    m_message->clear();
    m_progress->setRange(0, 0);
    m_status->setText(tr("Resuming from the newest checkpoint…"));
    setRunFolder(m_activeRun); // the field names the run that continues, not a folder typed since
    m_runFolderEdited = false;
    appendLog(tr("Resuming %1").arg(QDir::toNativeSeparators(m_activeRun)));
    return m_controller->resume(m_activeRun, m_config.threads);
}

void TrainPage::onEvents(const std::vector<TrainingEvent> &events)
{
    const TrainingEvent *lastStep = nullptr;
    for (const TrainingEvent &event : events) {
        switch (event.type) {
        case TrainingEvent::Type::Started:
            m_totalSteps = event.totalSteps;
            m_totalEpochs = event.totalEpochs;
            if (event.step > 0)
                m_charts->removeAfter(event.step);
            m_progress->setRange(0, int(std::max<std::int64_t>(1, m_totalSteps)));
            m_progress->setValue(int(event.step));
            m_status->setText(event.step == 0 ? tr("Evaluating the model before training (the baseline)…")
                                              : tr("Resumed at step %1.").arg(event.step));
            break;
        case TrainingEvent::Type::Step:
            lastStep = &event;
            break;
        case TrainingEvent::Type::Checkpoint:
            // An epoch end can rewrite the checkpoint of the same step (with the new position).
            if (event.step == m_lastLoggedCheckpoint)
                continue;
            m_lastLoggedCheckpoint = event.step;
            break;
        default:
            break;
        }
        const QString line = trainingLogLine(event);
        if (!line.isEmpty())
            appendLog(line);
    }
    m_charts->addEvents(events);
    if (lastStep) {
        m_progress->setValue(int(std::min<std::int64_t>(lastStep->step, m_progress->maximum())));
        const QString text = tr("Epoch %1 of %2 · step %3 of %4 · elapsed %5 · about %6 left · %7 pairs/s")
                                 .arg(lastStep->epoch + 1)
                                 .arg(m_totalEpochs)
                                 .arg(lastStep->step)
                                 .arg(m_totalSteps)
                                 .arg(duration(lastStep->elapsedSeconds), duration(lastStep->etaSeconds),
                                     QLocale().toString(lastStep->pairsPerSecond, 'f', 1));
        if (!m_controller->stopRequested())
            m_status->setText(text);
    }
}

void TrainPage::onFinished(const TrainingResult &result)
{
    m_result = result;
    setRunFolder(m_activeRun);
    prefs::recordThroughput(m_modelFolder, result.pairsPerSecond);
    showOutcome(result);
    updateButtons();
    Q_EMIT runFinished(result);
    Q_EMIT completeChanged();
}

void TrainPage::showOutcome(const TrainingResult &result)
{
    m_progress->setRange(0, int(std::max<std::int64_t>(1, result.totalSteps)));
    m_progress->setValue(int(result.steps));
    if (result.cancelled) {
        m_status->setText(tr("Stopped at step %1 of %2.").arg(result.steps).arg(result.totalSteps));
        m_message->showMessage(MessageBanner::Kind::Info,
            tr("Training stopped at step %1 of %2. The checkpoint of step %1 is kept in the run folder: "
               "<b>Resume</b> continues from it, or go on to try and export it.")
                .arg(result.steps)
                .arg(result.totalSteps));
        return;
    }
    m_status->setText(result.pairsPerSecond > 0
            ? tr("Finished %1 steps in %2 of training (%3 pairs/s).")
                  .arg(result.steps)
                  .arg(duration(result.trainSeconds), QLocale().toString(result.pairsPerSecond, 'f', 1))
            : tr("Finished %1 steps.").arg(result.steps));
    QString text = tr("<b>Training finished.</b>");
    // Before and after score all held-out pairs; the best checkpoint was chosen on the fixed sample
    // when there is one (the trainer's evaluation budget, eval_sample): say which numbers are which.
    const QString all = result.evalPairs > 0
        ? tr("all %1").arg(countOf(qint64(result.evalPairs), tr("held-out pair"), tr("held-out pairs")))
        : tr("the held-out pairs");
    const bool sampled = m_config.evalSample > 0 && result.evalPairs > std::size_t(m_config.evalSample);
    const QString bestOn = sampled
        ? tr("a fixed sample of %1 held-out pairs").arg(QLocale().toString(qlonglong(m_config.evalSample)))
        : tr("the held-out pairs");
    if (!result.evalBefore.empty())
        text += tr(" On %5, mrr@10 went from %1 to %2 and accuracy@1 from %3 to %4.")
                    .arg(metricText(result.evalBefore, "mrr@10"), metricText(result.evalAfter, "mrr@10"),
                        metricText(result.evalBefore, "accuracy@1"),
                        metricText(result.evalAfter, "accuracy@1"), all);
    // The final step is not always the best one: say which checkpoint the best metric picked, since
    // that is the one Try & Export offers as "best".
    if (result.bestStep >= 0 && result.bestStep != result.steps && !m_config.bestMetric.empty())
        text += tr(" The best %1 on %4, %2, was at step %3: its checkpoint is kept as "
                   "<i>best</i>.")
                    .arg(QString::fromStdString(m_config.bestMetric).toHtmlEscaped(),
                        QLocale().toString(result.bestValue, 'f', 4))
                    .arg(result.bestStep)
                    .arg(bestOn);
    text += tr(" Next: try the model and export it.");
    m_message->showMessage(MessageBanner::Kind::Info, text);
}

void TrainPage::onFailed(const QString &message)
{
    m_lastError = message;
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_status->setText(tr("Training stopped with an error."));
    appendLog(tr("Error: %1").arg(message));
    m_message->showMessage(MessageBanner::Kind::Error,
        tr("<b>Training stopped.</b> %1").arg(message.toHtmlEscaped())
            + (runHasCheckpoint() ? tr("<br>The last checkpoint is kept: fix the cause, then Resume.")
                                  : QString()));
    if (runHasCheckpoint())
        m_message->addAction(tr("Resume"), [this] { resumeTraining(); });
    updateButtons();
    Q_EMIT completeChanged();
}

void TrainPage::updateButtons()
{
    const bool running = isRunning();
    m_start->setEnabled(!running);
    m_runFolder->setEnabled(!running);
    m_browse->setEnabled(!running);
    m_cancel->setEnabled(running && !m_controller->stopRequested());
    m_resume->setEnabled(canResume());
}

bool TrainPage::canResume() const
{
    return !isRunning() && !m_activeRun.isEmpty() && !m_runElsewhere && m_activeProcesses == 1
        && runHasCheckpoint() && (!m_lastError.isEmpty() || (m_result && m_result->cancelled));
}

void TrainPage::appendLog(const QString &line)
{
    // Lines replayed from an opened run's metrics.jsonl carry no time: they were not logged now.
    m_log->appendPlainText(
        (m_replaying ? QString() : QTime::currentTime().toString(QStringLiteral("HH:mm:ss  "))) + line);
}

bool TrainPage::runHasCheckpoint() const
{
    if (m_activeRun.isEmpty())
        return false;
    const QDir checkpoints(QDir(m_activeRun).filePath(QStringLiteral("checkpoints")));
    for (const QString &name : checkpoints.entryList({ QStringLiteral("step-*") }, QDir::Dirs)) {
        if (QFileInfo::exists(checkpoints.filePath(name + QStringLiteral("/trainer_state.json"))))
            return true;
    }
    return false;
}

} // namespace pairtune::ui
