#pragma once

#include "mine/hardnegativemining.h"
#include "recipe/trainingconfig.h"
#include "ui/wizardpage.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTimer;

namespace pairtune {
class PairDataset;
}

namespace pairtune::ui {

class LoadedModel;
class MessageBanner;
class MinedNegatives;
class MiningReview;
class MiningSources;

// The optional Hard negatives step, between Model and Settings (issue 20): mines negative_1..k for
// the pairs with the chosen model (the base model, or another folder) and optional corpus texts
// (training/mine/hardnegativemining.h) on a worker thread with progress and Cancel, shows the review
// (ui/miningreview.h) where bad negatives can be unticked, and hands the reviewed pairs to the run. Skipping
// it (Next without mining) trains on the pairs as they are.
class MiningPage : public WizardPage
{
    Q_OBJECT

public:
    explicit MiningPage(QWidget *parent = nullptr);
    ~MiningPage() override;

    QString title() const override { return tr("Hard negatives"); }
    bool isComplete() const override { return !m_running; }
    QString incompleteReason() const override;
    bool canGoBack() const override { return !m_running; }

    // The pairs (after the Data page's fixes) and the base model (mined with unless sources() names
    // another folder). A change discards what was mined from other ones.
    void setInputs(std::shared_ptr<const PairDataset> dataset, std::shared_ptr<const LoadedModel> model);
    // The run's split (Settings page): only its training rows are mined from.
    void setSplit(std::uint64_t seed, double trainFraction);
    // Seconds of a training epoch of the plain pairs (anchor and positive; 0 when unknown), from the
    // run estimate: the guidance says what mining and the negatives cost in those terms. Asked each
    // time the page is shown.
    void setEpochSecondsSource(std::function<double()> source);
    void enterPage() override;

    bool isRunning() const { return m_running; }
    bool hasMined() const;
    const MinedNegatives *mined() const { return m_mined.get(); }
    const MiningReport &report() const { return m_report; }
    // The reviewed pairs a run of config trains on; null when nothing is mined. Throws pairtune::Error
    // when they were mined under another split than the run's (held-out texts could have become
    // negatives): another seed or training share, or the split that groups near-duplicates.
    std::shared_ptr<const PairDataset> pairsForRun(const TrainingConfig &config) const;

    QSpinBox *perRowBox() const { return m_perRow; }
    QSpinBox *rangeMinBox() const { return m_rangeMin; }
    QSpinBox *rangeMaxBox() const { return m_rangeMax; }
    QCheckBox *marginCheck() const { return m_marginOn; }
    QSpinBox *marginBox() const { return m_margin; }
    QCheckBox *capCheck() const { return m_capOn; }
    QDoubleSpinBox *capBox() const { return m_cap; }
    QPushButton *mineButton() const { return m_mine; }
    QPushButton *cancelButton() const { return m_cancel; }
    QPushButton *discardButton() const { return m_discard; }
    QProgressBar *progressBar() const { return m_progress; }
    QLabel *statusLabel() const { return m_status; }
    MiningReview *review() const { return m_review; }
    // The model to mine with and the corpus file (ui/miningsources.h).
    MiningSources *sources() const { return m_sources; }

public Q_SLOTS:
    void startMining();
    void cancelMining();
    void discardMined();

Q_SIGNALS:
    void minedChanged(); // negatives mined or discarded: the pairs a run trains on changed shape
    void miningEnded(); // finished, cancelled or failed (statusLabel() says which)

private:
    struct Progress;
    MiningOptions options() const;
    void updateState();
    void updateGuidance();
    void showProgress();

    std::shared_ptr<const PairDataset> m_dataset;
    std::shared_ptr<const LoadedModel> m_model;
    std::uint64_t m_seed = 42;
    double m_trainFraction = 0.8;
    std::function<double()> m_epochSeconds;
    std::unique_ptr<MinedNegatives> m_mined;
    MiningReport m_report;
    bool m_running = false;
    std::shared_ptr<Progress> m_progressState;

    QSpinBox *m_perRow = nullptr;
    QSpinBox *m_rangeMin = nullptr;
    QSpinBox *m_rangeMax = nullptr;
    QCheckBox *m_marginOn = nullptr;
    QSpinBox *m_margin = nullptr;
    QCheckBox *m_capOn = nullptr;
    QDoubleSpinBox *m_cap = nullptr;
    MiningSources *m_sources = nullptr;
    QPushButton *m_mine = nullptr;
    QPushButton *m_cancel = nullptr;
    QPushButton *m_discard = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_guidance = nullptr;
    MessageBanner *m_banner = nullptr;
    MiningReview *m_review = nullptr;
    QTimer *m_progressTimer = nullptr;
};

} // namespace pairtune::ui
