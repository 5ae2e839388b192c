#pragma once

// Try & Export's "is this a match?" panel (issue 21 part 2): the chosen model scores the run's held-out
// true pairs and non-pairs off the GUI thread, the precision/recall/F1 curve shows against the cosine
// threshold, the user picks a target (best F1 or precision >= X) or drags the line / types a value, and
// "Store with the model" writes similarity_threshold.json and the model card section into the model
// folder, which the export then copies.

#include "eval/thresholdcurve.h"
#include "train/similaritythreshold.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;

namespace pairtune::ui {

class ThresholdPlot;

class ThresholdPanel : public QWidget
{
    Q_OBJECT

public:
    explicit ThresholdPanel(QWidget *parent = nullptr);

    // Measures modelFolder on the pair file (RUN/eval-pairs.tsv) in the background.
    void setSource(const QString &modelFolder, const QString &pairsFile);
    // Shows already scored pairs (what the background measurement ends with).
    void setPairs(const ThresholdPairs &pairs, const QString &dataName);

    double threshold() const;
    ThresholdPoint shownPoint() const { return m_shown; }
    const ThresholdCurve &curve() const { return m_curve; }
    ThresholdPlot *plot() const { return m_plot; }
    QDoubleSpinBox *thresholdBox() const { return m_threshold; }
    QString resultText() const;

signals:
    void measured(); // a curve is shown (or the measurement failed: see resultText)

private:
    void applyTarget();
    void showThreshold(double threshold, bool fromTarget);
    void store();

    ThresholdPlot *m_plot = nullptr;
    QComboBox *m_target = nullptr;
    QDoubleSpinBox *m_precision = nullptr;
    QDoubleSpinBox *m_threshold = nullptr;
    QLabel *m_result = nullptr;
    QLabel *m_status = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_store = nullptr;
    ThresholdPairs m_pairs;
    ThresholdCurve m_curve;
    ThresholdPoint m_shown;
    bool m_fromTarget = true;
    QString m_modelFolder;
    QString m_dataName;
    std::shared_ptr<int> m_generation = std::make_shared<int>(0); // a newer source drops older results
};

} // namespace pairtune::ui
