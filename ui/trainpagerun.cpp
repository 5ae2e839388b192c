// TrainPage::openRun: a run folder from disk shown on the train page (the rest is trainpage.cpp).

#include "core/error.h"
#include "recipe/traincommandline.h"
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
    TrainingConfig newRun; // under torchrun: one process at the global batch (RunRecord::singleProcessConfig)
    try {
        record = readRunRecord(folder.toStdString());
        config = trainingConfigFromJson(record.config.at("training"), record.path + "/config.json");
        newRun = record.singleProcessConfig();
    } catch (const std::exception &error) {
        return QString::fromUtf8(error.what());
    }
    config.outPath = record.path;
    m_config = config;
    m_result = trainingResultOf(record);
    m_activeRun = folder;
    m_runElsewhere = record.status == RunStatus::Running;
    m_activeProcesses = record.processes;
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
    newRun.outPath = record.path;
    if (record.processes > 1)
        showDistributedRun(record);
    if (m_runElsewhere) {
        m_status->setText(
            tr("Being trained elsewhere: step %1 of %2 so far.").arg(record.lastStep).arg(record.totalSteps));
        m_message->showMessage(MessageBanner::Kind::Warning,
            tr("<b>Another process is training this run</b> (its metrics.jsonl changed in the last "
               "minutes). The charts show it up to now; open it again for newer steps. Resume is offered "
               "once it has stopped."));
    }
    m_message->addAction(
        tr("New run with these settings"), [this, newRun] { Q_EMIT newRunRequested(newRun); });
    updateButtons();
    Q_EMIT runOpened(*m_result);
    Q_EMIT completeChanged();
    return {};
}

// A run trained by N processes under torchrun: its batch_size is per process. The studio trains one
// process, so it could only resume it with another global batch (the engine refuses that too): say so
// and give the exact command, and offer a new run at the global batch, which draws the same batches.
void TrainPage::showDistributedRun(const RunRecord &record)
{
    const QString batch = QString::fromStdString(record.batchSummary());
    appendLog(tr("Trained under torchrun: %1.").arg(batch));
    QString text
        = tr("<b>Trained under torchrun:</b> %1 (batch size is per process).").arg(batch.toHtmlEscaped());
    if (runHasCheckpoint() && m_result && m_result->cancelled) {
        TorchrunLaunch launch;
        launch.processesPerNode = record.processes;
        const std::string command = torchrunCommand(launch, { "train", "--resume", record.path });
        text += tr("<br>The studio trains one process, so it cannot continue this run exactly. Resume it "
                   "under torchrun with %1 processes in all (--nproc_per_node × --nnodes):<pre>%2</pre>")
                    .arg(record.processes)
                    .arg(QString::fromStdString(command).toHtmlEscaped());
    }
    text += tr("<br><b>New run with these settings</b> trains one process at batch %1: the same batches "
               "and in-batch negatives.")
                .arg(record.globalBatchSize);
    m_message->showMessage(MessageBanner::Kind::Info, text);
}

} // namespace pairtune::ui
