#pragma once

#include "ui/chartwidget.h"

namespace pairtune::ui {

// The made-up similarity labels of the recipe (docs/formats.md §5.3): uniform over
// [mean − 0.5/scaling, mean + 0.5/scaling), drawn as its density so the user sees at a glance how
// narrow the labels are and whether they leave the range a cosine can reach.
class ScoreDistributionPlot : public ChartWidget
{
    Q_OBJECT

public:
    explicit ScoreDistributionPlot(QWidget *parent = nullptr);

    void setDistribution(double mean, double scaling);
    double lower() const { return m_lower; }
    double upper() const { return m_upper; }

protected:
    void applyPalette() override;

private:
    QCPCurve *m_density = nullptr;
    QCPItemStraightLine *m_cosineLimit = nullptr;
    QCPItemText *m_caption = nullptr;
    double m_lower = 0;
    double m_upper = 0;
};

} // namespace pairtune::ui
