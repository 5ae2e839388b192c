#pragma once

#include <QMainWindow>

class QAction;
class QLabel;
class QPushButton;
class QStackedWidget;

namespace pairtune::ui {

class DataPage;
class EngineLog;
class ModelPage;
class SettingsPage;
class StepIndicator;
class TrainPage;
class TryExportPage;
class WizardPage;

// The studio's window. It only wires things together: the five wizard pages (each its own class),
// the step list, Back/Next, menus and shortcuts, and the remembered window geometry. Closing it
// during training asks the trainer to stop after its current step and closes once it has.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    enum Step { DataStep, ModelStep, SettingsStep, TrainStep, TryExportStep, StepCount };

    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    int currentStep() const;
    bool goToStep(int step);
    WizardPage *page(int step) const;
    DataPage *dataPage() const { return m_data; }
    ModelPage *modelPage() const { return m_model; }
    SettingsPage *settingsPage() const { return m_settings; }
    TrainPage *trainPage() const { return m_train; }
    TryExportPage *tryExportPage() const { return m_tryExport; }
    QPushButton *backButton() const { return m_back; }
    QPushButton *nextButton() const { return m_next; }
    // The About box's text: Pairtune, Qt, QCustomPlot and compute backend versions.
    QString aboutText() const;

public Q_SLOTS:
    bool goBack();
    bool goNext();
    void showAbout();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createPages();
    void createMenus();
    void wirePages();
    void updateNavigation();
    // The furthest step reachable from the current state (every earlier page complete).
    int reachableStep() const;
    void updateReportContext();
    // True (and says why in the status bar) while a run uses the data and the model.
    bool refuseWhileTraining();

    StepIndicator *m_steps = nullptr;
    QStackedWidget *m_stack = nullptr;
    DataPage *m_data = nullptr;
    ModelPage *m_model = nullptr;
    SettingsPage *m_settings = nullptr;
    TrainPage *m_train = nullptr;
    TryExportPage *m_tryExport = nullptr;
    EngineLog *m_engineLog = nullptr;
    QPushButton *m_back = nullptr;
    QPushButton *m_next = nullptr;
    QLabel *m_reason = nullptr;
    QAction *m_backAction = nullptr;
    QAction *m_nextAction = nullptr;
    QAction *m_startAction = nullptr;
    QAction *m_cancelAction = nullptr;
    QAction *m_resumeAction = nullptr;
    bool m_closeWhenStopped = false;
};

} // namespace pairtune::ui
