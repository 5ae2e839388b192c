#pragma once

#include "train/runcomparison.h"

#include <QWidget>

class QGridLayout;
class QTableWidget;

namespace pairtune::ui {

class ChartWidget;

// Two or more runs side by side: their loss and retrieval curves overlaid (one colour per run, the
// legend names the run), a table of each run's final and best metrics, and the settings and data
// that differ between them.
class RunComparisonView : public QWidget
{
    Q_OBJECT

public:
    explicit RunComparisonView(QWidget *parent = nullptr);

    void setComparison(const RunComparison &comparison);

    ChartWidget *lossChart() const { return m_loss; }
    ChartWidget *retrievalChart() const { return m_retrieval; }
    QTableWidget *metricsTable() const { return m_metrics; }
    QTableWidget *differencesTable() const { return m_differences; }

private:
    void fillCharts(const RunComparison &comparison);
    void fillMetrics(const RunComparison &comparison);
    void fillDifferences(const RunComparison &comparison);

    QGridLayout *m_layout = nullptr;
    ChartWidget *m_loss = nullptr;
    ChartWidget *m_retrieval = nullptr;
    QTableWidget *m_metrics = nullptr;
    QTableWidget *m_differences = nullptr;
};

} // namespace pairtune::ui
