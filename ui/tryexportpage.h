#pragma once

#include "recipe/trainingconfig.h"
#include "train/trainer.h"
#include "ui/wizardpage.h"

#include <memory>

class QComboBox;
class QLabel;
class QTabWidget;

namespace pairtune::ui {

class ComparePanel;
class ExportPanel;
class LoadedModel;
class MatryoshkaPanel;
class VerdictPanel;
class ThresholdPanel;

// Step 5: try the tuned model against the base model on the run's held-out texts (RUN/eval-pairs.tsv,
// not the source files, which may have changed since), then export it (the final
// model, the best evaluation or the last checkpoint) as a sentence-transformers folder.
class TryExportPage : public WizardPage
{
    Q_OBJECT

public:
    explicit TryExportPage(QWidget *parent = nullptr);

    QString title() const override { return tr("Try & Export"); }
    bool isComplete() const override { return false; } // the last step
    QString incompleteReason() const override { return {}; }

    void setRun(
        const TrainingConfig &config, const TrainingResult &result, std::shared_ptr<const LoadedModel> base);
    // Which model of the run to try and export: "final", "best" or "last".
    bool chooseModel(const QString &which);
    QString chosenModel() const;
    // The model folder inside the run for which ("" when the run has none).
    QString modelFolder(const QString &which) const;

    ComparePanel *comparePanel() const { return m_compare; }
    ExportPanel *exportPanel() const { return m_export; }
    VerdictPanel *verdictPanel() const { return m_verdict; }
    ThresholdPanel *thresholdPanel() const { return m_threshold; }
    MatryoshkaPanel *matryoshkaPanel() const { return m_sizes; }

    // The tabs above the export, in their order.
    enum class View { Verdict, Threshold, Search, Sizes };
    void showView(View view);

private:
    void modelChosen();

    TrainingConfig m_config;
    TrainingResult m_result;
    QComboBox *m_which = nullptr;
    QLabel *m_runInfo = nullptr;
    ComparePanel *m_compare = nullptr;
    ExportPanel *m_export = nullptr;
    VerdictPanel *m_verdict = nullptr; // did fine-tuning help? (RUN/verdict.json)
    ThresholdPanel *m_threshold = nullptr; // is this a match? (issue 21 part 2)
    MatryoshkaPanel *m_sizes = nullptr; // smaller vectors? MRR@10 at each Matryoshka size (issue 20)
    QTabWidget *m_views = nullptr; // the panels above, one at a time
};

} // namespace pairtune::ui
