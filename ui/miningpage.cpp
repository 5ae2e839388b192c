#include "ui/miningpage.h"

#include "core/error.h"
#include "data/pairdataset.h"
#include "ui/backgroundtask.h"
#include "ui/loadedmodel.h"
#include "ui/messagebanner.h"
#include "ui/minednegatives.h"
#include "ui/miningreview.h"
#include "ui/miningsources.h"
#include "ui/runestimate.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

#include <climits>

namespace pairtune::ui {

// Written by the mining worker, read by the GUI's progress timer; cancel goes the other way.
struct MiningPage::Progress
{
    std::atomic<bool> searching { false };
    std::atomic<std::size_t> done { 0 };
    std::atomic<std::size_t> total { 0 };
    std::atomic<bool> cancel { false };
};

namespace {

struct Outcome
{
    std::shared_ptr<MiningResult> result;
    QString error;
    bool cancelled = false;
};

QScrollArea *scrolling(QWidget *content, QWidget *parent)
{
    auto *scroll = new QScrollArea(parent);
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    return scroll;
}

} // namespace

MiningPage::MiningPage(QWidget *parent)
    : WizardPage(parent)
    , m_progressState(std::make_shared<Progress>())
{
    auto *options = new QGroupBox(tr("Mining"), this);
    auto *form = new QFormLayout(options);
    m_perRow = new QSpinBox(options);
    m_perRow->setObjectName(QStringLiteral("negativesPerAnchor"));
    m_perRow->setRange(1, 16);
    m_perRow->setValue(int(SelectionRules {}.numNegatives));
    m_perRow->setToolTip(tr("Each negative adds one text per pair to every training step."));
    form->addRow(tr("Negatives per &anchor:"), m_perRow);
    connect(m_perRow, &QSpinBox::valueChanged, this, &MiningPage::updateGuidance);
    m_rangeMin = new QSpinBox(options);
    m_rangeMin->setObjectName(QStringLiteral("rangeMin"));
    m_rangeMin->setRange(0, 1000);
    m_rangeMin->setToolTip(tr("Skip this many of the nearest candidates that pass the guards (range_min)."));
    m_rangeMax = new QSpinBox(options);
    m_rangeMax->setObjectName(QStringLiteral("rangeMax"));
    m_rangeMax->setRange(0, 1000);
    m_rangeMax->setSpecialValueText(tr("automatic"));
    m_rangeMax->setToolTip(tr("Draw from the nearest N candidates that pass the guards (range_max; "
                              "automatic: skipped + 10 × negatives per anchor, as sentence-transformers)."));
    auto *range = new QHBoxLayout;
    range->addWidget(m_rangeMin);
    range->addWidget(new QLabel(tr("to"), options));
    range->addWidget(m_rangeMax);
    form->addRow(tr("Nearest ranks:"), range);
    m_marginOn = new QCheckBox(tr("Skip candidates above"), options);
    m_marginOn->setObjectName(QStringLiteral("marginOn"));
    m_marginOn->setChecked(true);
    m_margin = new QSpinBox(options);
    m_margin->setObjectName(QStringLiteral("margin"));
    m_margin->setRange(50, 100);
    m_margin->setSuffix(tr(" % of the positive's score"));
    m_margin->setValue(95);
    m_margin->setToolTip(tr("The false-negative guard (NV-Retriever's TopK-PercPos): a candidate the model "
                            "finds nearly as close as the real positive is probably another right answer."));
    connect(m_marginOn, &QCheckBox::toggled, m_margin, &QWidget::setEnabled);
    form->addRow(m_marginOn, m_margin);
    m_capOn = new QCheckBox(tr("Skip candidates above"), options);
    m_capOn->setObjectName(QStringLiteral("capOn"));
    m_cap = new QDoubleSpinBox(options);
    m_cap->setObjectName(QStringLiteral("cap"));
    m_cap->setRange(0.0, 1.0);
    m_cap->setSingleStep(0.05);
    m_cap->setDecimals(2);
    m_cap->setValue(0.8);
    m_cap->setPrefix(tr("cosine "));
    m_cap->setEnabled(false);
    connect(m_capOn, &QCheckBox::toggled, m_cap, &QWidget::setEnabled);
    form->addRow(m_capOn, m_cap);
    m_sources = new MiningSources(this);
    connect(m_sources, &MiningSources::changed, this, &MiningPage::updateState);

    m_mine = new QPushButton(tr("&Mine"), this);
    m_mine->setObjectName(QStringLiteral("mineButton"));
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("cancelMining"));
    m_discard = new QPushButton(tr("Train without them"), this);
    m_discard->setObjectName(QStringLiteral("discardMined"));
    m_discard->setToolTip(tr("Forget the mined negatives: the run trains on the pairs as they are."));
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("miningProgress"));
    m_progress->setVisible(false);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("miningStatus"));
    m_status->setWordWrap(true);
    connect(m_mine, &QPushButton::clicked, this, &MiningPage::startMining);
    connect(m_cancel, &QPushButton::clicked, this, &MiningPage::cancelMining);
    connect(m_discard, &QPushButton::clicked, this, &MiningPage::discardMined);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_mine);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_discard);
    buttons->addStretch();

    m_guidance = new QLabel(this);
    m_guidance->setObjectName(QStringLiteral("miningGuidance"));
    m_guidance->setWordWrap(true);
    m_guidance->setTextFormat(Qt::RichText);
    auto *guidanceBox = new QGroupBox(tr("When it helps, what it costs"), this);
    auto *guidanceLayout = new QVBoxLayout(guidanceBox);
    guidanceLayout->addWidget(m_guidance);

    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(options);
    leftLayout->addWidget(m_sources);
    leftLayout->addLayout(buttons);
    leftLayout->addWidget(m_progress);
    leftLayout->addWidget(m_status);
    leftLayout->addWidget(guidanceBox);
    leftLayout->addStretch();

    m_banner = new MessageBanner(this);
    m_review = new MiningReview(this);
    m_review->setVisible(false);
    connect(m_review, &MiningReview::selectionChanged, this, &MiningPage::updateState);
    auto *right = new QWidget(this);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_banner);
    rightLayout->addWidget(m_review, 1);

    // Both columns scroll: the review's chart and sample never set the window's smallest height.
    auto *columns = new QHBoxLayout;
    QScrollArea *leftScroll = scrolling(left, this);
    leftScroll->setMinimumWidth(options->sizeHint().width() + 24);
    columns->addWidget(leftScroll, 2);
    columns->addWidget(scrolling(right, this), 3);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(createHeader(tr("Mine hard negatives (optional)"),
        tr("Find, for each anchor, texts of your other pairs that the model finds close but that are not "
           "its answer, and train on them as negatives. Skip this step (Next) to train on the pairs as "
           "they are.")));
    layout->addLayout(columns, 1);

    m_progressTimer = new QTimer(this);
    m_progressTimer->setInterval(100);
    connect(m_progressTimer, &QTimer::timeout, this, &MiningPage::showProgress);
    updateGuidance();
    updateState();
}

MiningPage::~MiningPage()
{
    m_progressState->cancel = true; // a running worker stops at its next chunk; its result is dropped
}

QString MiningPage::incompleteReason() const
{
    return m_running ? tr("Mining is running: wait for it or cancel it.") : QString();
}

void MiningPage::setInputs(
    std::shared_ptr<const PairDataset> dataset, std::shared_ptr<const LoadedModel> model)
{
    if (dataset == m_dataset && model == m_model)
        return;
    const bool had = hasMined();
    m_dataset = std::move(dataset);
    m_model = std::move(model);
    if (m_running) {
        // Mined from the old inputs: the worker stops at its next chunk and its result is dropped.
        m_progressState->cancel = true;
        m_progressState = std::make_shared<Progress>();
        m_running = false;
        m_progressTimer->stop();
        m_progress->setVisible(false);
        Q_EMIT completeChanged();
    }
    m_mined.reset();
    m_review->show(nullptr, {});
    m_review->setVisible(false);
    if (had)
        m_status->setText(tr("The pairs or the model changed: the mined negatives were discarded."));
    m_sources->setBaseModel(m_model);
    updateState();
    if (had)
        Q_EMIT minedChanged();
}

void MiningPage::setSplit(std::uint64_t seed, double trainFraction)
{
    m_seed = seed;
    m_trainFraction = trainFraction;
    updateState();
}

void MiningPage::setEpochSecondsSource(std::function<double()> source)
{
    m_epochSeconds = std::move(source);
    updateGuidance();
}

void MiningPage::enterPage()
{
    updateGuidance();
}

bool MiningPage::hasMined() const
{
    return m_mined && !m_mined->isEmpty();
}

std::shared_ptr<const PairDataset> MiningPage::pairsForRun(const TrainingConfig &config) const
{
    if (!hasMined())
        return nullptr;
    const std::uint64_t seed = config.seed;
    const double trainFraction = config.trainFraction;
    if (config.groupNearDuplicates)
        throw Error(
            tr("The hard negatives were mined from the plain split, but the settings keep near-duplicate "
               "groups on one side, which holds out other rows: held-out texts could be negatives. "
               "Turn the grouping off, or choose Train without them on the Hard negatives page.")
                .toStdString());
    if (seed != m_mined->seed() || trainFraction != m_mined->trainFraction())
        throw Error(
            tr("The hard negatives were mined for seed %1 and a training share of %2, the settings now "
               "say seed %3 and %4: held-out texts could be negatives. Mine again on the Hard "
               "negatives page, or choose Train without them there.")
                .arg(m_mined->seed())
                .arg(m_mined->trainFraction())
                .arg(seed)
                .arg(trainFraction)
                .toStdString());
    return m_mined->pairs();
}

MiningOptions MiningPage::options() const
{
    MiningOptions options;
    options.seed = m_seed;
    options.trainFraction = m_trainFraction;
    SelectionRules &rules = options.rules;
    rules.numNegatives = std::size_t(m_perRow->value());
    rules.rangeMin = std::size_t(m_rangeMin->value());
    rules.relativeMargin.reset();
    if (m_marginOn->isChecked())
        rules.relativeMargin = 1.0 - m_margin->value() / 100.0;
    if (m_capOn->isChecked())
        rules.maxScore = m_cap->value();
    rules.rangeMax = m_rangeMax->value() > 0 ? std::size_t(m_rangeMax->value()) : defaultRangeMax(rules);
    // Spares after the kept negatives, for unticked ones (ui/minednegatives.h).
    rules.numNegatives += MinedNegatives::sparesFor(rules.numNegatives, rules.rangeMin, rules.rangeMax);
    return options;
}

void MiningPage::startMining()
{
    if (m_running || !m_mine->isEnabled())
        return;
    const MiningOptions chosen = options();
    const std::size_t perRow = std::size_t(m_perRow->value());
    const std::uint64_t seed = m_seed;
    const double trainFraction = m_trainFraction;
    const QString modelName = m_sources->modelDescription();
    const std::size_t corpusTexts = m_sources->corpus().size();
    m_progressState = std::make_shared<Progress>();
    std::shared_ptr<Progress> progress = m_progressState;
    m_running = true;
    m_progress->setRange(0, 0);
    m_progress->setVisible(true);
    m_status->setText(tr("Embedding the texts…"));
    m_progressTimer->start();
    updateState();
    Q_EMIT completeChanged();
    runInBackground<Outcome>(
        this,
        [model = m_sources->model(), dataset = m_dataset, corpus = m_sources->corpus(), chosen,
            progress]() -> Outcome {
            MiningCallbacks callbacks;
            callbacks.onProgress = [progress](const MiningProgress &p) {
                progress->searching = p.stage == MiningStage::Searching;
                progress->total = p.total;
                progress->done = p.done;
            };
            callbacks.cancelRequested = [progress] { return progress->cancel.load(); };
            try {
                return { std::make_shared<MiningResult>(model->mine(*dataset, corpus, chosen, callbacks)), {},
                    false };
            } catch (const Error &error) {
                return { nullptr, QString::fromUtf8(error.what()), error.kind() == Error::Kind::Cancelled };
            } catch (const std::exception &error) {
                return { nullptr, QString::fromUtf8(error.what()), false };
            }
        },
        [this, progress, perRow, seed, trainFraction, modelName, corpusTexts](const Outcome &outcome) {
            if (progress != m_progressState)
                return; // a newer mining (or new inputs) replaced this one
            m_running = false;
            m_progressTimer->stop();
            m_progress->setVisible(false);
            if (outcome.result) {
                m_mined = std::make_unique<MinedNegatives>(*outcome.result, perRow, seed, trainFraction);
                m_report = outcome.result->report;
                m_review->show(m_mined.get(), m_report);
                m_review->setVisible(true);
                const QString with = corpusTexts > 0 ? tr("%1 and %n corpus text(s)", nullptr,
                                         int(std::min<std::size_t>(corpusTexts, INT_MAX)))
                                                           .arg(modelName)
                                                     : modelName;
                m_status->setText(
                    tr("Mined with %1 in %2. Untick the negatives that are really right answers; "
                       "Next trains with the rest.")
                        .arg(with,
                            QString::fromStdString(
                                formatDuration(m_report.embedSeconds + m_report.searchSeconds))));
                Q_EMIT minedChanged();
            } else {
                m_status->setText(
                    outcome.cancelled ? tr("Mining cancelled.") : tr("Mining failed: %1").arg(outcome.error));
            }
            updateState();
            Q_EMIT completeChanged();
            Q_EMIT miningEnded();
        });
}

void MiningPage::cancelMining()
{
    if (!m_running)
        return;
    m_progressState->cancel = true;
    m_status->setText(tr("Cancelling…"));
    m_cancel->setEnabled(false);
}

void MiningPage::discardMined()
{
    if (!hasMined() || m_running)
        return;
    m_mined.reset();
    m_review->show(nullptr, {});
    m_review->setVisible(false);
    m_status->setText(tr("The run trains on the pairs as they are."));
    updateState();
    Q_EMIT minedChanged();
}

void MiningPage::showProgress()
{
    const std::size_t total = m_progressState->total;
    if (total == 0 || m_progressState->cancel)
        return;
    const bool searching = m_progressState->searching;
    m_progress->setRange(0, int(std::min<std::size_t>(total, INT_MAX)));
    m_progress->setValue(int(std::min<std::size_t>(m_progressState->done, INT_MAX)));
    m_progress->setFormat(searching ? tr("Searching: %v of %m anchors") : tr("Embedding: %v of %m texts"));
}

void MiningPage::updateState()
{
    QString blocked;
    if (!m_dataset || !m_sources->model())
        blocked = tr("Choose the pairs and the model first.");
    else if (m_sources->isLoading())
        blocked = tr("Loading the model folder to mine with…");
    else if (m_dataset->negativesPerRecord() > 0)
        blocked = tr("Your pairs already have %n hard negative(s) per row: mining is for anchor–positive "
                     "pairs.",
            nullptr, int(m_dataset->negativesPerRecord()));
    else if (m_dataset->hasScores())
        blocked = tr("Your pairs have scores: they train with a score loss, which uses no negatives.");
    m_mine->setEnabled(!m_running && blocked.isEmpty() && !isReadOnly());
    m_mine->setToolTip(blocked);
    m_cancel->setVisible(m_running);
    m_cancel->setEnabled(m_running);
    m_discard->setVisible(hasMined() && !m_running);
    m_perRow->setEnabled(!m_running);
    m_sources->setEnabled(!m_running);
    if (!blocked.isEmpty() && !m_running && !hasMined())
        m_status->setText(blocked);

    if (hasMined() && (m_mined->seed() != m_seed || m_mined->trainFraction() != m_trainFraction))
        m_banner->showMessage(MessageBanner::Kind::Warning,
            tr("These negatives were mined for seed %1 and a training share of %2; the settings now say seed "
               "%3 and %4. Mine again, or a held-out text could be a negative (the run refuses to start).")
                .arg(m_mined->seed())
                .arg(m_mined->trainFraction())
                .arg(m_seed)
                .arg(m_trainFraction));
    else
        m_banner->clear();
}

void MiningPage::updateGuidance()
{
    QString cost = tr("Mining embeds every training text once: about one epoch of forward passes, roughly a "
                      "third of a training epoch (no backward pass).");
    const double epochSeconds = m_epochSeconds ? m_epochSeconds() : 0.0;
    if (epochSeconds > 0)
        cost += tr(" With the current settings an epoch of the plain pairs takes about %1, so mining about "
                   "%2; training with %3 negative(s) per pair takes about %4 per epoch (each negative is one "
                   "more text per pair).")
                    .arg(QString::fromStdString(formatDuration(epochSeconds)),
                        QString::fromStdString(formatDuration(epochSeconds / 3.0)))
                    .arg(m_perRow->value())
                    .arg(QString::fromStdString(
                        formatDuration(epochSeconds * (2.0 + m_perRow->value()) / 2.0)));
    m_guidance->setText(
        tr("<p><b>When it helps.</b> With in-batch negatives (MNRL) every other pair of the batch is a "
           "negative, and most of them are easy: a question about tax next to one about football. Mined "
           "negatives are the texts the model confuses with the answer, so each step teaches more. It pays "
           "from a few thousand pairs on; with a few hundred the candidates are too few to be hard.</p>"
           "<p><b>What it costs.</b> %1</p>"
           "<p><b>The trap.</b> The nearest texts are often not wrong at all: another correct answer, or the "
           "same answer in other words. Trained as negatives they teach the model to push right answers "
           "away. The margin guard skips every candidate the model scores above the chosen share of the "
           "anchor's real positive (95 %: NV-Retriever's rule); review the sample and untick what is "
           "still a right answer.</p>"
           "<p>Only the training part of the split is mined from: held-out texts never become negatives.</p>")
            .arg(cost));
}

} // namespace pairtune::ui
