#pragma once

#include "recipe/trainingconfig.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QPushButton;
class QSpinBox;

namespace pairtune::ui {

class ScientificSpinBox;

// One control per knob of TrainingConfig, grouped (the recipe, loss, optimizer, evaluation and
// checkpoints, compute), each with a tooltip saying what it does and when to change it. Reads and
// writes a TrainingConfig; the paths (data, base model, run folder) are not edited here and are kept
// as they were given to setConfig().
class SettingsForm : public QWidget
{
    Q_OBJECT

public:
    explicit SettingsForm(QWidget *parent = nullptr);

    void setConfig(const TrainingConfig &config);
    TrainingConfig config() const;
    // The model's own max_seq_length, shown for the "model's" choice of the length control.
    void setModelMaxSeqLength(int length);

    QSpinBox *epochsBox() const { return m_epochs; }
    QSpinBox *batchSizeBox() const { return m_batchSize; }
    QComboBox *lossBox() const { return m_loss; }
    QDoubleSpinBox *scoreMeanBox() const { return m_scoreMean; }
    QDoubleSpinBox *scoreScalingBox() const { return m_scoreScaling; }
    QDoubleSpinBox *nearDuplicateThresholdBox() const { return m_nearDuplicateThreshold; }
    QCheckBox *groupNearDuplicatesBox() const { return m_groupNearDuplicates; }
    QCheckBox *dropNearDuplicatesBox() const { return m_dropNearDuplicates; }
    QCheckBox *matryoshkaBox() const { return m_matryoshka; }
    QPushButton *checkNearDuplicatesButton() const { return m_checkNearDuplicates; }

Q_SIGNALS:
    void changed();
    // "Check near-duplicates…" was clicked: the page that knows the data and the model runs the check.
    void nearDuplicateCheckRequested();

private:
    QWidget *createRecipeGroup();
    QWidget *createNearDuplicateGroup();
    QWidget *createLossGroup();
    QWidget *createOptimizerGroup();
    QWidget *createEvaluationGroup();
    QWidget *createComputeGroup();
    void connectChanges();
    void updateEnabled();

    TrainingConfig m_base; // fields not edited here (paths) come from the last setConfig()
    bool m_filling = false;
    // The config's bf16 is Auto and the user has not touched the switch: the switch shows what Auto does on
    // the chosen device (train/precision.h), and config() keeps Auto.
    bool m_bf16Auto = false;

    QSpinBox *m_epochs = nullptr;
    QSpinBox *m_batchSize = nullptr;
    QSpinBox *m_warmupSteps = nullptr;
    QDoubleSpinBox *m_trainFraction = nullptr;
    QDoubleSpinBox *m_scoreMean = nullptr;
    QDoubleSpinBox *m_scoreScaling = nullptr;
    QComboBox *m_fileScores = nullptr;

    QComboBox *m_loss = nullptr;
    QComboBox *m_similarity = nullptr;
    QDoubleSpinBox *m_scale = nullptr;
    QCheckBox *m_noDuplicates = nullptr;
    QCheckBox *m_lengthGrouped = nullptr;
    QCheckBox *m_matryoshka = nullptr; // issue 20: train smaller embedding sizes too
    QCheckBox *m_gradCache = nullptr; // issue 20: Cached MNRL (TrainingConfig::gradCache)

    QDoubleSpinBox *m_nearDuplicateThreshold = nullptr;
    QCheckBox *m_groupNearDuplicates = nullptr;
    QCheckBox *m_dropNearDuplicates = nullptr;
    QPushButton *m_checkNearDuplicates = nullptr;

    ScientificSpinBox *m_lr = nullptr;
    QDoubleSpinBox *m_weightDecay = nullptr;
    QDoubleSpinBox *m_maxGradNorm = nullptr;
    QComboBox *m_schedule = nullptr;
    QDoubleSpinBox *m_scheduleCycles = nullptr;
    QDoubleSpinBox *m_beta1 = nullptr;
    QDoubleSpinBox *m_beta2 = nullptr;
    ScientificSpinBox *m_epsilon = nullptr;

    QSpinBox *m_seed = nullptr;
    QSpinBox *m_maxSeqLength = nullptr;
    QSpinBox *m_evalEvery = nullptr;
    QSpinBox *m_evalSample = nullptr;
    QComboBox *m_bestMetric = nullptr;
    QSpinBox *m_checkpointEvery = nullptr;
    QSpinBox *m_keepCheckpoints = nullptr;
    QSpinBox *m_maxSteps = nullptr;
    QSpinBox *m_threads = nullptr;
    QCheckBox *m_bf16 = nullptr;
    QComboBox *m_device = nullptr;
};

} // namespace pairtune::ui
