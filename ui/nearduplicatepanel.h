#pragma once

// The studio's semantic leak and near-duplicate check (issue 21 part 3): the chosen base model embeds
// every distinct text of the pairs off the GUI thread (LoadedModel::findNearDuplicates, the engine's
// mine/nearduplicates.h), with progress and Cancel; the panel then shows the counts and examples for
// the split the trainer would make from the settings (train/trainingdata.cpp), and two one-click fixes
// that edit those settings: keep near-duplicate groups on one side of the split, drop within-set
// repeats. The groups do not depend on the split, so a fix re-reports at once without embedding again.

#include "mine/nearduplicates.h"
#include "recipe/trainingconfig.h"

#include <QWidget>

#include <memory>
#include <optional>

class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;
class QTimer;

namespace pairtune {
class PairDataset;
}

namespace pairtune::ui {

class LoadedModel;

class NearDuplicatePanel : public QWidget
{
    Q_OBJECT

public:
    explicit NearDuplicatePanel(QWidget *parent = nullptr);
    ~NearDuplicatePanel() override;

    // The pairs training will use and the base model; a change drops the groups found before.
    void setSource(std::shared_ptr<const PairDataset> dataset, std::shared_ptr<const LoadedModel> model);
    // The settings the split comes from (train fraction, seed, the two fixes) and the threshold shown
    // when no check has run yet. Re-reports from the groups already found.
    void setConfig(const TrainingConfig &config);
    TrainingConfig config() const { return m_config; }

    void check(); // starts a check (a running one is cancelled first)
    void cancel();
    bool isRunning() const { return m_running; }
    bool hasSource() const { return m_dataset && m_model; }

    // The report on the current split, empty before a check, after a cancel or an error.
    const std::optional<NearDuplicateReport> &report() const { return m_report; }
    QString statusText() const;

    QDoubleSpinBox *thresholdBox() const { return m_threshold; }
    QPushButton *checkButton() const { return m_check; }
    QPushButton *cancelButton() const { return m_cancel; }
    QPushButton *groupFixButton() const { return m_groupFix; }
    QPushButton *dropFixButton() const { return m_dropFix; }
    QTableWidget *examplesTable() const { return m_examples; }
    QProgressBar *progressBar() const { return m_progress; }

Q_SIGNALS:
    // A one-click fix changed the settings; the owner applies config to its settings form.
    void configEdited(const TrainingConfig &config);
    void finished(); // a check ended: with a report, an error or a cancel

private:
    struct Progress;

    void finish(std::shared_ptr<const NearDuplicateGroups> groups, const QString &error, bool cancelled);
    void pollProgress();
    void showReport();
    void applyFix(bool group);
    void setRunning(bool running);

    std::shared_ptr<const PairDataset> m_dataset;
    std::shared_ptr<const LoadedModel> m_model;
    TrainingConfig m_config;
    std::shared_ptr<const NearDuplicateGroups> m_groups; // of the last finished check
    std::optional<NearDuplicateReport> m_report;
    QString m_problem; // why there is no report (an error, a cancel, no source)
    bool m_running = false;
    std::shared_ptr<Progress> m_progressState; // shared with the running check
    std::shared_ptr<int> m_generation = std::make_shared<int>(0); // a newer check drops older results

    QDoubleSpinBox *m_threshold = nullptr;
    QPushButton *m_check = nullptr;
    QPushButton *m_cancel = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_counts = nullptr;
    QTableWidget *m_examples = nullptr;
    QPushButton *m_groupFix = nullptr;
    QPushButton *m_dropFix = nullptr;
    QTimer *m_poll = nullptr;
};

} // namespace pairtune::ui
