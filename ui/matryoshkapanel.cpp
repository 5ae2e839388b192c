#include "ui/matryoshkapanel.h"

#include "recipe/matryoshka.h"
#include "ui/chartwidget.h"

#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

namespace pairtune::ui {
namespace {

double metricOr(const std::map<std::string, double> &metrics, const std::string &key)
{
    const auto it = metrics.find(key);
    return it == metrics.end() ? std::nan("") : it->second;
}

} // namespace

MatryoshkaPanel::MatryoshkaPanel(QWidget *parent)
    : QWidget(parent)
{
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_chart = new ChartWidget(
        tr("Smaller vectors: MRR@10 at each size"), tr("embedding size (numbers kept)"), tr("MRR@10"), this);
    m_chart->setObjectName(QStringLiteral("matryoshkaChart"));
    m_chart->setMinimumSize(fontMetrics().averageCharWidth() * 40, fontMetrics().height() * 14);
    m_chart->addSeries(tr("before (base model)"), ChartWidget::seriesColor(0), ChartWidget::Style::Points);
    m_chart->addSeries(tr("after (tuned model)"), ChartWidget::seriesColor(1), ChartWidget::Style::Points);
    m_chart->setEmptyText(tr("This run did not train Matryoshka sizes."));

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(m_chart, 1);
}

void MatryoshkaPanel::setRun(const TrainingConfig &config, const TrainingResult &result)
{
    m_chart->clearData();
    // The sizes the run evaluated: its own metrics say them (the studio's config may leave them to the
    // run's start, which fills the model's defaults), smallest first so the lines run left to right.
    std::set<int> evaluated;
    for (const auto *metrics : { &result.evalBefore, &result.evalAfter })
        for (const auto &[key, value] : *metrics) {
            int dim = 0;
            if (std::sscanf(key.c_str(), "dim%d/", &dim) == 1 && key == matryoshkaMetricKey(dim, "mrr@10"))
                evaluated.insert(dim);
        }
    if (!config.matryoshka || evaluated.empty()) {
        m_summary->setText(
            tr("This run trained one embedding size. Turn on \"Matryoshka sizes\" in Settings to "
               "also train smaller ones (the first half, quarter, … of each vector), then compare "
               "MRR@10 at each size here."));
        m_chart->refresh();
        return;
    }
    QVector<double> sizes;
    QVector<double> before;
    QVector<double> after;
    QStringList rows;
    std::vector<int> largestFirst(evaluated.rbegin(), evaluated.rend());
    double top = 0.0;
    for (const int dim : evaluated) {
        const std::string key = matryoshkaMetricKey(dim, "mrr@10");
        sizes.push_back(dim);
        before.push_back(metricOr(result.evalBefore, key));
        after.push_back(metricOr(result.evalAfter, key));
        top = std::max({ top, std::isfinite(before.back()) ? before.back() : 0.0,
            std::isfinite(after.back()) ? after.back() : 0.0 });
        rows << tr("%1: %2 → %3").arg(dim).arg(before.back(), 0, 'f', 3).arg(after.back(), 0, 'f', 3);
    }
    m_chart->setSeriesData(0, sizes, before);
    m_chart->setSeriesData(1, sizes, after);
    m_chart->refresh();
    m_chart->xAxis->setRange(0, sizes.back() * 1.05);
    m_chart->yAxis->setRange(0, std::min(1.0, top * 1.15 + 0.02));
    m_chart->replot(QCustomPlot::rpQueuedReplot);
    m_summary->setText(
        tr("Sizes trained: %1. MRR@10 of the held-out pairs before → after, with each "
           "embedding cut to its first numbers and normalised again (embed --truncate-dim, "
           "sentence-transformers' truncate_dim): %2.")
            .arg(QString::fromStdString(matryoshkaDimsText(largestFirst)), rows.join(QStringLiteral(" · "))));
}

QString MatryoshkaPanel::summaryText() const
{
    return m_summary->text();
}

} // namespace pairtune::ui
