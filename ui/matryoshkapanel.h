#pragma once

#include "recipe/trainingconfig.h"
#include "train/trainer.h"

#include <QWidget>

class QLabel;

namespace pairtune::ui {

class ChartWidget;

// Issue 20: how retrieval holds up when the embeddings are cut to smaller sizes (Matryoshka training),
// before and after the run: MRR@10 of the held-out pairs against the size, from the run's first and last
// evaluations (the "dimD/mrr@10" metrics, recipe/matryoshka.h). A run without Matryoshka sizes says how to
// get them.
class MatryoshkaPanel : public QWidget
{
    Q_OBJECT

public:
    explicit MatryoshkaPanel(QWidget *parent = nullptr);

    void setRun(const TrainingConfig &config, const TrainingResult &result);

    ChartWidget *chart() const { return m_chart; }
    QString summaryText() const;

private:
    QLabel *m_summary = nullptr;
    ChartWidget *m_chart = nullptr;
};

} // namespace pairtune::ui
