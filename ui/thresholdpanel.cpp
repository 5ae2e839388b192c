#include "ui/thresholdpanel.h"

#include "core/error.h"
#include "data/pairdataset.h"
#include "model/sentencemodel.h"
#include "ui/backgroundtask.h"
#include "ui/thresholdplot.h"

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalBlocker>
#include <QVBoxLayout>

namespace pairtune::ui {
namespace {

struct Measurement
{
    ThresholdPairs pairs;
    QString error;
};

EvalSet readPairs(const std::string &path)
{
    const PairDataset data = PairDataset::load(path);
    EvalSet set;
    for (const PairRecord &r : data.records()) {
        set.anchors.push_back(r.anchor);
        set.positives.push_back(r.positive);
    }
    return set;
}

} // namespace

ThresholdPanel::ThresholdPanel(QWidget *parent)
    : QWidget(parent)
{
    m_plot = new ThresholdPlot(this);
    m_target = new QComboBox(this);
    m_target->setObjectName(QStringLiteral("thresholdTarget"));
    m_target->addItem(tr("Best F1"));
    m_target->addItem(tr("Precision at least"));
    m_precision = new QDoubleSpinBox(this);
    m_precision->setObjectName(QStringLiteral("thresholdPrecision"));
    m_precision->setRange(0.5, 1.0);
    m_precision->setSingleStep(0.01);
    m_precision->setValue(0.9);
    m_precision->setEnabled(false);
    m_threshold = new QDoubleSpinBox(this);
    m_threshold->setObjectName(QStringLiteral("thresholdValue"));
    m_threshold->setRange(-1.0, 1.0);
    m_threshold->setDecimals(4);
    m_threshold->setSingleStep(0.01);
    m_threshold->setToolTip(tr("Two texts match when their cosine similarity is at least this value"));
    m_result = new QLabel(this);
    m_result->setObjectName(QStringLiteral("thresholdResult"));
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 100);
    m_progress->setVisible(false);
    m_store = new QPushButton(tr("Store with the model"), this);
    m_store->setToolTip(tr("Writes similarity_threshold.json and a model card section into the model folder; "
                           "the export copies both"));
    m_store->setEnabled(false);

    auto *targetLabel = new QLabel(tr("&Target:"), this);
    targetLabel->setBuddy(m_target);
    auto *thresholdLabel = new QLabel(tr("T&hreshold:"), this);
    thresholdLabel->setBuddy(m_threshold);
    auto *controls = new QHBoxLayout;
    controls->addWidget(targetLabel);
    controls->addWidget(m_target);
    controls->addWidget(m_precision);
    controls->addSpacing(12);
    controls->addWidget(thresholdLabel);
    controls->addWidget(m_threshold);
    controls->addWidget(m_result, 1);
    controls->addWidget(m_store);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot, 1);
    layout->addLayout(controls);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);

    connect(m_target, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_precision->setEnabled(index == 1);
        applyTarget();
    });
    connect(m_precision, &QDoubleSpinBox::valueChanged, this, &ThresholdPanel::applyTarget);
    connect(m_threshold, &QDoubleSpinBox::valueChanged, this, [this](double t) { showThreshold(t, false); });
    connect(m_plot, &ThresholdPlot::thresholdDragged, this, [this](double t) { showThreshold(t, false); });
    connect(m_store, &QPushButton::clicked, this, &ThresholdPanel::store);
}

void ThresholdPanel::setSource(const QString &modelFolder, const QString &pairsFile)
{
    m_modelFolder = modelFolder;
    m_store->setEnabled(false);
    m_progress->setValue(0);
    m_progress->setVisible(true);
    m_status->setText(tr("Scoring the held-out pairs and non-pairs with the model…"));
    const int generation = ++*m_generation;
    auto current = m_generation;
    QPointer<QProgressBar> bar = m_progress;
    const std::string model = modelFolder.toStdString();
    const std::string pairs = pairsFile.toStdString();
    runInBackground<Measurement>(
        this,
        [model, pairs, bar, current, generation] {
            Measurement m;
            try {
                ThresholdPairOptions options;
                options.progress = [bar, current, generation](double done, const std::string &) {
                    if (*current != generation)
                        throw Error("superseded", Error::Kind::Cancelled);
                    QMetaObject::invokeMethod(
                        bar,
                        [bar, done] {
                            if (bar)
                                bar->setValue(static_cast<int>(done * 100));
                        },
                        Qt::QueuedConnection);
                };
                m.pairs = scoreThresholdPairs(SentenceModel::load(model), readPairs(pairs), options);
            } catch (const std::exception &e) {
                m.error = QString::fromStdString(e.what());
            }
            return m;
        },
        [this, generation, pairsFile](const Measurement &m) {
            if (*m_generation != generation)
                return;
            m_progress->setVisible(false);
            if (!m.error.isEmpty()) {
                m_status->setText(tr("Could not measure a threshold: %1").arg(m.error));
                emit measured();
                return;
            }
            setPairs(m.pairs, tr("the held-out pairs (%1)").arg(QFileInfo(pairsFile).fileName()));
        });
}

void ThresholdPanel::setPairs(const ThresholdPairs &pairs, const QString &dataName)
{
    m_pairs = pairs;
    m_dataName = dataName;
    m_curve = thresholdCurve(pairs.pairs);
    m_plot->setCurve(m_curve);
    m_status->setText(tr("%1 true pairs, %2 non-pairs (%3 other anchors' positives at random, %4 hardest "
                         "wrong positives). Drag the line or type a threshold.")
                          .arg(pairs.truePairs)
                          .arg(pairs.inBatchNonPairs + pairs.hardNonPairs)
                          .arg(pairs.inBatchNonPairs)
                          .arg(pairs.hardNonPairs));
    m_store->setEnabled(!m_modelFolder.isEmpty() && !m_curve.points.empty());
    applyTarget();
    emit measured();
}

double ThresholdPanel::threshold() const
{
    return m_threshold->value();
}

QString ThresholdPanel::resultText() const
{
    return m_result->text() + QLatin1Char('\n') + m_status->text();
}

void ThresholdPanel::applyTarget()
{
    if (m_curve.points.empty())
        return;
    ThresholdTarget target;
    if (m_target->currentIndex() == 1) {
        target.kind = ThresholdTarget::Kind::Precision;
        target.precision = m_precision->value();
    }
    std::string whyNot;
    const std::optional<ThresholdPoint> point = chooseThreshold(m_curve, target, &whyNot);
    if (!point) {
        m_result->setText(QString::fromStdString(whyNot));
        return;
    }
    showThreshold(point->threshold, true);
}

void ThresholdPanel::showThreshold(double threshold, bool fromTarget)
{
    m_fromTarget = fromTarget;
    m_shown = pointAt(m_curve, static_cast<float>(threshold));
    {
        const QSignalBlocker blocker(m_threshold);
        m_threshold->setValue(threshold);
    }
    m_plot->setThreshold(threshold);
    m_result->setText(tr("precision %1 · recall %2 · F1 %3")
                          .arg(m_shown.precision, 0, 'f', 3)
                          .arg(m_shown.recall, 0, 'f', 3)
                          .arg(m_shown.f1, 0, 'f', 3));
}

void ThresholdPanel::store()
{
    SimilarityThreshold stored;
    stored.target.kind
        = m_target->currentIndex() == 1 ? ThresholdTarget::Kind::Precision : ThresholdTarget::Kind::BestF1;
    stored.target.precision = m_precision->value();
    stored.user = !m_fromTarget;
    stored.point = m_shown;
    stored.truePairs = m_pairs.truePairs;
    stored.inBatchNonPairs = m_pairs.inBatchNonPairs;
    stored.hardNonPairs = m_pairs.hardNonPairs;
    stored.data = m_dataName.toStdString();
    try {
        storeSimilarityThreshold(m_modelFolder.toStdString(), stored);
        m_status->setText(tr("Stored in %1; the export writes it with the model.")
                              .arg(QDir::toNativeSeparators(m_modelFolder + "/" + kSimilarityThresholdFile)));
    } catch (const std::exception &e) {
        m_status->setText(tr("Could not store the threshold: %1").arg(QString::fromStdString(e.what())));
    }
}

} // namespace pairtune::ui
