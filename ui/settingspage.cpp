#include "ui/settingspage.h"

#include "core/error.h"
#include "data/pairdataset.h"
#include "recipe/losskind.h"
#include "ui/loadedmodel.h"
#include "ui/messagebanner.h"
#include "ui/nearduplicatepanel.h"
#include "ui/preferences.h"
#include "ui/scoredistributionplot.h"
#include "ui/settingsform.h"
#include "ui/speedprobe.h"
#include "ui/textformat.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QTimer>
#include <QVBoxLayout>

namespace pairtune::ui {
namespace {

QString percent(double share)
{
    return QLocale().toString(share * 100.0, 'f', share < 0.01 ? 1 : 0) + QLatin1Char('%');
}

// A config that validate() can judge on the settings alone: the paths are chosen on other pages.
TrainingConfig withPlaceholderPaths(TrainingConfig config)
{
    if (config.dataPaths.empty())
        config.dataPaths = { "data" };
    if (config.basePath.empty())
        config.basePath = "builtin";
    if (config.outPath.empty())
        config.outPath = "run";
    return config;
}

bool isDot(const std::string &similarity)
{
    const SimilarityTraits *traits = findSimilarity(similarity);
    return traits && traits->kind == SimilarityKind::Dot;
}

} // namespace

SettingsPage::SettingsPage(QWidget *parent)
    : WizardPage(parent)
{
    m_form = new SettingsForm(this);
    auto *scroll = new QScrollArea(this);
    scroll->setWidget(m_form);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setMinimumWidth(m_form->sizeHint().width() + scroll->verticalScrollBar()->sizeHint().width() + 8);

    auto *presets = new QGroupBox(tr("Presets"), this);
    auto *presetLayout = new QHBoxLayout(presets);
    for (TrainingPreset preset :
        { TrainingPreset::Recipe, TrainingPreset::Recommended, TrainingPreset::QuickCheck }) {
        auto *button = new QPushButton(presetName(preset), presets);
        button->setObjectName(QStringLiteral("preset") + presetName(preset).remove(QLatin1Char(' ')));
        button->setToolTip(presetDescription(preset));
        connect(button, &QPushButton::clicked, this, [this, preset] { applyPreset(preset); });
        if (preset == TrainingPreset::QuickCheck)
            m_quickCheck = button;
        if (preset == TrainingPreset::Recommended)
            m_recommended = button;
        presetLayout->addWidget(button);
    }

    m_plot = new ScoreDistributionPlot(this);
    m_numbers = new QLabel(this);
    m_numbers->setObjectName(QStringLiteral("runNumbers"));
    m_numbers->setWordWrap(true);
    m_numbers->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::LinksAccessibleByMouse);
    connect(m_numbers, &QLabel::linkActivated, this, [this] { measureSpeedAgain(); });
    auto *numbersBox = new QGroupBox(tr("This run"), this);
    auto *numbersLayout = new QVBoxLayout(numbersBox);
    numbersLayout->addWidget(m_numbers);
    // The same settings on several processes (torchrun): the dialog needs the other pages' paths too,
    // so the main window opens it (ui/clustercommanddialog.h).
    auto *cluster = new QPushButton(tr("Run on a &cluster…"), numbersBox);
    cluster->setObjectName(QStringLiteral("runOnCluster"));
    cluster->setToolTip(tr("The torchrun command (or Slurm script) that trains these settings on several "
                           "processes or machines, to copy."));
    connect(cluster, &QPushButton::clicked, this, &SettingsPage::clusterCommandRequested);
    numbersLayout->addWidget(cluster, 0, Qt::AlignRight);

    m_guidanceText = new QLabel(this);
    m_guidanceText->setObjectName(QStringLiteral("guidance"));
    m_guidanceText->setWordWrap(true);
    m_guidanceText->setTextFormat(Qt::RichText);
    auto *guidanceBox = new QGroupBox(tr("Watch out"), this);
    auto *guidanceLayout = new QVBoxLayout(guidanceBox);
    guidanceLayout->addWidget(m_guidanceText);
    guidanceLayout->addStretch();

    m_problemBanner = new MessageBanner(this);
    m_tuningBanner = new MessageBanner(this);
    m_tuningBanner->setObjectName(QStringLiteral("tuningNote"));

    auto *right = new QVBoxLayout;
    right->addWidget(presets);
    right->addWidget(m_problemBanner);
    right->addWidget(m_tuningBanner);
    right->addWidget(m_plot, 2);
    right->addWidget(numbersBox);
    right->addWidget(guidanceBox, 1);
    auto *columns = new QHBoxLayout;
    columns->addWidget(scroll, 0);
    columns->addLayout(right, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(createHeader(tr("Decide how to train"),
        tr("The defaults are the classic recipe. Hover over a setting to see what it does and when to change "
           "it.")));
    layout->addLayout(columns, 1);

    m_updateTimer = new QTimer(this);
    m_updateTimer->setSingleShot(true);
    m_updateTimer->setInterval(120);
    connect(m_updateTimer, &QTimer::timeout, this, &SettingsPage::updateNow);
    m_speedProbe = new SpeedProbe(this);
    connect(m_speedProbe, &SpeedProbe::measured, m_updateTimer, qOverload<>(&QTimer::start));
    connect(m_form, &SettingsForm::changed, this, &SettingsPage::scheduleUpdate);
    connect(m_form, &SettingsForm::nearDuplicateCheckRequested, this, &SettingsPage::showNearDuplicateCheck);
    updateNow();
}

// The check lives here, not on the Data page: it needs the base model (chosen after the data) and it
// reports on the train/eval split, which these settings make; its fixes are settings too. A dialog, so
// the page's smallest height stays what the window's size checks allow.
void SettingsPage::showNearDuplicateCheck()
{
    if (!m_nearDuplicateDialog) {
        m_nearDuplicateDialog = new QDialog(this);
        m_nearDuplicateDialog->setObjectName(QStringLiteral("nearDuplicateDialog"));
        m_nearDuplicateDialog->setWindowTitle(tr("Near-duplicates"));
        m_nearDuplicates = new NearDuplicatePanel(m_nearDuplicateDialog);
        auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, m_nearDuplicateDialog);
        connect(buttons, &QDialogButtonBox::rejected, m_nearDuplicateDialog, &QDialog::reject);
        connect(m_nearDuplicateDialog, &QDialog::rejected, m_nearDuplicates, &NearDuplicatePanel::cancel);
        auto *layout = new QVBoxLayout(m_nearDuplicateDialog);
        layout->addWidget(m_nearDuplicates, 1);
        layout->addWidget(buttons);
        m_nearDuplicateDialog->resize(900, 540);
        connect(m_nearDuplicates, &NearDuplicatePanel::configEdited, this,
            [this](const TrainingConfig &edited) { setConfig(edited); });
        // Settings edited on the form (train fraction, seed, the fixes) re-report at once.
        connect(this, &SettingsPage::configChanged, m_nearDuplicates,
            [this] { m_nearDuplicates->setConfig(config()); });
    }
    m_nearDuplicates->setSource(m_dataset, m_model);
    m_nearDuplicates->setConfig(config());
    m_nearDuplicateDialog->show();
    m_nearDuplicateDialog->raise();
    if (!m_nearDuplicates->report() && !m_nearDuplicates->isRunning())
        m_nearDuplicates->check();
}

void SettingsPage::showEvent(QShowEvent *event)
{
    WizardPage::showEvent(event);
    scheduleUpdate();
}

void SettingsPage::hideEvent(QHideEvent *event)
{
    // Leaving the page (to start a run, usually): a speed measurement must not compete with training
    // for the cores; it resumes when the page shows its estimate again.
    m_speedProbe->pause();
    WizardPage::hideEvent(event);
}

bool SettingsPage::isComplete() const
{
    return m_problems.isEmpty();
}

QString SettingsPage::incompleteReason() const
{
    return m_problems.value(0);
}

TrainingConfig SettingsPage::config() const
{
    return m_form->config();
}

void SettingsPage::setConfig(const TrainingConfig &config)
{
    m_form->setConfig(config);
    updateNow();
}

void SettingsPage::applyPreset(TrainingPreset preset)
{
    setConfig(ui::applyPreset(preset, config(), m_estimate.trainPairs, modelTuning()));
}

void SettingsPage::setData(std::shared_ptr<const PairDataset> dataset, const DataReport &report)
{
    m_dataset = std::move(dataset);
    m_report = report;
    if (m_nearDuplicates)
        m_nearDuplicates->setSource(m_dataset, m_model);
    scheduleUpdate();
}

void SettingsPage::setModel(std::shared_ptr<const LoadedModel> model)
{
    m_model = std::move(model);
    if (m_nearDuplicates)
        m_nearDuplicates->setSource(m_dataset, m_model);
    m_form->setModelMaxSeqLength(m_model ? m_model->summary().maxSeqLength : 0);
    m_tuning.reset();
    m_tuningProblem.clear();
    try {
        if (m_model)
            m_tuning = readModelTuning(m_model->folder()); // a small JSON file: fine on this thread
    } catch (const Error &error) {
        m_tuningProblem = QString::fromUtf8(error.what());
    }
    updateTuningNote(config()); // at once: the Recommended button's tooltip must not lag behind the model
    scheduleUpdate();
}

void SettingsPage::scheduleUpdate()
{
    m_updateTimer->start();
    // Validation is instant and decides Next: do it now, the estimate can wait for the timer.
    const bool before = isComplete();
    m_problems.clear();
    for (const std::string &problem : validate(withPlaceholderPaths(config())))
        m_problems << QString::fromStdString(problem);
    if (before != isComplete())
        Q_EMIT completeChanged();
    Q_EMIT configChanged();
}

void SettingsPage::updateNow()
{
    m_updateTimer->stop();
    const TrainingConfig c = config();
    const bool before = isComplete();
    m_problems.clear();
    for (const std::string &problem : validate(withPlaceholderPaths(c)))
        m_problems << QString::fromStdString(problem);
    if (m_problems.isEmpty())
        m_problemBanner->clear();
    else
        m_problemBanner->showMessage(MessageBanner::Kind::Error, m_problems.join(QStringLiteral("<br>")));

    m_plot->setDistribution(c.scoreMean, c.scoreScaling);
    const LossTraits *loss = findLoss(c.loss);
    const bool scoresUnused = loss && !loss->usesScores;
    m_plot->setTitleText(scoresUnused ? tr("Made-up scores (not used by MNRL)") : tr("Made-up scores"));

    EstimateInputs inputs;
    inputs.dataset = m_dataset.get();
    inputs.model = m_model ? &m_model->summary() : nullptr;
    if (m_report.lengthUnit == "tokens")
        inputs.meanTokensPerText = (m_report.anchorTokens.mean + m_report.positiveTokens.mean) / 2.0;
    const MeasuredStepTiming *timing = nullptr;
    if (m_model) {
        inputs.measuredPairsPerSecond
            = prefs::measuredPairsPerSecond(QString::fromStdString(m_model->folder()));
        // Measured only while the page is shown: a hidden page changing (data loaded, a run starting)
        // must not start timing steps next to a training run.
        if (isVisible())
            timing = m_speedProbe->timing(m_model->folder(), c, m_dataset);
        inputs.stepTiming = timing ? &timing->timing : nullptr;
    }
    m_estimate = estimateRun(c, inputs);

    QString numbers;
    if (!m_estimate.problem.empty()) {
        numbers = tr("Choose data first: %1.").arg(QString::fromStdString(m_estimate.problem));
    } else {
        numbers = tr("%1 pairs → <b>%2 for training</b>, %3 held out for evaluation<br>")
                      .arg(localeNumber(std::int64_t(m_estimate.pairs)),
                          localeNumber(std::int64_t(m_estimate.trainPairs)),
                          localeNumber(std::int64_t(m_estimate.evalPairs)));
        numbers += tr("%1 steps per epoch × %2 epochs → <b>%3%4 steps</b> of %5 pairs%6<br>")
                       .arg(localeNumber(m_estimate.stepsPerEpoch))
                       .arg(c.epochs)
                       .arg(m_estimate.exactSteps ? QString() : QStringLiteral("about "))
                       .arg(localeNumber(m_estimate.totalSteps))
                       .arg(c.batchSize)
                       .arg(c.maxSteps > 0 && c.maxSteps <= m_estimate.stepsPerEpoch * c.epochs
                               ? tr(" (stopped early by the step limit)")
                               : QString());
        numbers += tr("%1 including the baseline before training<br>")
                       .arg(countOf(m_estimate.evaluations, tr("evaluation"), tr("evaluations")));
        if (m_estimate.seconds > 0)
            numbers += tr("Estimated time: <b>%1</b> (%2)")
                           .arg(QString::fromStdString(formatDuration(m_estimate.seconds)),
                               m_estimate.fromMeasuredSteps && timing
                                   ? tr("from training steps timed on this computer on %1 · <a "
                                        "href=\"measure\">Measure again</a>")
                                         .arg(QLocale().toString(
                                             timing->measuredAt.toLocalTime(), QLocale::ShortFormat))
                                   : m_estimate.measured ? tr("from an earlier run's speed on this computer")
                                   : m_speedProbe->measuring()
                                   ? tr("a rough guess from the model size; timing a few steps…")
                                   : tr("a rough guess from the model size"))
                + (m_estimate.evaluationSeconds > 0
                        ? tr(", of which evaluation %1 (%2)")
                              .arg(QString::fromStdString(formatDuration(m_estimate.evaluationSeconds)),
                                  m_estimate.evalSamplePairs < m_estimate.evalPairs
                                      ? tr("all held-out pairs at the baseline and the end, a sample of %1 "
                                           "in between")
                                            .arg(localeNumber(std::int64_t(m_estimate.evalSamplePairs)))
                                      : tr("every evaluation scores all held-out pairs"))
                        : QString());
        else
            numbers += tr("Estimated time: choose a model first.");
    }
    m_numbers->setText(numbers);
    updateQuickCheckTip(c);
    updateTuningNote(c);
    updateGuidance(c);
    if (before != isComplete())
        Q_EMIT completeChanged();
}

void SettingsPage::measureSpeedAgain()
{
    if (m_model)
        m_speedProbe->measureAgain(m_model->folder(), config(), m_dataset);
    scheduleUpdate();
}

void SettingsPage::updateQuickCheckTip(const TrainingConfig &c)
{
    // Counted like the summary above (estimateRun), for the settings the button would apply.
    EstimateInputs inputs;
    inputs.dataset = m_dataset.get();
    const RunEstimate quick
        = estimateRun(ui::applyPreset(TrainingPreset::QuickCheck, c, m_estimate.trainPairs), inputs);
    m_quickCheck->setToolTip(
        presetDescription(TrainingPreset::QuickCheck, quick.problem.empty() ? quick.evaluations : 0));
}

void SettingsPage::updateTuningNote(const TrainingConfig &c)
{
    m_recommended->setToolTip(presetDescription(TrainingPreset::Recommended, 0, modelTuning()));
    m_slowWarning
        = m_tuning ? QString::fromStdString(pairtune::slowSettingsWarning(c, *m_tuning)) : QString();
    if (!m_slowWarning.isEmpty()) {
        m_tuningBanner->showMessage(MessageBanner::Kind::Warning, m_slowWarning.toHtmlEscaped());
        m_tuningBanner->addAction(
            tr("Use its tested settings"), [this] { applyPreset(TrainingPreset::Recommended); });
    } else if (!m_tuningProblem.isEmpty()) {
        m_tuningBanner->showMessage(MessageBanner::Kind::Warning,
            tr("The model's tuning file is ignored: %1").arg(m_tuningProblem.toHtmlEscaped()));
    } else {
        m_tuningBanner->clear();
    }
}

void SettingsPage::updateGuidance(const TrainingConfig &c)
{
    m_guidance.clear();
    const bool inBatch = lossUsesNegatives(c.loss);
    const bool fileScores = m_dataset && m_dataset->hasScores() && c.useFileScores != FileScores::Ignore;
    if (inBatch)
        m_guidance << tr(
            "MNRL ignores scores: the score mean and scaling (and any score column) have no effect "
            "with this loss. The plot only matters for the cosine and CoSENT losses.");
    else if (!fileScores)
        m_guidance << tr(
            "This loss learns from scores, and the data has none: every pair gets a made-up score "
            "between %1 and %2, so the model learns little beyond 'pairs are similar'. Use MNRL, or "
            "give a file with real scores.")
                          .arg(m_plot->lower(), 0, 'f', 3)
                          .arg(m_plot->upper(), 0, 'f', 3);
    if (!inBatch && !fileScores && m_plot->upper() > 1.0)
        m_guidance << tr(
            "Made-up scores above 1 cannot be reached by a cosine similarity; lower the mean or raise "
            "the scaling.");
    if (inBatch) {
        const std::size_t repeats
            = m_report.duplicatePairs + m_report.repeatedAnchors + m_report.repeatedPositives;
        if (!c.noDuplicates)
            m_guidance << tr(
                "Duplicates in a batch are false negatives: with 'No repeated text within a batch' off, "
                "a repeated text pushes the model away from a correct match.%1")
                              .arg(repeats > 0 ? tr(" This data repeats texts in %1.")
                                                     .arg(countOf(qint64(repeats), tr("pair"), tr("pairs")))
                                               : QString());
        else if (repeats > 0)
            m_guidance << tr(
                "This data repeats texts in %1; no-duplicate batches keep them apart, which can add a "
                "few smaller batches per epoch.")
                              .arg(countOf(qint64(repeats), tr("pair"), tr("pairs")));
        m_guidance << tr(
            "Each anchor is compared with the other %1 positives of its batch: a bigger batch gives "
            "more negatives. Gradient accumulation adds no negatives, so it is no substitute.")
                          .arg(std::max(0, c.batchSize - 1));
        if (m_model && m_model->summary().normalize && isDot(c.similarity) && c.scale < 5)
            m_guidance << tr(
                "The model normalises its embeddings, so dot products stay within ±1; at scale %1 the "
                "softmax is very soft and learning is slow. Cosine at scale 20 is the usual choice.")
                              .arg(c.scale);
    }
    if (m_report.lengthUnit == "tokens") {
        const auto cut = [&](const char *side, const DataReport::LengthStats &stats) {
            if (stats.overLimit > 0)
                m_guidance << tr(
                    "%1 of the %2 texts are longer than %3 tokens; the text past max_seq_length is cut "
                    "and does not count.")
                                  .arg(percent(stats.overLimitShare), tr(side))
                                  .arg(m_report.maxSeqLength);
        };
        cut("anchor", m_report.anchorTokens);
        cut("positive", m_report.positiveTokens);
    } else {
        m_guidance << tr(
            "Text past max_seq_length is cut; choose a model to see how many texts that affects.");
    }
    if (m_estimate.problem.empty()) {
        if (c.warmupSteps >= m_estimate.totalSteps && m_estimate.totalSteps > 0)
            m_guidance << tr(
                "Warmup (%1 steps) lasts the whole run (%2 steps): the learning rate never reaches its "
                "full value.")
                              .arg(c.warmupSteps)
                              .arg(m_estimate.totalSteps);
        if (m_estimate.evalPairs == 0)
            m_guidance << tr(
                "Nothing is held out: there will be no evaluation, no best checkpoint and no before/after "
                "comparison.");
        else if (m_estimate.evalPairs < 20)
            m_guidance << tr("Only %1 pairs are held out: evaluation numbers will jump around.")
                              .arg(m_estimate.evalPairs);
    }
    if (m_guidance.isEmpty()) {
        m_guidanceText->setText(tr("Nothing to watch out for with these settings."));
        return;
    }
    QString html = QStringLiteral("<ul style=\"margin-left:-20px\">");
    for (const QString &line : std::as_const(m_guidance))
        html += QStringLiteral("<li>") + line.toHtmlEscaped() + QStringLiteral("</li>");
    m_guidanceText->setText(html + QStringLiteral("</ul>"));
}

} // namespace pairtune::ui
