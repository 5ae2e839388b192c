#pragma once

#include "recipe/trainingconfig.h"
#include "train/trainer.h"
#include "ui/trainingcontroller.h"
#include "ui/wizardpage.h"

#include <QElapsedTimer>

#include <functional>
#include <optional>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

namespace pairtune {
struct RunRecord;
}

namespace pairtune::ui {

class MessageBanner;
class TrainingCharts;
class TrainingController;

// Step 4: the run. Chooses the run folder, starts the trainer through the TrainingController, and
// shows live charts, progress, and the engine's messages. Cancel keeps the last checkpoint; Resume
// continues from it. Errors appear as a message on the page, with Resume offered when a checkpoint
// exists.
class TrainPage : public WizardPage
{
    Q_OBJECT

public:
    // Builds the run's configuration for the given run folder (the settings, the model, the data
    // paths) and the cleaned copy of the data the worker writes into the folder, if any. May throw
    // pairtune::Error.
    using ConfigProvider = std::function<RunStart(const QString &runFolder)>;

    explicit TrainPage(QWidget *parent = nullptr);

    QString title() const override { return tr("Train"); }
    bool isComplete() const override;
    QString incompleteReason() const override;
    void enterPage() override;

    void setConfigProvider(ConfigProvider provider) { m_provider = std::move(provider); }
    // The model folder the speed measurement is remembered for (the settings page's ETA).
    void setModelFolder(const QString &folder) { m_modelFolder = folder; }
    void setRunFolder(const QString &folder);
    QString runFolder() const;

    TrainingController *controller() const { return m_controller; }
    bool isRunning() const;
    // The last run's outcome (finished or cancelled), empty before the first one ends.
    const std::optional<TrainingResult> &result() const { return m_result; }
    const TrainingConfig &runConfig() const { return m_config; }
    QString lastError() const { return m_lastError; }
    // The folder of the run the page shows (started, resumed or opened here); empty before any.
    QString shownRun() const { return m_activeRun; }
    // Whether Resume can continue the shown run: stopped or failed here or opened stopped, with a
    // checkpoint, and not being trained by another process.
    bool canResume() const;

    // Shows the run in `path` (trainpagerun.cpp) as if it had just ended here: charts and log replayed
    // from its metrics.jsonl, its settings and its outcome, so Try & Export (finished or stopped runs),
    // Resume (stopped runs) and a new run with its settings are offered. Returns what is wrong with
    // the folder, empty on success.
    QString openRun(const QString &path);
    TrainingCharts *charts() const { return m_charts; }

public Q_SLOTS:
    // A line in the run's log (the engine's own messages come here too).
    void appendLog(const QString &line);
    bool startTraining();
    void cancelTraining();
    bool resumeTraining();

Q_SIGNALS:
    void runFinished(const pairtune::TrainingResult &result);
    void runningChanged(bool running);
    // A run folder was opened (openRun): what the trainer would have returned for it.
    void runOpened(const pairtune::TrainingResult &result);
    // "New run with these settings" on an opened or finished run.
    void newRunRequested(const pairtune::TrainingConfig &config);

private:
    void onEvents(const std::vector<TrainingEvent> &events);
    void onFinished(const TrainingResult &result);
    void onFailed(const QString &message);
    // The progress, status line and message for a run that ended (here or, opened, before).
    void showOutcome(const TrainingResult &result);
    void showDistributedRun(const RunRecord &record);
    void updateButtons();
    void browseRunFolder();
    bool runHasCheckpoint() const;
    QString freshRunFolder() const;

    TrainingController *m_controller = nullptr;
    ConfigProvider m_provider;
    QString m_modelFolder;
    TrainingConfig m_config;
    std::optional<TrainingResult> m_result;
    QString m_activeRun; // folder of the run started or resumed last
    QString m_lastError;
    bool m_runFolderEdited = false;
    bool m_replaying = false; // appending an opened run's log: no clock times
    bool m_runElsewhere = false; // the opened run is being trained by another process
    // Processes that trained the opened run (torchrun); above 1 the studio, one process, cannot resume it.
    int m_activeProcesses = 1;
    std::int64_t m_totalSteps = 0;
    std::int64_t m_lastLoggedCheckpoint = -1;
    int m_totalEpochs = 0;

    QLineEdit *m_runFolder = nullptr;
    QPushButton *m_browse = nullptr;
    QPushButton *m_start = nullptr;
    QPushButton *m_cancel = nullptr;
    QPushButton *m_resume = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    MessageBanner *m_message = nullptr;
    TrainingCharts *m_charts = nullptr;
    QPlainTextEdit *m_log = nullptr;
};

} // namespace pairtune::ui
