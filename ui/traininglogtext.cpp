#include "ui/traininglogtext.h"

#include <QCoreApplication>

namespace pairtune::ui {
namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("pairtune::ui::TrainPage", text);
}

QString metricText(const std::map<std::string, double> &metrics, const char *key)
{
    const auto it = metrics.find(key);
    return it == metrics.end() ? QStringLiteral("–") : QString::number(it->second, 'f', 3);
}

} // namespace

QString trainingLogLine(const TrainingEvent &event)
{
    switch (event.type) {
    case TrainingEvent::Type::Started:
        return tr("Training on %1 pairs, evaluating on %2; %3 steps of %4 per epoch.")
                   .arg(event.trainPairs)
                   .arg(event.evalPairs)
                   .arg(event.totalSteps)
                   .arg(event.stepsPerEpoch)
            + (event.message.empty()
                    ? QString()
                    : QStringLiteral(" (") + QString::fromStdString(event.message) + QLatin1Char(')'));
    case TrainingEvent::Type::Step:
        return {};
    case TrainingEvent::Type::Evaluation:
        return tr("Step %1: mrr@10 %2, accuracy@1 %3, cosine of true pairs %4 vs non-pairs %5%6")
            .arg(event.step)
            .arg(metricText(event.metrics, "mrr@10"), metricText(event.metrics, "accuracy@1"),
                metricText(event.metrics, "mean_cos_pos"), metricText(event.metrics, "mean_cos_neg"),
                event.message.empty() ? QString()
                                      : QStringLiteral(" — ") + QString::fromStdString(event.message));
    case TrainingEvent::Type::Checkpoint:
        return tr("Checkpoint at step %1 saved.").arg(event.step);
    case TrainingEvent::Type::Message:
        return QString::fromStdString(event.message);
    case TrainingEvent::Type::Finished:
        return tr("Run %1 at step %2.").arg(QString::fromStdString(event.message)).arg(event.step);
    }
    return {};
}

} // namespace pairtune::ui
