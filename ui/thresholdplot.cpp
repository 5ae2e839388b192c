#include "ui/thresholdplot.h"

#include <QMouseEvent>

#include <algorithm>

namespace pairtune::ui {

ThresholdPlot::ThresholdPlot(QWidget *parent)
    : ChartWidget(tr("Is it a match? cosine ≥ threshold"), tr("threshold (cosine)"), tr("value"), parent)
{
    setMinimumSize(fontMetrics().averageCharWidth() * 40, fontMetrics().height() * 14);
    addSeries(tr("precision"), seriesColor(0), Style::ThinLine);
    addSeries(tr("recall"), seriesColor(1), Style::ThinLine);
    addSeries(tr("F1"), seriesColor(2), Style::Line);
    setEmptyText(tr("Measuring…"));
    m_line = new QCPItemStraightLine(this);
    setThreshold(m_threshold);
    setCursor(Qt::SizeHorCursor);
    applyPalette();
}

void ThresholdPlot::setCurve(const ThresholdCurve &curve)
{
    // A few thousand points draw the curve as finely as a screen shows it; 100k pairs have as many
    // distinct scores.
    const std::size_t step = std::max<std::size_t>(1, curve.points.size() / 4000);
    QVector<double> x;
    QVector<double> precision;
    QVector<double> recall;
    QVector<double> f1;
    for (std::size_t i = 0; i < curve.points.size(); i += step) {
        const ThresholdPoint &p = curve.points[i];
        x.push_back(p.threshold);
        precision.push_back(p.precision);
        recall.push_back(p.recall);
        f1.push_back(p.f1);
    }
    setSeriesData(0, x, precision);
    setSeriesData(1, x, recall);
    setSeriesData(2, x, f1);
    refresh(); // hides "Measuring…" once there are points; the axes are set for this chart below
    if (!x.isEmpty()) {
        const double margin = std::max(0.02, (x.back() - x.front()) * 0.03);
        xAxis->setRange(x.front() - margin, x.back() + margin);
    }
    yAxis->setRange(0, 1.05);
    replot(QCustomPlot::rpQueuedReplot);
}

void ThresholdPlot::setThreshold(double threshold)
{
    m_threshold = threshold;
    m_line->point1->setCoords(threshold, 0);
    m_line->point2->setCoords(threshold, 1);
    replot(QCustomPlot::rpQueuedReplot);
}

int ThresholdPlot::pixelOf(double threshold) const
{
    return static_cast<int>(xAxis->coordToPixel(threshold));
}

void ThresholdPlot::dragTo(int x)
{
    const double t = std::clamp(xAxis->pixelToCoord(x), xAxis->range().lower, xAxis->range().upper);
    setThreshold(t);
    emit thresholdDragged(t);
}

void ThresholdPlot::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton && axisRect()->rect().contains(event->pos())) {
        m_dragging = true;
        dragTo(event->pos().x());
        event->accept();
        return;
    }
    ChartWidget::mousePressEvent(event);
}

void ThresholdPlot::mouseMoveEvent(QMouseEvent *event)
{
    if (m_dragging) {
        dragTo(event->pos().x());
        event->accept();
        return;
    }
    ChartWidget::mouseMoveEvent(event);
}

void ThresholdPlot::mouseReleaseEvent(QMouseEvent *event)
{
    if (m_dragging && event->button() == Qt::LeftButton) {
        m_dragging = false;
        event->accept();
        return;
    }
    ChartWidget::mouseReleaseEvent(event);
}

void ThresholdPlot::applyPalette()
{
    ChartWidget::applyPalette();
    if (!m_line)
        return; // called from the base constructor before the line exists
    m_line->setPen(QPen(palette().color(QPalette::WindowText), 2, Qt::DashLine));
    replot(QCustomPlot::rpQueuedReplot);
}

} // namespace pairtune::ui
