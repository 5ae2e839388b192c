// TrainPage::openRun: a run folder from disk shown on the train page (the rest is trainpage.cpp).

#include "core/error.h"
#include "train/runrecord.h"
#include "ui/messagebanner.h"
#include "ui/runreplay.h"
#include "ui/trainingcharts.h"
#include "ui/trainpage.h"

#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>

#include <exception>

namespace pairtune::ui {

QString TrainPage::openRun(const QString &path)
{
    if (isRunning())
        return tr("Training is running: open the run once it stops.");
    const QString folder = QFileInfo(path).absoluteFilePath();
    RunRecord record;
    TrainingConfig config;
    try {
        record = readRunRecord(folder.toStdString());
        config = trainingConfigFromJson(record.config.at("training"), record.path + "/config.json");
    } catch (const std::exception &error) {
        return QString::fromUtf8(error.what());
    }
    config.outPath = record.path;
    m_config = config;
    m_result = trainingResultOf(record);
    m_activeRun = folder;
    m_runElsewhere = record.status == RunStatus::Running;
    m_runFolderEdited = false;
    m_lastError.clear();
    m_lastLoggedCheckpoint = -1;
    setRunFolder(folder);

    // The same path as live events: charts, progress and log come out as they were during the run.
    m_charts->clear();
    m_log->clear();
    m_replaying = true;
    appendLog(tr("Opened %1 (replayed from its metrics.jsonl).").arg(QDir::toNativeSeparators(folder)));
    onEvents(trainingEventsOf(record));
    m_replaying = false;

    showOutcome(*m_result);
    if (m_runElsewhere) {
        m_status->setText(
            tr("Being trained elsewhere: step %1 of %2 so far.").arg(record.lastStep).arg(record.totalSteps));
        m_message->showMessage(MessageBanner::Kind::Warning,
            tr("<b>Another process is training this run</b> (its metrics.jsonl changed in the last "
               "minutes). The charts show it up to now; open it again for newer steps. Resume is offered "
               "once it has stopped."));
    }
    m_message->addAction(tr("New run with these settings"), [this] { Q_EMIT newRunRequested(m_config); });
    updateButtons();
    Q_EMIT runOpened(*m_result);
    Q_EMIT completeChanged();
    return {};
}

} // namespace pairtune::ui
