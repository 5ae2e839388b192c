#pragma once

#include <QMainWindow>
#include <QStringList>

#include <memory>

class QAction;
class QLabel;
class QPushButton;
class QStackedWidget;

namespace pairtune {
struct TrainingConfig;
}

namespace pairtune::ui {

class ClusterCommandDialog;
class DataPage;
class EngineLog;
class LoadedModel;
class MessageBanner;
class MiningPage;
class ModelPage;
class SettingsPage;
class StepIndicator;
class TrainPage;
class TryExportPage;
class WizardPage;

// The studio's window. It only wires things together: the six wizard pages (each its own class),
// the step list, Back/Next, menus and shortcuts, and the remembered window geometry. Closing it
// during training asks the trainer to stop after its current step and closes once it has. Closing
// saves the session (data, mapping, fixes, model, settings, shown run) and the next window restores
// it (mainwindowsession.cpp), saying what it could not find.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    enum Step { DataStep, ModelStep, MiningStep, SettingsStep, TrainStep, TryExportStep, StepCount };

    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    int currentStep() const;
    bool goToStep(int step);
    WizardPage *page(int step) const;
    DataPage *dataPage() const { return m_data; }
    ModelPage *modelPage() const { return m_model; }
    MiningPage *miningPage() const { return m_mining; }
    SettingsPage *settingsPage() const { return m_settings; }
    TrainPage *trainPage() const { return m_train; }
    TryExportPage *tryExportPage() const { return m_tryExport; }
    QPushButton *backButton() const { return m_back; }
    QPushButton *nextButton() const { return m_next; }
    // The About box's text: Pairtune, Qt, QCustomPlot and compute backend versions.
    QString aboutText() const;
    // What the last session named that could not be restored (missing files, a moved run), one
    // sentence each; also shown above the pages.
    QStringList sessionProblems() const { return m_sessionProblems; }
    void saveSession() const;
    // "Run on a cluster…" on the Settings page: the torchrun command for the settings and this session's
    // data, base model and run folder (mainwindowcluster.cpp). The dialog deletes itself on close.
    ClusterCommandDialog *showClusterCommand();

public Q_SLOTS:
    bool goBack();
    bool goNext();
    void showAbout();
    // Shows a run folder on the Train page (File → Open run…, Runs view, recent runs). False, with
    // the reason in the status bar, when it cannot.
    bool openRun(const QString &path);
    // "New run with these settings": the run's recipe on the Settings page; its data and base model
    // are loaded where none are chosen yet.
    void useRunSettings(const pairtune::TrainingConfig &run);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createPages();
    void createMenus();
    void wirePages();
    void updateNavigation();
    // The furthest step reachable from the current state (every earlier page complete), or the
    // Train / Try & Export pages of a run opened from disk.
    int reachableStep() const;
    int wizardReachableStep() const;
    void restoreSession();
    void chooseModel(
        const QString &source, const QString &folder, const QString &repo, const QString &revision);
    // The loaded model when it is the base of `config` (else the comparison loads the base itself).
    std::shared_ptr<const LoadedModel> baseModelOf(const pairtune::TrainingConfig &config) const;
    void updateReportContext();
    // The pairs the Settings page estimates for: the mined ones when there are, else the Data page's.
    void updateSettingsData();
    // True (and says why in the status bar) while a run uses the data and the model.
    bool refuseWhileTraining();

    StepIndicator *m_steps = nullptr;
    QStackedWidget *m_stack = nullptr;
    DataPage *m_data = nullptr;
    ModelPage *m_model = nullptr;
    MiningPage *m_mining = nullptr;
    SettingsPage *m_settings = nullptr;
    TrainPage *m_train = nullptr;
    TryExportPage *m_tryExport = nullptr;
    EngineLog *m_engineLog = nullptr;
    QPushButton *m_back = nullptr;
    QPushButton *m_next = nullptr;
    QLabel *m_reason = nullptr;
    MessageBanner *m_sessionMessage = nullptr;
    QStringList m_sessionProblems;
    QAction *m_backAction = nullptr;
    QAction *m_nextAction = nullptr;
    QAction *m_startAction = nullptr;
    QAction *m_cancelAction = nullptr;
    QAction *m_resumeAction = nullptr;
    bool m_closeWhenStopped = false;
    bool m_saveSessionOnChange = false;
};

} // namespace pairtune::ui
