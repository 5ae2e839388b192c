#include "ui/chartwidget.h"

#include <QResizeEvent>

#include <algorithm>
#include <cmath>
#include <limits>

namespace pairtune::ui {

ChartWidget::ChartWidget(const QString &title, const QString &xLabel, const QString &yLabel, QWidget *parent)
    : QCustomPlot(parent)
{
    setMinimumSize(fontMetrics().averageCharWidth() * 36, fontMetrics().height() * 12);
    setNoAntialiasingOnDrag(true);
    plotLayout()->insertRow(0);
    m_title = new QCPTextElement(
        this, title, QFont(font().family(), int(font().pointSizeF() * 1.05), QFont::Bold));
    plotLayout()->addElement(0, 0, m_title);
    xAxis->setLabel(xLabel);
    yAxis->setLabel(yLabel);
    // The legend goes in a row under the plot, never over the curves.
    legend->setVisible(true);
    legend->setFont(font());
    axisRect()->insetLayout()->take(legend);
    plotLayout()->addElement(2, 0, legend);
    plotLayout()->setRowStretchFactor(2, 0.001);
    legend->setFillOrder(QCPLegend::foColumnsFirst);
    legend->setColumnSpacing(fontMetrics().averageCharWidth() * 3);
    legend->setBorderPen(Qt::NoPen);
    legend->setMargins(QMargins(4, 0, 4, 2));
    m_empty = new QCPItemText(this);
    m_empty->setPositionAlignment(Qt::AlignCenter);
    m_empty->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_empty->position->setCoords(0.5, 0.5);
    m_empty->setVisible(false);
    xAxis->setRange(0, m_minimumXRange);
    fitTickCounts();
    applyPalette();
}

QColor ChartWidget::seriesColor(int index)
{
    // Tableau 10: distinguishable, readable on light and dark backgrounds.
    static const QColor colors[] = { QColor(0x4e, 0x79, 0xa7), QColor(0xf2, 0x8e, 0x2b),
        QColor(0xe1, 0x57, 0x59), QColor(0x59, 0xa1, 0x4f), QColor(0xb0, 0x7a, 0xa1),
        QColor(0x76, 0xb7, 0xb2), QColor(0xed, 0xc9, 0x48) };
    return colors[index % int(std::size(colors))];
}

int ChartWidget::addSeries(const QString &name, const QColor &color, Style style)
{
    Series series;
    series.graph = addGraph();
    series.graph->setName(name);
    QPen pen(color);
    pen.setWidthF(style == Style::ThinLine ? 1.0 : 2.0);
    if (style == Style::ThinLine) {
        QColor faded = color;
        faded.setAlphaF(0.45);
        pen.setColor(faded);
    }
    series.graph->setPen(pen);
    if (style == Style::Points) {
        series.graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, color, color, 6));
        pen.setWidthF(1.5);
        series.graph->setPen(pen);
    }
    m_series.push_back(series);
    return int(m_series.size()) - 1;
}

void ChartWidget::appendPoint(int series, double x, double y)
{
    if (!std::isfinite(y) || (m_logY && y <= 0))
        return;
    m_series[series].graph->addData(x, y);
}

void ChartWidget::setSeriesData(int series, const QVector<double> &x, const QVector<double> &y)
{
    m_series[series].graph->setData(x, y, true);
}

void ChartWidget::setBaseline(int series, double y)
{
    Series &s = m_series[series];
    if (!std::isfinite(y))
        return;
    if (!s.baseline) {
        s.baseline = new QCPItemStraightLine(this);
        QPen pen = s.graph->pen();
        pen.setStyle(Qt::DashLine);
        pen.setWidthF(1.2);
        s.baseline->setPen(pen);
        s.baseline->setSelectable(false);
    }
    s.baseline->point1->setCoords(0, y);
    s.baseline->point2->setCoords(1, y);
}

int ChartWidget::pointCount(int series) const
{
    return m_series[series].graph->dataCount();
}

bool ChartWidget::hasBaseline(int series) const
{
    return m_series[series].baseline != nullptr;
}

void ChartWidget::removePointsAfter(double x)
{
    for (Series &s : m_series)
        s.graph->data()->removeAfter(x + 1e-9);
}

void ChartWidget::clearData()
{
    for (Series &s : m_series) {
        s.graph->data()->clear();
        if (s.baseline) {
            removeItem(s.baseline);
            s.baseline = nullptr;
        }
    }
    refresh();
}

void ChartWidget::setLogarithmicY(bool on)
{
    m_logY = on;
    yAxis->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    yAxis->setTicker(on ? QSharedPointer<QCPAxisTicker>(new QCPAxisTickerLog)
                        : QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    fitTickCounts();
}

void ChartWidget::resizeEvent(QResizeEvent *event)
{
    fitTickCounts();
    QCustomPlot::resizeEvent(event);
}

void ChartWidget::fitTickCounts()
{
    // The ticker's count is a wish (it picks round steps near it): about one x label per 12 characters
    // (labels like "1,500" or "0.25" and the space between them) and one y label per 3 lines of text
    // of the plot area, which is roughly the widget less its title, axis labels and legend.
    const QFontMetrics metrics(xAxis->tickLabelFont());
    const int plotWidth = width() - metrics.averageCharWidth() * 10;
    const int plotHeight = height() - metrics.height() * 6;
    xAxis->ticker()->setTickCount(std::clamp(plotWidth / (metrics.averageCharWidth() * 12), 2, 5));
    yAxis->ticker()->setTickCount(std::clamp(plotHeight / (metrics.height() * 3), 2, 5));
}

void ChartWidget::setEmptyText(const QString &text)
{
    m_empty->setText(text);
    refresh();
}

QString ChartWidget::titleText() const
{
    return m_title->text();
}

void ChartWidget::setTitleText(const QString &text)
{
    m_title->setText(text);
    replot(QCustomPlot::rpQueuedReplot);
}

void ChartWidget::refresh()
{
    double xMax = 0;
    double yMin = std::numeric_limits<double>::max();
    double yMax = std::numeric_limits<double>::lowest();
    bool any = false;
    for (const Series &s : std::as_const(m_series)) {
        bool found = false;
        const QCPRange keys = s.graph->data()->keyRange(found);
        if (found) {
            any = true;
            xMax = std::max(xMax, keys.upper);
            const QCPRange values = s.graph->data()->valueRange(found, QCP::sdBoth);
            if (found) {
                yMin = std::min(yMin, values.lower);
                yMax = std::max(yMax, values.upper);
            }
        }
        if (s.baseline) {
            const double y = s.baseline->point1->coords().y();
            yMin = std::min(yMin, y);
            yMax = std::max(yMax, y);
        }
    }
    m_empty->setVisible(!any && !m_empty->text().isEmpty());
    xAxis->setRange(0, std::max(xMax, m_minimumXRange));
    if (yMin <= yMax) {
        if (m_logY) {
            yAxis->setRange(yMin / 1.3, yMax * 1.3);
        } else {
            const double span = std::max(yMax - yMin, std::max(std::abs(yMax), 1.0) * 1e-3);
            // Data that never goes below zero (loss, learning rate, rates) gets no negative axis.
            const double lower = yMin >= 0 ? std::max(0.0, yMin - span * 0.08) : yMin - span * 0.08;
            yAxis->setRange(lower, yMax + span * 0.08);
        }
    }
    replot(QCustomPlot::rpQueuedReplot);
}

void ChartWidget::changeEvent(QEvent *event)
{
    QCustomPlot::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        applyPalette();
}

// QCustomPlot draws with fixed black-on-white defaults; take every colour from the palette instead so
// the charts match light and dark desktop themes.
void ChartWidget::applyPalette()
{
    const QPalette pal = palette();
    const QColor text = pal.color(QPalette::WindowText);
    QColor grid = pal.color(QPalette::Mid);
    grid.setAlphaF(0.5);
    setBackground(pal.brush(QPalette::Base));
    for (QCPAxis *axis : { xAxis, yAxis, xAxis2, yAxis2 }) {
        axis->setBasePen(QPen(text, 1));
        axis->setTickPen(QPen(text, 1));
        axis->setSubTickPen(QPen(text, 1));
        axis->setTickLabelColor(text);
        axis->setLabelColor(text);
        axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
        axis->grid()->setZeroLinePen(Qt::NoPen);
    }
    m_title->setTextColor(text);
    m_empty->setColor(pal.color(QPalette::PlaceholderText));
    legend->setBrush(pal.brush(QPalette::Base));
    legend->setTextColor(text);
    replot(QCustomPlot::rpQueuedReplot);
}

} // namespace pairtune::ui
