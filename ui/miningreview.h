#pragma once

#include "mine/hardnegativemining.h"

#include <QWidget>

class QLabel;
class QTreeWidget;
class QTreeWidgetItem;

namespace pairtune::ui {

class ChartWidget;
class MinedNegatives;

// The review half of the Hard negatives step: what mining did (candidates, what each guard removed,
// the time it took), the cosine distributions of the positives and of the kept negatives, and a
// sample of training rows with their positive and negatives, each negative with a tick box. Unticking
// one replaces it with the row's next spare candidate (ui/minednegatives.h says why).
class MiningReview : public QWidget
{
    Q_OBJECT

public:
    static constexpr int kSampleRows = 200;

    explicit MiningReview(QWidget *parent = nullptr);

    // Shows mined (not owned; it must outlive the review or be replaced with show(nullptr, ...)).
    void show(MinedNegatives *mined, const MiningReport &report);

    QTreeWidget *sampleTree() const { return m_tree; }
    ChartWidget *histogram() const { return m_chart; }
    QLabel *summaryLabel() const { return m_summary; }
    // The row of mined that a top-level item of the sample tree shows.
    std::size_t rowOf(const QTreeWidgetItem *anchorItem) const;

Q_SIGNALS:
    void selectionChanged(); // a negative was unticked or ticked again

private:
    void fillRow(QTreeWidgetItem *anchorItem);
    void onItemChanged(QTreeWidgetItem *item, int column);
    void updateChart();
    void updateSummary();

    MinedNegatives *m_mined = nullptr;
    MiningReport m_report;
    QLabel *m_summary = nullptr;
    QLabel *m_refused = nullptr;
    ChartWidget *m_chart = nullptr;
    QTreeWidget *m_tree = nullptr;
    bool m_filling = false;
};

} // namespace pairtune::ui
