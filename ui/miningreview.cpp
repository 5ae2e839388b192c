#include "ui/miningreview.h"

#include "ui/chartwidget.h"
#include "ui/minednegatives.h"

#include <QHeaderView>
#include <QLabel>
#include <QSignalBlocker>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace pairtune::ui {
namespace {

constexpr int kRowRole = Qt::UserRole; // on anchor items: the row of MinedNegatives
constexpr int kCandidateRole = Qt::UserRole + 1; // on negative items: the candidate index
constexpr int kBins = 24;

// Share of scores (percent) in each of kBins bins over [lo, hi).
QVector<double> binShares(const std::vector<float> &scores, double lo, double hi)
{
    QVector<double> counts(kBins, 0.0);
    if (scores.empty())
        return counts;
    const double width = (hi - lo) / kBins;
    for (const float s : scores) {
        const int bin = std::clamp(int(std::floor((s - lo) / width)), 0, kBins - 1);
        counts[bin] += 1.0;
    }
    for (double &c : counts)
        c = 100.0 * c / double(scores.size());
    return counts;
}

QString score(float value)
{
    return QString::number(value, 'f', 3);
}

} // namespace

MiningReview::MiningReview(QWidget *parent)
    : QWidget(parent)
{
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("miningSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_chart = new ChartWidget(tr("Cosine to the anchor"), tr("cosine"), tr("% of training rows"), this);
    m_chart->setObjectName(QStringLiteral("miningHistogram"));
    m_chart->addSeries(tr("positives"), ChartWidget::seriesColor(0));
    m_chart->addSeries(tr("kept negatives"), ChartWidget::seriesColor(2));
    for (int i = 0; i < 2; ++i)
        m_chart->graph(i)->setLineStyle(QCPGraph::lsStepCenter);
    m_chart->setEmptyText(tr("Nothing mined yet"));
    m_chart->setMinimumHeight(fontMetrics().height() * 10);
    m_refused = new QLabel(this);
    m_refused->setObjectName(QStringLiteral("miningRefused"));
    m_refused->setWordWrap(true);
    m_refused->setVisible(false);
    m_tree = new QTreeWidget(this);
    m_tree->setObjectName(QStringLiteral("miningSample"));
    m_tree->setColumnCount(2);
    m_tree->setHeaderLabels({ tr("Anchor, positive and negatives (untick a bad negative)"), tr("Cosine") });
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_tree->setWordWrap(false);
    m_tree->setUniformRowHeights(true);
    // In the page's scroll area: a fixed share of the height, never the page's minimum.
    m_tree->setMinimumHeight(fontMetrics().height() * 16);
    connect(m_tree, &QTreeWidget::itemChanged, this, &MiningReview::onItemChanged);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_summary);
    layout->addWidget(m_chart);
    layout->addWidget(m_refused);
    layout->addWidget(m_tree);
}

void MiningReview::show(MinedNegatives *mined, const MiningReport &report)
{
    m_mined = mined;
    m_report = report;
    m_refused->setVisible(false);
    const QSignalBlocker quiet(m_tree);
    m_tree->clear();
    if (!m_mined || m_mined->isEmpty()) {
        m_chart->clearData();
        m_summary->clear();
        return;
    }
    // A sample spread evenly over the training rows, in file order.
    std::vector<std::size_t> training;
    for (std::size_t r = 0; r < m_mined->rows(); ++r) {
        if (m_mined->isTraining(r))
            training.push_back(r);
    }
    const std::size_t shown = std::min<std::size_t>(training.size(), kSampleRows);
    for (std::size_t i = 0; i < shown; ++i) {
        const std::size_t row = training[i * training.size() / shown];
        auto *anchor = new QTreeWidgetItem(m_tree);
        anchor->setText(0, QString::fromStdString(m_mined->record(row).anchor));
        anchor->setToolTip(0, anchor->text(0));
        anchor->setData(0, kRowRole, qulonglong(row));
        QFont bold = anchor->font(0);
        bold.setBold(true);
        anchor->setFont(0, bold);
        fillRow(anchor);
        anchor->setExpanded(i < 20);
    }
    updateChart();
    updateSummary();
}

std::size_t MiningReview::rowOf(const QTreeWidgetItem *anchorItem) const
{
    return std::size_t(anchorItem->data(0, kRowRole).toULongLong());
}

void MiningReview::fillRow(QTreeWidgetItem *anchor)
{
    m_filling = true;
    qDeleteAll(anchor->takeChildren());
    const std::size_t row = rowOf(anchor);
    auto *positive = new QTreeWidgetItem(anchor);
    positive->setText(0, tr("positive: %1").arg(QString::fromStdString(m_mined->record(row).positive)));
    positive->setToolTip(0, positive->text(0));
    positive->setText(1, score(m_mined->positiveScore(row)));
    // The kept negatives and the unticked ones (to tick again); unused spares stay hidden.
    for (std::size_t i = 0; i < m_mined->candidates(row); ++i) {
        const bool unticked = m_mined->isUnticked(row, i);
        if (!unticked && !m_mined->isKept(row, i))
            continue;
        auto *negative = new QTreeWidgetItem(anchor);
        negative->setText(0, QString::fromStdString(m_mined->candidate(row, i)));
        negative->setToolTip(0, negative->text(0));
        negative->setText(1, score(m_mined->candidateScore(row, i)));
        negative->setData(0, kCandidateRole, qulonglong(i));
        negative->setFlags(negative->flags() | Qt::ItemIsUserCheckable);
        negative->setCheckState(0, unticked ? Qt::Unchecked : Qt::Checked);
        if (unticked)
            negative->setForeground(0, palette().brush(QPalette::Disabled, QPalette::Text));
    }
    m_filling = false;
}

void MiningReview::onItemChanged(QTreeWidgetItem *item, int column)
{
    if (m_filling || column != 0 || !m_mined || !item->parent() || !item->data(0, kCandidateRole).isValid())
        return;
    QTreeWidgetItem *anchor = item->parent();
    const std::size_t row = rowOf(anchor);
    const auto candidate = std::size_t(item->data(0, kCandidateRole).toULongLong());
    const bool untick = item->checkState(0) == Qt::Unchecked;
    bool refused = false;
    if (untick)
        refused = !m_mined->untick(row, candidate);
    else
        m_mined->retick(row, candidate);
    m_refused->setVisible(refused);
    if (refused)
        m_refused->setText(tr("This row has no spare candidate left to take that negative's place (every "
                              "row needs %n negative(s)): tick another one again first, or mine with a "
                              "wider range.",
            nullptr, int(m_mined->perRow())));
    // Queued: the item that emitted the signal must not be deleted inside its own signal.
    QMetaObject::invokeMethod(
        this,
        [this, anchor] {
            fillRow(anchor);
            updateChart();
            updateSummary();
            Q_EMIT selectionChanged();
        },
        Qt::QueuedConnection);
}

void MiningReview::updateChart()
{
    const std::vector<float> positives = m_mined->trainingPositiveScores();
    const std::vector<float> negatives = m_mined->trainingNegativeScores();
    double lo = 1.0, hi = -1.0;
    for (const auto *scores : { &positives, &negatives }) {
        for (const float s : *scores) {
            lo = std::min(lo, double(s));
            hi = std::max(hi, double(s));
        }
    }
    if (hi <= lo) {
        lo -= 0.05;
        hi += 0.05;
    }
    QVector<double> centres(kBins);
    for (int b = 0; b < kBins; ++b)
        centres[b] = lo + (b + 0.5) * (hi - lo) / kBins;
    const QVector<double> p = binShares(positives, lo, hi);
    const QVector<double> n = binShares(negatives, lo, hi);
    m_chart->setSeriesData(0, centres, p);
    m_chart->setSeriesData(1, centres, n);
    m_chart->refresh(); // hides the empty text; the ranges are the bins' own, set next
    m_chart->xAxis->setRange(lo, hi);
    const double top = std::max(*std::max_element(p.begin(), p.end()), *std::max_element(n.begin(), n.end()));
    m_chart->yAxis->setRange(0, top * 1.1 + 1e-9);
    m_chart->replot(QCustomPlot::rpQueuedReplot);
}

void MiningReview::updateSummary()
{
    const ScoreSummary positives = summarizeScores(m_mined->trainingPositiveScores());
    const ScoreSummary negatives = summarizeScores(m_mined->trainingNegativeScores());
    const GuardCounts &removed = m_report.removed;
    const SelectionRules &rules = m_report.rules;
    QStringList guards;
    guards << tr("%1 own positive").arg(removed[Guard::OwnPositive])
           << tr("%1 exact duplicate").arg(removed[Guard::ExactDuplicate])
           << tr("%1 near-duplicate of the positive").arg(removed[Guard::NearDuplicate]);
    if (rules.relativeMargin)
        guards << tr("%1 above %2 % of the positive's score (likely false negatives)")
                      .arg(removed[Guard::RelativeMargin])
                      .arg(100.0 * (1.0 - *rules.relativeMargin), 0, 'g', 3);
    if (rules.maxScore)
        guards << tr("%1 above the cap %2").arg(removed[Guard::MaxScore]).arg(*rules.maxScore, 0, 'g', 3);
    m_summary->setText(tr(
        "<b>%1 negative(s) per row</b> for %2 rows (%3 training rows, reviewed below; the %4 held-out rows "
        "get negatives for the evaluation loss only). Candidates: %5 training texts (%6 held out, "
        "never used). Embedding took %7 s, the search %8 s.<br>"
        "Guards removed: %9.<br>"
        "Median cosine to the anchor: positives %10, kept negatives %11 (%12 unticked).")
                           .arg(m_mined->perRow())
                           .arg(m_mined->rows())
                           .arg(m_report.trainRows)
                           .arg(m_report.heldOutRows)
                           .arg(m_report.candidateTexts)
                           .arg(m_report.heldOutTextsExcluded)
                           .arg(m_report.embedSeconds, 0, 'f', 1)
                           .arg(m_report.searchSeconds, 0, 'f', 1)
                           .arg(guards.join(QStringLiteral(", ")))
                           .arg(score(float(positives.median)), score(float(negatives.median)))
                           .arg(m_mined->untickedCount()));
}

} // namespace pairtune::ui
