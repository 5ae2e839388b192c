#pragma once

#include <QVector>
#include <qcustomplot.h>

namespace pairtune::ui {

// A small QCustomPlot line chart in the studio's style: a title, a legend, colours that follow the
// system palette, series addressed by index, optional dashed baselines (the step-0 evaluation), and
// a replot that is queued so many appended points cost one repaint.
class ChartWidget : public QCustomPlot
{
    Q_OBJECT

public:
    enum class Style { Line, ThinLine, Points };

    explicit ChartWidget(
        const QString &title, const QString &xLabel, const QString &yLabel, QWidget *parent = nullptr);

    int addSeries(const QString &name, const QColor &color, Style style = Style::Line);
    void appendPoint(int series, double x, double y);
    void setSeriesData(int series, const QVector<double> &x, const QVector<double> &y);
    // A dashed horizontal line in the series' colour at y (replaces an earlier one).
    void setBaseline(int series, double y);
    int pointCount(int series) const;
    bool hasBaseline(int series) const;
    // Drops the points after x (a resumed run replays the steps after its checkpoint).
    void removePointsAfter(double x);
    void clearData();
    // Fits the axes to the data (x from 0) and queues one replot.
    void refresh();
    void setLogarithmicY(bool on);
    void setMinimumXRange(double range) { m_minimumXRange = range; }
    void setEmptyText(const QString &text);
    QString titleText() const;
    void setTitleText(const QString &text);

    // The chart's palette-dependent colours, for charts with extra plottables.
    static QColor seriesColor(int index);

protected:
    void changeEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    virtual void applyPalette();

private:
    // Fewer ticks on a small chart, so the axis labels keep apart.
    void fitTickCounts();

    struct Series
    {
        QCPGraph *graph = nullptr;
        QCPItemStraightLine *baseline = nullptr;
    };
    QVector<Series> m_series;
    QCPTextElement *m_title = nullptr;
    QCPItemText *m_empty = nullptr;
    double m_minimumXRange = 1.0;
    bool m_logY = false;
};

} // namespace pairtune::ui
