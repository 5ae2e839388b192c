#pragma once

#include "data/datareport.h"
#include "recipe/trainingconfig.h"
#include "ui/runestimate.h"
#include "ui/trainingpresets.h"
#include "ui/wizardpage.h"

#include <memory>
#include <optional>

class QDialog;
class QLabel;
class QPushButton;
class QTimer;

namespace pairtune {
class PairDataset;
}

namespace pairtune::ui {

class LoadedModel;
class MessageBanner;
class NearDuplicatePanel;
class ScoreDistributionPlot;
class SettingsForm;
class SpeedProbe;

// Step 3: how to train. Every knob of the recipe with its default, presets, a live plot of the
// made-up score distribution, what the settings mean for this data (split sizes, steps, time) and
// inline guidance for the recipe's traps.
class SettingsPage : public WizardPage
{
    Q_OBJECT

public:
    explicit SettingsPage(QWidget *parent = nullptr);

    QString title() const override { return tr("Settings"); }
    bool isComplete() const override;
    QString incompleteReason() const override;

    TrainingConfig config() const;
    void setConfig(const TrainingConfig &config);
    void applyPreset(TrainingPreset preset);

    // What the numbers are computed for: the pairs after fixes, their report, the chosen model.
    void setData(std::shared_ptr<const PairDataset> dataset, const DataReport &report);
    void setModel(std::shared_ptr<const LoadedModel> model);

    // The chosen model's tested settings (pairtune_tuning.json in its folder), null when it has none.
    const ModelTuning *modelTuning() const { return m_tuning ? &*m_tuning : nullptr; }
    // The one-line warning shown when the settings barely move this model; empty when none applies.
    QString slowSettingsWarning() const { return m_slowWarning; }

    const RunEstimate &estimate() const { return m_estimate; }
    // Times the steps again for the current settings, replacing the timing kept on disk (the estimate's
    // "Measure again" link).
    void measureSpeedAgain();
    QStringList guidance() const { return m_guidance; }
    QStringList problems() const { return m_problems; }
    SettingsForm *form() const { return m_form; }
    ScoreDistributionPlot *scorePlot() const { return m_plot; }
    // The near-duplicate check's dialog and panel; null until "Check near-duplicates…" was first clicked.
    QDialog *nearDuplicateDialog() const { return m_nearDuplicateDialog; }
    NearDuplicatePanel *nearDuplicatePanel() const { return m_nearDuplicates; }
    void showNearDuplicateCheck();

Q_SIGNALS:
    void configChanged();
    void clusterCommandRequested(); // "Run on a cluster…" clicked

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void scheduleUpdate();
    void updateNow();
    void updateGuidance(const TrainingConfig &config);
    void updateQuickCheckTip(const TrainingConfig &config);
    void updateTuningNote(const TrainingConfig &config);

    std::shared_ptr<const PairDataset> m_dataset;
    DataReport m_report;
    std::shared_ptr<const LoadedModel> m_model;
    std::optional<ModelTuning> m_tuning;
    QString m_tuningProblem; // the model's pairtune_tuning.json could not be read
    QString m_slowWarning;
    RunEstimate m_estimate;
    QStringList m_guidance;
    QStringList m_problems;

    SettingsForm *m_form = nullptr;
    ScoreDistributionPlot *m_plot = nullptr;
    QLabel *m_numbers = nullptr;
    QPushButton *m_quickCheck = nullptr;
    QPushButton *m_recommended = nullptr;
    MessageBanner *m_tuningBanner = nullptr;
    QLabel *m_guidanceText = nullptr;
    MessageBanner *m_problemBanner = nullptr;
    QTimer *m_updateTimer = nullptr;
    SpeedProbe *m_speedProbe = nullptr;
    QDialog *m_nearDuplicateDialog = nullptr;
    NearDuplicatePanel *m_nearDuplicates = nullptr;
};

} // namespace pairtune::ui
