#pragma once

#include "train/trainingevent.h"

#include <QWidget>

#include <vector>

class QLabel;

namespace pairtune::ui {

class ChartWidget;

// The four live charts of the train page: training loss (raw and smoothed), retrieval (mrr@10,
// accuracy@1) and similarity (cosine of true pairs vs non-pairs) on the held-out pairs with the
// step-0 baseline dashed, and the learning rate. Fed with batches of engine events; one replot per
// batch. A line under the charts says which evaluations scored all held-out pairs and which the
// fixed sample (TrainingConfig::evalSample, the evaluation lines' eval_scope).
class TrainingCharts : public QWidget
{
    Q_OBJECT

public:
    explicit TrainingCharts(QWidget *parent = nullptr);

    void addEvents(const std::vector<TrainingEvent> &events);
    void clear();
    // A resumed run replays the steps after its checkpoint: drop what was drawn after it.
    void removeAfter(std::int64_t step);
    void setTotalSteps(std::int64_t steps);

    ChartWidget *lossChart() const { return m_loss; }
    ChartWidget *retrievalChart() const { return m_retrieval; }
    ChartWidget *similarityChart() const { return m_similarity; }
    ChartWidget *learningRateChart() const { return m_learningRate; }
    // Empty until an evaluation says how many pairs it scored.
    QString evaluationScopeText() const;

private:
    void updateScopeNote();

    ChartWidget *m_loss = nullptr;
    ChartWidget *m_retrieval = nullptr;
    ChartWidget *m_similarity = nullptr;
    ChartWidget *m_learningRate = nullptr;
    int m_rawLoss = 0, m_smoothedLoss = 0, m_mrr = 0, m_accuracy = 0, m_cosPositive = 0, m_cosNegative = 0,
        m_lr = 0;
    QLabel *m_scopeNote = nullptr;
    std::size_t m_allPairs = 0; // pairs scored by an evaluation of all held-out pairs
    std::size_t m_samplePairs = 0; // pairs of the fixed sample; 0: no sampled evaluation yet
};

} // namespace pairtune::ui
