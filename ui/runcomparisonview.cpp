#include "ui/runcomparisonview.h"

#include "ui/chartwidget.h"
#include "ui/settinglabels.h"

#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>

#include <algorithm>

namespace pairtune::ui {
namespace {

QString number(std::optional<double> value)
{
    return value ? QString::number(*value, 'f', 4) : QStringLiteral("–");
}

std::optional<double> metricAt(const EvaluationPoint *point, const std::string &name)
{
    if (!point)
        return std::nullopt;
    const auto found = point->metrics.find(name);
    return found == point->metrics.end() ? std::nullopt : std::optional<double>(found->second);
}

QTableWidget *makeTable(QWidget *parent)
{
    auto *table = new QTableWidget(parent);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->verticalHeader()->hide();
    table->horizontalHeader()->setStretchLastSection(true);
    table->setWordWrap(false);
    return table;
}

void setRow(QTableWidget *table, int row, const QStringList &cells)
{
    for (int column = 0; column < cells.size(); ++column)
        table->setItem(row, column, new QTableWidgetItem(cells[column]));
}

} // namespace

RunComparisonView::RunComparisonView(QWidget *parent)
    : QWidget(parent)
{
    m_metrics = makeTable(this);
    m_differences = makeTable(this);

    auto *layout = new QGridLayout(this);
    m_layout = layout;
    layout->addWidget(
        new QLabel(tr("<b>Metrics</b> (before training → final; best over the run)"), this), 1, 0, 1, 2);
    layout->addWidget(m_metrics, 2, 0, 1, 2);
    layout->addWidget(new QLabel(tr("<b>Settings and data that differ</b>"), this), 3, 0, 1, 2);
    layout->addWidget(m_differences, 4, 0, 1, 2);
    layout->setRowStretch(0, 3);
    layout->setRowStretch(2, 1);
    layout->setRowStretch(4, 1);
}

void RunComparisonView::setComparison(const RunComparison &comparison)
{
    fillCharts(comparison);
    fillMetrics(comparison);
    fillDifferences(comparison);
}

void RunComparisonView::fillCharts(const RunComparison &comparison)
{
    // ChartWidget's series cannot be removed: a new comparison gets new charts.
    delete m_loss;
    delete m_retrieval;
    m_loss = new ChartWidget(tr("Training loss (smoothed)"), tr("step"), tr("loss"), this);
    m_retrieval = new ChartWidget(tr("MRR@10 on held-out pairs"), tr("step"), tr("mrr@10"), this);
    m_layout->addWidget(m_loss, 0, 0);
    m_layout->addWidget(m_retrieval, 0, 1);
    std::int64_t longest = 1;
    for (std::size_t i = 0; i < comparison.runs.size(); ++i) {
        const RunRecord &run = comparison.runs[i];
        const QString name = QString::fromStdString(run.name);
        const QColor color = ChartWidget::seriesColor(static_cast<int>(i));
        const int loss = m_loss->addSeries(name, color);
        const int retrieval = m_retrieval->addSeries(name, color);
        // Runs that share their first steps (same seed and warm-up) draw the same curve there: each run
        // is drawn wider than the ones after it (on top), so an identical curve still shows its colour
        // around theirs instead of vanishing under it.
        const double width = std::min(2.0 + 2.0 * double(comparison.runs.size() - 1 - i), 8.0);
        for (QCPGraph *graph : { m_loss->graph(loss), m_retrieval->graph(retrieval) }) {
            QPen pen = graph->pen();
            pen.setWidthF(width);
            graph->setPen(pen);
        }
        for (const LossPoint &point : run.losses)
            m_loss->appendPoint(loss, double(point.step), point.smoothedLoss);
        for (const EvaluationPoint &point : run.evaluations) {
            if (const auto value = metricAt(&point, "mrr@10"))
                m_retrieval->appendPoint(retrieval, double(point.step), *value);
        }
        longest = std::max({ longest, run.lastStep, run.totalSteps });
    }
    for (ChartWidget *chart : { m_loss, m_retrieval }) {
        chart->setMinimumXRange(double(longest));
        chart->refresh();
    }
}

void RunComparisonView::fillMetrics(const RunComparison &comparison)
{
    QStringList headers = { tr("Run"), tr("Status"), tr("Steps"), tr("Last loss"), tr("Best") };
    for (const std::string &name : comparison.metricNames)
        headers << QString::fromStdString(name);
    m_metrics->clear();
    m_metrics->setColumnCount(static_cast<int>(headers.size()));
    m_metrics->setHorizontalHeaderLabels(headers);
    m_metrics->setRowCount(static_cast<int>(comparison.runs.size()));
    for (std::size_t i = 0; i < comparison.runs.size(); ++i) {
        const RunRecord &run = comparison.runs[i];
        QStringList cells = { QString::fromStdString(run.name), QString::fromLatin1(toString(run.status)),
            QStringLiteral("%1/%2").arg(run.lastStep).arg(run.totalSteps),
            run.losses.empty() ? QStringLiteral("–") : QString::number(run.losses.back().loss, 'f', 4),
            QStringLiteral("%1 %2 (step %3)")
                .arg(QString::fromStdString(run.bestMetric), number(run.bestValue))
                .arg(run.bestStep) };
        for (const std::string &name : comparison.metricNames)
            cells << number(metricAt(run.baseline(), name)) + QStringLiteral(" → ")
                    + number(metricAt(run.finalEvaluation(), name));
        setRow(m_metrics, static_cast<int>(i), cells);
        m_metrics->item(static_cast<int>(i), 0)->setForeground(ChartWidget::seriesColor(static_cast<int>(i)));
    }
    m_metrics->resizeColumnsToContents();
}

void RunComparisonView::fillDifferences(const RunComparison &comparison)
{
    QStringList headers = { tr("Setting") };
    for (const RunRecord &run : comparison.runs)
        headers << QString::fromStdString(run.name);
    m_differences->clear();
    m_differences->setColumnCount(static_cast<int>(headers.size()));
    m_differences->setHorizontalHeaderLabels(headers);
    if (comparison.differences.empty()) {
        m_differences->setRowCount(1);
        setRow(m_differences, 0, { tr("(identical settings and data)") });
        return;
    }
    m_differences->setRowCount(static_cast<int>(comparison.differences.size()));
    for (std::size_t i = 0; i < comparison.differences.size(); ++i) {
        const SettingDifference &difference = comparison.differences[i];
        // The Settings form's name for it; config.json's name in the tooltip for people who script runs.
        QStringList cells = { settingLabel(difference.key) };
        for (const std::string &value : difference.values)
            cells << QString::fromStdString(value);
        setRow(m_differences, static_cast<int>(i), cells);
        m_differences->item(static_cast<int>(i), 0)->setToolTip(QString::fromStdString(difference.key));
    }
    m_differences->resizeColumnsToContents();
}

} // namespace pairtune::ui
