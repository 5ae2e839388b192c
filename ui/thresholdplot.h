#pragma once

#include "eval/thresholdcurve.h"
#include "ui/chartwidget.h"

namespace pairtune::ui {

// Precision, recall and F1 of "cosine >= t is a match" against t, with a vertical line at the chosen
// threshold that the mouse drags (thresholdDragged tells the panel while the button is held).
class ThresholdPlot : public ChartWidget
{
    Q_OBJECT

public:
    explicit ThresholdPlot(QWidget *parent = nullptr);

    void setCurve(const ThresholdCurve &curve);
    void setThreshold(double threshold);
    double threshold() const { return m_threshold; }
    // The widget x pixel of a threshold (for tests that drag the line).
    int pixelOf(double threshold) const;

signals:
    void thresholdDragged(double threshold);

protected:
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void applyPalette() override;

private:
    void dragTo(int x);

    QCPItemStraightLine *m_line = nullptr;
    double m_threshold = 0.5;
    bool m_dragging = false;
};

} // namespace pairtune::ui
