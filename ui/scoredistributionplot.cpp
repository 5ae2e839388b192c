#include "ui/scoredistributionplot.h"

#include <algorithm>
#include <cmath>

namespace pairtune::ui {

ScoreDistributionPlot::ScoreDistributionPlot(QWidget *parent)
    : ChartWidget(tr("Made-up scores"), tr("score"), tr("density"), parent)
{
    setMinimumSize(fontMetrics().averageCharWidth() * 30, fontMetrics().height() * 10);
    legend->setVisible(false);
    m_density = new QCPCurve(xAxis, yAxis);
    m_density->setName(tr("score density"));
    m_cosineLimit = new QCPItemStraightLine(this);
    m_cosineLimit->point1->setCoords(1, 0);
    m_cosineLimit->point2->setCoords(1, 1);
    m_caption = new QCPItemText(this);
    m_caption->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_caption->position->setCoords(0.02, 0.04);
    m_caption->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_caption->setTextAlignment(Qt::AlignLeft);
    applyPalette();
}

void ScoreDistributionPlot::setDistribution(double mean, double scaling)
{
    if (!(scaling > 0) || !std::isfinite(mean))
        return;
    const double half = 0.5 / scaling;
    m_lower = mean - half;
    m_upper = mean + half;
    const double height = scaling; // the density of a uniform distribution of width 1/scaling
    const QVector<double> x { m_lower, m_lower, m_upper, m_upper };
    const QVector<double> y { 0, height, height, 0 };
    m_density->setData(x, y);
    const double width = m_upper - m_lower;
    const double left = std::min(m_lower - width * 0.6, std::min(0.0, m_lower - 0.05));
    const double right = std::max(m_upper + width * 0.6, 1.05);
    xAxis->setRange(left, right);
    yAxis->setRange(0, height * 1.25);
    m_caption->setText(tr("uniform %1 … %2\nstd %3")
                           .arg(m_lower, 0, 'f', 3)
                           .arg(m_upper, 0, 'f', 3)
                           .arg(1.0 / (scaling * std::sqrt(12.0)), 0, 'f', 4));
    replot(QCustomPlot::rpQueuedReplot);
}

void ScoreDistributionPlot::applyPalette()
{
    ChartWidget::applyPalette();
    if (!m_density)
        return; // called from the base constructor before the curve exists
    const QColor color = seriesColor(0);
    QColor fill = color;
    fill.setAlphaF(0.35);
    m_density->setPen(QPen(color, 2));
    m_density->setBrush(fill);
    QPen limit(palette().color(QPalette::WindowText), 1, Qt::DashLine);
    m_cosineLimit->setPen(limit);
    m_caption->setColor(palette().color(QPalette::WindowText));
    replot(QCustomPlot::rpQueuedReplot);
}

} // namespace pairtune::ui
