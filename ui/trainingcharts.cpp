#include "ui/trainingcharts.h"

#include "ui/chartwidget.h"
#include "ui/textformat.h"

#include <QGridLayout>
#include <QLabel>
#include <QLocale>

#include <limits>

namespace pairtune::ui {
namespace {

double metricValue(const TrainingEvent &event, const char *key)
{
    const auto it = event.metrics.find(key);
    return it == event.metrics.end() ? std::numeric_limits<double>::quiet_NaN() : it->second;
}

} // namespace

TrainingCharts::TrainingCharts(QWidget *parent)
    : QWidget(parent)
{
    m_loss = new ChartWidget(tr("Training loss"), tr("step"), tr("loss"), this);
    m_loss->setObjectName(QStringLiteral("lossChart"));
    m_rawLoss = m_loss->addSeries(tr("per step"), ChartWidget::seriesColor(0), ChartWidget::Style::ThinLine);
    m_smoothedLoss = m_loss->addSeries(tr("smoothed"), ChartWidget::seriesColor(0));

    m_retrieval = new ChartWidget(tr("Retrieval on held-out pairs"), tr("step"), tr("score"), this);
    m_retrieval->setObjectName(QStringLiteral("retrievalChart"));
    m_mrr = m_retrieval->addSeries(
        QStringLiteral("mrr@10"), ChartWidget::seriesColor(1), ChartWidget::Style::Points);
    m_accuracy = m_retrieval->addSeries(
        QStringLiteral("accuracy@1"), ChartWidget::seriesColor(3), ChartWidget::Style::Points);

    m_similarity = new ChartWidget(tr("Cosine on held-out pairs"), tr("step"), tr("mean cosine"), this);
    m_similarity->setObjectName(QStringLiteral("similarityChart"));
    m_cosPositive
        = m_similarity->addSeries(tr("true pairs"), ChartWidget::seriesColor(3), ChartWidget::Style::Points);
    m_cosNegative
        = m_similarity->addSeries(tr("non-pairs"), ChartWidget::seriesColor(2), ChartWidget::Style::Points);

    m_learningRate = new ChartWidget(tr("Learning rate"), tr("step"), tr("lr"), this);
    m_learningRate->setObjectName(QStringLiteral("learningRateChart"));
    m_lr = m_learningRate->addSeries(tr("learning rate"), ChartWidget::seriesColor(4));
    m_learningRate->yAxis->setNumberFormat(QStringLiteral("g"));
    m_learningRate->yAxis->setNumberPrecision(2);

    const QString waiting = tr("Waiting for the first step…");
    m_loss->setEmptyText(waiting);
    m_learningRate->setEmptyText(waiting);
    const QString dashed = tr("Dashed: before training. Waiting for the first evaluation…");
    m_retrieval->setEmptyText(dashed);
    m_similarity->setEmptyText(dashed);

    m_scopeNote = new QLabel(this);
    m_scopeNote->setObjectName(QStringLiteral("evaluationScope"));
    m_scopeNote->setWordWrap(true);
    m_scopeNote->hide();

    auto *layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_loss, 0, 0);
    layout->addWidget(m_retrieval, 0, 1);
    layout->addWidget(m_learningRate, 1, 0);
    layout->addWidget(m_similarity, 1, 1);
    layout->addWidget(m_scopeNote, 2, 0, 1, 2);
    layout->setRowStretch(0, 1);
    layout->setRowStretch(1, 1);
}

QString TrainingCharts::evaluationScopeText() const
{
    return m_scopeNote->text();
}

void TrainingCharts::updateScopeNote()
{
    const auto pairs
        = [](std::size_t n) { return countOf(qint64(n), tr("held-out pair"), tr("held-out pairs")); };
    QString text;
    if (m_samplePairs > 0 && m_allPairs > 0)
        text
            = tr("Evaluations: the first (dashed) and the last score all %1; those in between a fixed sample "
                 "of %2 of them (eval_sample), so their points can differ a little from a full evaluation.")
                  .arg(pairs(m_allPairs), QLocale().toString(qulonglong(m_samplePairs)));
    else if (m_samplePairs > 0)
        text = tr("Evaluations in between score a fixed sample of %1 (eval_sample).")
                   .arg(pairs(m_samplePairs));
    else if (m_allPairs > 0)
        text = tr("Evaluations score all %1.").arg(pairs(m_allPairs));
    m_scopeNote->setText(text);
    m_scopeNote->setVisible(!text.isEmpty());
}

void TrainingCharts::addEvents(const std::vector<TrainingEvent> &events)
{
    bool steps = false;
    bool evaluations = false;
    for (const TrainingEvent &event : events) {
        const auto x = double(event.step);
        if (event.type == TrainingEvent::Type::Step) {
            m_loss->appendPoint(m_rawLoss, x, event.loss);
            m_loss->appendPoint(m_smoothedLoss, x, event.smoothedLoss);
            m_learningRate->appendPoint(m_lr, x, event.learningRate);
            steps = true;
        } else if (event.type == TrainingEvent::Type::Evaluation) {
            const std::pair<int, const char *> retrieval[]
                = { { m_mrr, "mrr@10" }, { m_accuracy, "accuracy@1" } };
            const std::pair<int, const char *> similarity[]
                = { { m_cosPositive, "mean_cos_pos" }, { m_cosNegative, "mean_cos_neg" } };
            for (const auto &[series, key] : retrieval) {
                m_retrieval->appendPoint(series, x, metricValue(event, key));
                if (event.step == 0)
                    m_retrieval->setBaseline(series, metricValue(event, key));
            }
            for (const auto &[series, key] : similarity) {
                m_similarity->appendPoint(series, x, metricValue(event, key));
                if (event.step == 0)
                    m_similarity->setBaseline(series, metricValue(event, key));
            }
            // Lines written before evaluation budgets (no eval_scope) scored all held-out pairs.
            (event.evalScope == "sample" ? m_samplePairs : m_allPairs) = event.evalPairs;
            evaluations = true;
        } else if (event.type == TrainingEvent::Type::Started && event.totalSteps > 0) {
            setTotalSteps(event.totalSteps);
        }
    }
    if (steps) {
        m_loss->refresh();
        m_learningRate->refresh();
    }
    if (evaluations) {
        m_retrieval->refresh();
        m_similarity->refresh();
        updateScopeNote();
    }
}

void TrainingCharts::clear()
{
    for (ChartWidget *chart : { m_loss, m_retrieval, m_similarity, m_learningRate })
        chart->clearData();
    m_allPairs = 0;
    m_samplePairs = 0;
    updateScopeNote();
}

void TrainingCharts::removeAfter(std::int64_t step)
{
    for (ChartWidget *chart : { m_loss, m_retrieval, m_similarity, m_learningRate }) {
        chart->removePointsAfter(double(step));
        chart->refresh();
    }
}

void TrainingCharts::setTotalSteps(std::int64_t steps)
{
    // A fixed x range from the start: the curves grow to the right instead of rescaling every step.
    for (ChartWidget *chart : { m_loss, m_retrieval, m_similarity, m_learningRate }) {
        chart->setMinimumXRange(double(std::max<std::int64_t>(1, steps)));
        chart->refresh();
    }
}

} // namespace pairtune::ui
