#pragma once

#include "recipe/trainingconfig.h"
#include "train/runrecord.h"

#include <QDialog>

#include <vector>

class QLabel;
class QLineEdit;
class QPushButton;
class QTreeWidget;

namespace pairtune::ui {

class TrainingCharts;

// File → Open run…: the run folders of a chosen parent folder and the recently used runs, each with
// its model, data, settings, status, best metric and date. Selecting one replays its metrics.jsonl
// into a preview of the charts; Open (or a double click) shows it in the window's Train page, with
// Try & Export and Resume; Export copies its model out; selecting two or more and Compare shows them
// side by side (RunComparisonView).
class RunsView : public QDialog
{
    Q_OBJECT

public:
    explicit RunsView(QWidget *parent = nullptr);

    // Lists the runs inside `folder` plus the recent runs (preferences), newest first.
    void setParentFolder(const QString &folder);
    QString parentFolder() const;
    const std::vector<RunRecord> &runs() const { return m_runs; }
    QTreeWidget *list() const { return m_list; }
    TrainingCharts *charts() const { return m_charts; }

    // Selects the listed run at `path` (false when it is not listed).
    bool selectRun(const QString &path);
    QString currentRun() const;
    // Copies the current run's final model to `destination`; the error text on failure, else empty.
    QString exportCurrentRun(const QString &destination);
    // Opens the comparison of the selected runs (two or more); returns the dialog shown.
    QDialog *compareSelected();
    // Emits useSettingsRequested with the current run's settings; false when none is selected.
    bool useCurrentSettings();
    // Emits openRequested with the current run; false when none is selected.
    bool openCurrent();

Q_SIGNALS:
    // "New run with these settings": the run's recipe (its paths are the caller's to replace).
    void useSettingsRequested(const pairtune::TrainingConfig &config);
    // "Open": show this run in the window (its Train page).
    void openRequested(const QString &runPath);

private:
    void refresh();
    void showCurrent();
    void browseParent();
    void exportInteractively();
    std::vector<const RunRecord *> selectedRuns() const;

    std::vector<RunRecord> m_runs;
    QLineEdit *m_parent = nullptr;
    QTreeWidget *m_list = nullptr;
    QLabel *m_details = nullptr;
    TrainingCharts *m_charts = nullptr;
    QPushButton *m_export = nullptr;
    QPushButton *m_compare = nullptr;
    QPushButton *m_useSettings = nullptr;
    QPushButton *m_open = nullptr;
};

// The recent runs list (preferences "runs/recent"), newest first; addRecentRun puts a run on top.
QStringList recentRuns();
void addRecentRun(const QString &path);

} // namespace pairtune::ui
