#pragma once

#include "data/datareport.h"
#include "recipe/trainingconfig.h"
#include "ui/runestimate.h"
#include "ui/trainingpresets.h"
#include "ui/wizardpage.h"

#include <memory>

class QLabel;
class QPushButton;
class QTimer;

namespace pairtune {
class PairDataset;
}

namespace pairtune::ui {

class LoadedModel;
class MessageBanner;
class ScoreDistributionPlot;
class SettingsForm;

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

    const RunEstimate &estimate() const { return m_estimate; }
    QStringList guidance() const { return m_guidance; }
    QStringList problems() const { return m_problems; }
    SettingsForm *form() const { return m_form; }
    ScoreDistributionPlot *scorePlot() const { return m_plot; }

Q_SIGNALS:
    void configChanged();

private:
    void scheduleUpdate();
    void updateNow();
    void updateGuidance(const TrainingConfig &config);
    void updateQuickCheckTip(const TrainingConfig &config);

    std::shared_ptr<const PairDataset> m_dataset;
    DataReport m_report;
    std::shared_ptr<const LoadedModel> m_model;
    RunEstimate m_estimate;
    QStringList m_guidance;
    QStringList m_problems;

    SettingsForm *m_form = nullptr;
    ScoreDistributionPlot *m_plot = nullptr;
    QLabel *m_numbers = nullptr;
    QPushButton *m_quickCheck = nullptr;
    QLabel *m_guidanceText = nullptr;
    MessageBanner *m_problemBanner = nullptr;
    QTimer *m_updateTimer = nullptr;
};

} // namespace pairtune::ui
