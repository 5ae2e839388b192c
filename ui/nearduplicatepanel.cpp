#include "ui/nearduplicatepanel.h"

#include "core/error.h"
#include "data/pairdataset.h"
#include "recipe/datasplit.h"
#include "ui/backgroundtask.h"
#include "ui/loadedmodel.h"
#include "ui/textformat.h"

#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSizePolicy>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <atomic>

namespace pairtune::ui {

// Written by the check's thread, read by the GUI thread's timer: plain atomics, so the check never
// waits for the GUI and a slow repaint never slows the check.
struct NearDuplicatePanel::Progress
{
    std::atomic<bool> cancel { false };
    std::atomic<int> stage { 0 }; // NearDuplicateStage
    std::atomic<std::size_t> done { 0 };
    std::atomic<std::size_t> total { 0 };
};

namespace {

struct CheckOutcome
{
    std::shared_ptr<const NearDuplicateGroups> groups;
    QString error;
    bool cancelled = false;
};

QString seconds(double s)
{
    return QLocale().toString(s, 'f', s < 10 ? 2 : 1) + QStringLiteral(" s");
}

// The split the trainer makes from these settings and groups (prepareTrainingData in
// train/trainingdata.cpp), so the numbers shown are the run's own.
Split trainerSplit(const TrainingConfig &config, const NearDuplicateGroups &groups)
{
    const std::size_t rows = groups.rowGroup.size();
    Split split = config.groupNearDuplicates
        ? splitIndicesGrouped(rows, config.trainFraction, config.seed, groups.rowGroup)
        : splitIndices(rows, config.trainFraction, config.seed);
    if (config.dropNearDuplicates)
        split = dropWithinTrainRepeats(split, groups.rowGroup);
    return split;
}

QTableWidgetItem *item(const QString &text)
{
    auto *cell = new QTableWidgetItem(text);
    cell->setToolTip(text);
    cell->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
    return cell;
}

} // namespace

NearDuplicatePanel::NearDuplicatePanel(QWidget *parent)
    : QWidget(parent)
{
    m_threshold = new QDoubleSpinBox(this);
    m_threshold->setObjectName(QStringLiteral("nearDuplicateThreshold"));
    m_threshold->setRange(0.01, 1.0);
    m_threshold->setDecimals(3);
    m_threshold->setSingleStep(0.01);
    m_threshold->setValue(kDefaultNearDuplicateThreshold);
    m_threshold->setKeyboardTracking(false);
    m_threshold->setToolTip(tr("Texts whose cosine under the base model is at least this are near-copies."));
    m_check = new QPushButton(tr("Check"), this);
    m_check->setObjectName(QStringLiteral("runNearDuplicateCheck"));
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("cancelNearDuplicateCheck"));
    m_progress = new QProgressBar(this);
    m_progress->setTextVisible(true);
    QSizePolicy keepPlace = m_progress->sizePolicy();
    keepPlace.setRetainSizeWhenHidden(true); // the row's buttons keep their size between checks
    m_progress->setSizePolicy(keepPlace);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("nearDuplicateStatus"));
    m_status->setWordWrap(true);
    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Near-copies at cosine ≥ τ ="), this));
    top->addWidget(m_threshold);
    top->addWidget(m_check);
    top->addWidget(m_cancel);
    top->addWidget(m_progress, 1);

    m_counts = new QLabel(this);
    m_counts->setObjectName(QStringLiteral("nearDuplicateCounts"));
    m_counts->setWordWrap(true);
    m_counts->setTextFormat(Qt::RichText);
    m_counts->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_examples = new QTableWidget(0, 4, this);
    m_examples->setObjectName(QStringLiteral("nearDuplicateExamples"));
    m_examples->setHorizontalHeaderLabels({ tr("Text A"), tr("Text B"), tr("Cosine"), tr("Where") });
    m_examples->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_examples->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_examples->horizontalHeader()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    m_examples->horizontalHeader()->setSectionResizeMode(3, QHeaderView::ResizeToContents);
    m_examples->verticalHeader()->hide();
    m_examples->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_examples->setWordWrap(false);
    m_examples->setTextElideMode(Qt::ElideMiddle); // near-copies differ anywhere, often at the end

    m_groupFix = new QPushButton(this);
    m_groupFix->setObjectName(QStringLiteral("groupNearDuplicatesFix"));
    m_groupFix->setToolTip(tr("Sets \"%1\" in the settings: every group of near-copies is trained on or "
                              "held out as a whole, so held-out scores are not inflated by copies.")
                               .arg(tr("Keep near-duplicate groups on one side of the split")));
    m_dropFix = new QPushButton(this);
    m_dropFix->setObjectName(QStringLiteral("dropNearDuplicatesFix"));
    m_dropFix->setToolTip(tr("Sets \"%1\" in the settings: training keeps one pair of each group of "
                             "near-copies, so no batch holds two of them as false negatives.")
                              .arg(tr("Drop near-duplicate repeats from training")));
    auto *fixes = new QHBoxLayout;
    fixes->addWidget(m_groupFix);
    fixes->addWidget(m_dropFix);
    fixes->addStretch();

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_status);
    layout->addWidget(m_counts);
    layout->addWidget(m_examples, 1);
    layout->addLayout(fixes);

    m_poll = new QTimer(this);
    m_poll->setInterval(100);
    connect(m_poll, &QTimer::timeout, this, &NearDuplicatePanel::pollProgress);
    connect(m_check, &QPushButton::clicked, this, &NearDuplicatePanel::check);
    connect(m_cancel, &QPushButton::clicked, this, &NearDuplicatePanel::cancel);
    connect(m_groupFix, &QPushButton::clicked, this, [this] { applyFix(true); });
    connect(m_dropFix, &QPushButton::clicked, this, [this] { applyFix(false); });
    connect(m_threshold, &QDoubleSpinBox::valueChanged, this, [this](double value) {
        if (!m_groups || m_running || float(value) == float(m_groups->threshold))
            return;
        // Groups depend on τ: the report shown would no longer match the number above it.
        m_groups.reset();
        m_report.reset();
        m_problem = tr("τ changed to %1: check again to see the near-copies at this threshold.").arg(value);
        showReport();
    });
    setRunning(false);
    showReport();
}

NearDuplicatePanel::~NearDuplicatePanel()
{
    if (m_progressState)
        m_progressState->cancel = true; // the check would run on for nobody
}

void NearDuplicatePanel::setSource(
    std::shared_ptr<const PairDataset> dataset, std::shared_ptr<const LoadedModel> model)
{
    if (dataset == m_dataset && model == m_model)
        return;
    cancel();
    m_dataset = std::move(dataset);
    m_model = std::move(model);
    m_groups.reset();
    m_report.reset();
    m_problem.clear();
    showReport();
}

void NearDuplicatePanel::setConfig(const TrainingConfig &config)
{
    m_config = config;
    if (!m_groups && !m_running) {
        const QSignalBlocker blocker(m_threshold);
        m_threshold->setValue(config.nearDuplicateThreshold);
    }
    showReport();
}

void NearDuplicatePanel::check()
{
    if (!hasSource()) {
        m_problem = tr("Choose the data and a base model first: the check compares texts under the model "
                       "you will train.");
        showReport();
        return;
    }
    if (m_progressState)
        m_progressState->cancel = true;
    auto progress = std::make_shared<Progress>();
    m_progressState = progress;
    const int generation = ++*m_generation;
    m_groups.reset();
    m_report.reset();
    m_problem.clear();
    setRunning(true);
    showReport();

    NearDuplicateOptions options;
    options.threshold = m_threshold->value();
    runInBackground<CheckOutcome>(
        this,
        [dataset = m_dataset, model = m_model, options, progress]() -> CheckOutcome {
            NearDuplicateCallbacks callbacks;
            callbacks.onProgress = [progress](const NearDuplicateProgress &p) {
                progress->stage = static_cast<int>(p.stage);
                progress->total = p.total;
                progress->done = p.done;
            };
            callbacks.cancelRequested = [progress] { return progress->cancel.load(); };
            try {
                return { std::make_shared<const NearDuplicateGroups>(
                             model->findNearDuplicates(dataset->records(), options, callbacks)),
                    {}, false };
            } catch (const Error &error) {
                return { nullptr, QString::fromUtf8(error.what()), error.kind() == Error::Kind::Cancelled };
            } catch (const std::exception &error) {
                return { nullptr, QString::fromUtf8(error.what()), false };
            }
        },
        [this, generation, current = m_generation](const CheckOutcome &outcome) {
            if (generation != *current)
                return; // a newer check (or a cancel) took over
            finish(outcome.groups, outcome.error, outcome.cancelled);
        });
}

void NearDuplicatePanel::cancel()
{
    if (!m_running)
        return;
    m_progressState->cancel = true;
    // The check stops at its next chunk; its result is dropped, the panel is free at once.
    ++*m_generation;
    finish(nullptr, {}, true);
}

void NearDuplicatePanel::finish(
    std::shared_ptr<const NearDuplicateGroups> groups, const QString &error, bool cancelled)
{
    setRunning(false);
    m_groups = std::move(groups);
    m_problem = cancelled ? tr("Check cancelled.") : error;
    if (m_groups) {
        const QSignalBlocker blocker(m_threshold);
        m_threshold->setValue(m_groups->threshold);
    }
    showReport();
    Q_EMIT finished();
}

void NearDuplicatePanel::pollProgress()
{
    if (!m_running || !m_progressState)
        return;
    const Progress &p = *m_progressState;
    const std::size_t total = p.total;
    const std::size_t done = p.done;
    const bool embedding = p.stage == static_cast<int>(NearDuplicateStage::Embedding);
    m_progress->setRange(0, total > 0 ? 1000 : 0); // busy until the first report
    m_progress->setValue(total > 0 ? int(1000.0 * double(done) / double(total)) : 0);
    m_progress->setFormat(QStringLiteral("%1 / %2").arg(localeNumber(done), localeNumber(total)));
    m_status->setText(embedding ? tr("Embedding the distinct texts with the base model: %1 of %2…")
                                      .arg(localeNumber(done), localeNumber(total))
                                : tr("Searching each text's nearest texts: %1 of %2…")
                                      .arg(localeNumber(done), localeNumber(total)));
}

void NearDuplicatePanel::setRunning(bool running)
{
    m_running = running;
    m_check->setEnabled(!running);
    m_cancel->setEnabled(running);
    m_threshold->setEnabled(!running);
    m_progress->setVisible(running);
    if (running) {
        m_progress->setRange(0, 0);
        m_poll->start();
    } else {
        m_poll->stop();
    }
}

void NearDuplicatePanel::showReport()
{
    m_report.reset();
    QString problem = m_problem;
    if (m_groups) {
        try {
            m_report = reportNearDuplicates(*m_groups, trainerSplit(m_config, *m_groups), 20);
        } catch (const Error &error) {
            problem = QString::fromUtf8(error.what()); // e.g. groups that leave a side empty
        }
    }
    // A fix already in the settings says so on its button, and there it is undone on the form.
    m_groupFix->setEnabled(m_report && !m_config.groupNearDuplicates);
    m_groupFix->setText(m_config.groupNearDuplicates ? tr("✓ Near-duplicates kept on one side of the split")
                                                     : tr("Keep near-duplicates on one side of the split"));
    m_dropFix->setEnabled(m_report && !m_config.dropNearDuplicates);
    m_dropFix->setText(
        m_config.dropNearDuplicates ? tr("✓ Within-set repeats dropped") : tr("Drop within-set repeats"));
    m_examples->setRowCount(0);
    if (!m_running)
        m_status->setText(!problem.isEmpty() ? problem
                : m_report                   ? tr("Checked %1 in %2 (embedding %3, search %4).")
                                 .arg(countOf(qint64(m_report->rows), tr("pair"), tr("pairs")),
                                     seconds(m_report->embedSeconds + m_report->searchSeconds),
                                     seconds(m_report->embedSeconds), seconds(m_report->searchSeconds))
                : hasSource()
                ? tr("Check embeds every distinct text with the base model and looks for near-copies.")
                : tr("Choose the data and a base model first."));
    if (!m_report) {
        m_counts->clear();
        return;
    }
    const NearDuplicateReport &r = *m_report;
    const QString split = m_config.groupNearDuplicates || m_config.dropNearDuplicates
        ? tr(" (split %1%2)")
              .arg(m_config.groupNearDuplicates ? tr("with groups kept on one side") : tr("as usual"),
                  m_config.dropNearDuplicates ? tr(", repeats dropped from training") : QString())
        : QString();
    m_counts->setText(
        tr("%1 distinct texts, %2 with a near-copy · <b>%3</b> of two or more pairs (largest: %4 pairs)<br>"
           "Training: %5 pairs, <b>%6</b> · held out: %7 pairs, <b>%8</b>%9")
            .arg(localeNumber(r.distinctTexts), localeNumber(r.linkedTexts),
                countOf(qint64(r.groups), tr("near-duplicate group"), tr("near-duplicate groups")),
                localeNumber(r.largestGroup), localeNumber(r.trainRows),
                countOf(qint64(r.withinTrainRepeats), tr("within-set repeat"), tr("within-set repeats")),
                localeNumber(r.evalRows))
            .arg(countOf(qint64(r.crossSplitRows), tr("near-copy of a training text"),
                     tr("near-copies of training texts")),
                split));
    if (r.rows >= 10 && r.largestGroup * 2 > r.rows)
        // Seen with a randomly initialised model (the screenshot tour's): every text is a near-copy of
        // every other, and grouping would leave one side of the split empty.
        m_counts->setText(m_counts->text()
            + tr(
                "<br><b>Over half of the pairs form one group:</b> this model hardly tells these texts apart "
                "(is it trained?). Raise τ, or check with a trained base model."));
    const auto addRows = [this](const std::vector<NearDuplicateExample> &examples, const QString &where) {
        for (const NearDuplicateExample &e : examples) {
            const int row = m_examples->rowCount();
            m_examples->insertRow(row);
            m_examples->setItem(row, 0, item(QString::fromStdString(e.textA)));
            m_examples->setItem(row, 1, item(QString::fromStdString(e.textB)));
            m_examples->setItem(row, 2, item(QLocale().toString(e.cosine, 'f', 3)));
            m_examples->setItem(row, 3, item(where));
        }
    };
    addRows(r.crossSplitExamples, tr("across the split"));
    addRows(r.withinTrainExamples, tr("within training"));
}

void NearDuplicatePanel::applyFix(bool group)
{
    if (!m_groups)
        return;
    TrainingConfig config = m_config;
    // The run must find the groups the user just saw: the same τ.
    config.nearDuplicateThreshold = m_groups->threshold;
    (group ? config.groupNearDuplicates : config.dropNearDuplicates) = true;
    setConfig(config);
    Q_EMIT configEdited(config);
}

QString NearDuplicatePanel::statusText() const
{
    return m_status->text();
}

} // namespace pairtune::ui
