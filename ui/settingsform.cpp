#include "ui/settingsform.h"

#include "eval/evalresult.h"
#include "model/runtime.h"
#include "recipe/losskind.h"
#include "recipe/lrschedule.h"
#include "train/precision.h"
#include "ui/focusedwheel.h"
#include "ui/scientificspinbox.h"
#include "ui/settinglabels.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

#include <limits>

namespace pairtune::ui {
namespace {

constexpr int kIntMax = std::numeric_limits<int>::max();

QSpinBox *spinBox(QWidget *parent, int minimum, int maximum, const QString &tip, const QString &special = {})
{
    auto *box = new QSpinBox(parent);
    box->setRange(minimum, maximum);
    box->setToolTip(tip);
    box->setSpecialValueText(special);
    box->setAccelerated(true);
    box->setKeyboardTracking(false);
    return box;
}

QDoubleSpinBox *doubleBox(
    QWidget *parent, double minimum, double maximum, int decimals, double step, const QString &tip)
{
    auto *box = new QDoubleSpinBox(parent);
    box->setRange(minimum, maximum);
    box->setDecimals(decimals);
    box->setSingleStep(step);
    box->setToolTip(tip);
    box->setKeyboardTracking(false);
    return box;
}

QComboBox *comboBox(
    QWidget *parent, const std::vector<std::pair<QString, QString>> &items, const QString &tip)
{
    auto *box = new QComboBox(parent);
    for (const auto &[value, label] : items)
        box->addItem(label, value);
    box->setToolTip(tip);
    return box;
}

QCheckBox *switchBox(QWidget *parent, const QString &text, const QString &tip)
{
    auto *box = new QCheckBox(text, parent);
    box->setToolTip(tip);
    return box;
}

QString lossLabel(LossKind kind)
{
    switch (kind) {
    case LossKind::Mnrl:
        return SettingsForm::tr("Multiple negatives ranking (MNRL)");
    case LossKind::MnrlSymmetric:
        return SettingsForm::tr("Symmetric MNRL (both directions)");
    case LossKind::Cosine:
        return SettingsForm::tr("Cosine similarity (regress scores)");
    case LossKind::CoSent:
        return SettingsForm::tr("CoSENT (rank by scores)");
    }
    return QString::fromLatin1(traitsOf(kind).name);
}

QString similarityLabel(SimilarityKind kind)
{
    switch (kind) {
    case SimilarityKind::Dot:
        return SettingsForm::tr("Dot product");
    case SimilarityKind::Cosine:
        return SettingsForm::tr("Cosine");
    }
    return QString::fromLatin1(traitsOf(kind).name);
}

void select(QComboBox *box, const std::string &value)
{
    const int index = box->findData(QString::fromStdString(value));
    if (index >= 0) {
        box->setCurrentIndex(index);
    } else if (box->isEditable()) {
        box->setEditText(QString::fromStdString(value));
    } else {
        // A value from a newer config: show it rather than silently replacing it.
        box->addItem(QString::fromStdString(value), QString::fromStdString(value));
        box->setCurrentIndex(box->count() - 1);
    }
}

std::string selected(const QComboBox *box)
{
    if (box->isEditable()) {
        const int index = box->findText(box->currentText());
        return (index >= 0 ? box->itemData(index).toString() : box->currentText().trimmed()).toStdString();
    }
    return box->currentData().toString().toStdString();
}

QGroupBox *group(QWidget *parent, const QString &title, QFormLayout *&form)
{
    auto *box = new QGroupBox(title, parent);
    form = new QFormLayout(box);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    return box;
}

} // namespace

SettingsForm::SettingsForm(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(createRecipeGroup());
    layout->addWidget(createNearDuplicateGroup());
    layout->addWidget(createLossGroup());
    layout->addWidget(createOptimizerGroup());
    layout->addWidget(createEvaluationGroup());
    layout->addWidget(createComputeGroup());
    layout->addStretch();
    setConfig(TrainingConfig {});
    connectChanges();
    // The form scrolls: a wheel notch over a field must scroll it, not change a setting unnoticed.
    takeWheelOnlyWhenFocusedInside(this);
}

QWidget *SettingsForm::createRecipeGroup()
{
    QFormLayout *form = nullptr;
    QGroupBox *box = group(this, tr("The recipe"), form);
    m_scoreMean = doubleBox(box, -1.0, 1.0, 3, 0.01,
        tr("Centre of the made-up similarity labels when the data has no scores: each pair gets "
           "mean + (random − 0.5) / scaling. Only the cosine and CoSENT losses use scores; "
           "MultipleNegativesRankingLoss ignores them."));
    m_scoreScaling = doubleBox(box, 0.5, 10000.0, 2, 1.0,
        tr("Spread of the made-up labels: they are uniform over mean ± 0.5 / scaling. A larger scaling "
           "makes all pairs look equally similar. Only score-based losses use it."));
    m_trainFraction = doubleBox(box, 0.05, 1.0, 3, 0.05,
        tr("Share of the pairs used for training; the rest is held out to measure progress. Lower it for "
           "a more reliable evaluation, raise it when data is scarce. 1 trains on everything and "
           "evaluates nothing."));
    m_batchSize = spinBox(box, 1, 65536,
        tr("Pairs per optimizer step. With MultipleNegativesRankingLoss every other pair of the batch is a "
           "negative, so larger batches usually train better embeddings; lower it if memory runs out. "
           "Gradient accumulation would not help here: it adds no negatives."));
    m_warmupSteps = spinBox(box, 0, kIntMax,
        tr("Steps over which the learning rate rises from 0 to its full value. About 10% of the total "
           "steps is a common choice; a warmup longer than the run means the full rate is never reached."));
    m_epochs = spinBox(box, 1, 100000,
        tr("Passes over the training pairs. More epochs fit the data more closely; watch the evaluation "
           "curve and stop adding epochs when it flattens or drops."));
    m_fileScores = comboBox(box,
        { { QStringLiteral("auto"), tr("Use the file's scores when it has them") },
            { QStringLiteral("require"), tr("Require scores in the file") },
            { QStringLiteral("ignore"), tr("Always use made-up scores") } },
        tr("Where the similarity labels of score-based losses come from."));
    form->addRow(settingFormLabel("score_mean"), m_scoreMean);
    form->addRow(settingFormLabel("score_scaling"), m_scoreScaling);
    form->addRow(settingFormLabel("train_fraction"), m_trainFraction);
    form->addRow(settingFormLabel("batch_size"), m_batchSize);
    form->addRow(settingFormLabel("warmup_steps"), m_warmupSteps);
    form->addRow(settingFormLabel("epochs"), m_epochs);
    form->addRow(settingFormLabel("use_file_scores"), m_fileScores);
    return box;
}

// Next to the split it changes (issue 21 part 3): both fixes decide which pairs train and which are held out.
QWidget *SettingsForm::createNearDuplicateGroup()
{
    QFormLayout *form = nullptr;
    QGroupBox *box = group(this, tr("Near-duplicates"), form);
    m_nearDuplicateThreshold = doubleBox(box, 0.01, 1.0, 3, 0.01,
        tr("Two texts whose cosine under the base model is at least this are near-copies. 0.95 catches "
           "reworded punctuation and casing; lower it to also catch light paraphrases."));
    m_groupNearDuplicates = switchBox(box, settingFormLabel("group_near_duplicates"),
        tr("A held-out pair that is a near-copy of a training pair inflates the evaluation scores: with "
           "this on, every group of near-copies lands wholly in training or wholly in the held-out part."));
    m_dropNearDuplicates = switchBox(box, settingFormLabel("drop_near_duplicates"),
        tr("Near-copies in one batch are false negatives for MNRL: with this on, training keeps one pair "
           "of each group of near-copies."));
    m_checkNearDuplicates = new QPushButton(tr("Check near-duplicates…"), box);
    m_checkNearDuplicates->setObjectName(QStringLiteral("checkNearDuplicates"));
    m_checkNearDuplicates->setToolTip(
        tr("Find near-copies in the data under the chosen base model, within training and across the "
           "split, with examples and one-click fixes."));
    connect(m_checkNearDuplicates, &QPushButton::clicked, this, &SettingsForm::nearDuplicateCheckRequested);
    form->addRow(settingFormLabel("near_duplicate_threshold"), m_nearDuplicateThreshold);
    form->addRow(QString(), m_groupNearDuplicates);
    form->addRow(QString(), m_dropNearDuplicates);
    form->addRow(QString(), m_checkNearDuplicates);
    return box;
}

QWidget *SettingsForm::createLossGroup()
{
    QFormLayout *form = nullptr;
    QGroupBox *box = group(this, tr("Loss"), form);
    std::vector<std::pair<QString, QString>> losses;
    for (const LossTraits &loss : lossKinds())
        losses.emplace_back(QString::fromLatin1(loss.name), lossLabel(loss.kind));
    m_loss = comboBox(box, losses,
        tr("MNRL learns from pairs alone: each anchor must find its positive among the batch's other "
           "positives. Symmetric MNRL also searches anchors from positives. Cosine and CoSENT learn from "
           "scores; choose them only when the data has meaningful scores."));
    std::vector<std::pair<QString, QString>> similarities;
    for (const SimilarityTraits &similarity : similarityKinds())
        similarities.emplace_back(QString::fromLatin1(similarity.name), similarityLabel(similarity.kind));
    m_similarity = comboBox(box, similarities,
        tr("How MNRL compares embeddings. The recipe uses the dot product; sentence-transformers' "
           "default for MNRL is cosine with scale 20. Cosine and CoSENT always use cosine."));
    m_scale = doubleBox(box, 0.01, 1000.0, 2, 1.0,
        tr("Multiplies the similarities before the softmax of MNRL (and in CoSENT). With cosine "
           "similarity use about 20; with dot products of normalised embeddings a larger scale sharpens "
           "the contrast between the positive and the negatives."));
    m_noDuplicates = switchBox(box, settingFormLabel("no_duplicates"),
        tr("A text that appears twice in one batch is a false negative for MNRL: the "
           "model is pushed away from a correct match. Keep this on unless every "
           "text is unique."));
    m_lengthGrouped = switchBox(box, settingFormLabel("length_grouped"),
        tr("Batches of similar lengths need less padding and train faster on long, "
           "uneven texts. The batch order stays random."));
    form->addRow(settingFormLabel("loss"), m_loss);
    form->addRow(settingFormLabel("similarity"), m_similarity);
    form->addRow(settingFormLabel("scale"), m_scale);
    form->addRow(QString(), m_noDuplicates);
    form->addRow(QString(), m_lengthGrouped);
    m_matryoshka = switchBox(box, tr("Matryoshka sizes (also train smaller vectors)"),
        tr("When it helps: you will store or search many vectors and want them smaller. The loss is also "
           "computed on the first half, quarter, ... of each embedding (384 → 192, 96, 48), so a cut "
           "vector (embed --truncate-dim, sentence-transformers' truncate_dim) keeps most of its quality. "
           "What it costs: the loss at each size counts, so the full size may gain a little less, and each "
           "step takes longer (the model runs once; the loss is computed per size): a third more on the "
           "built-in model, measured. Try & Export charts MRR@10 at each size before and after."));
    m_matryoshka->setObjectName(QStringLiteral("matryoshka"));
    form->addRow(QString(), m_matryoshka);
    m_gradCache = switchBox(box, tr("Grad cache (a big batch in the memory of a small one)"),
        tr("When it helps: MNRL learns more from bigger batches (each pair meets more negatives) but a "
           "batch of 256 may not fit in memory. With this on, the batch size above stays the batch, "
           "embedded a mini-batch at a time (chosen from free memory), with the same gradients. What it "
           "costs: a second forward pass per step, +23 % time per step measured at batch 256 on a "
           "MiniLM-sized model, more when memory forces small mini-batches. MNRL losses only."));
    m_gradCache->setObjectName(QStringLiteral("gradCache"));
    form->addRow(QString(), m_gradCache);
    return box;
}

QWidget *SettingsForm::createOptimizerGroup()
{
    QFormLayout *form = nullptr;
    QGroupBox *box = group(this, tr("Optimizer (AdamW)"), form);
    m_lr = new ScientificSpinBox(box);
    m_lr->setRange(1e-9, 1.0);
    m_lr->setToolTip(tr("Peak learning rate. 2e-5 suits most BERT-sized models; lower it (1e-5) if the "
                        "loss jumps or becomes NaN, raise it (5e-5) for small models or short runs. The "
                        "arrows halve or double it."));
    m_weightDecay = doubleBox(box, 0.0, 1.0, 4, 0.01,
        tr("Pulls weights towards zero each step (not biases and LayerNorm weights). 0.01 is the usual "
           "value; rarely worth changing."));
    m_maxGradNorm = doubleBox(box, 0.0, 1000.0, 2, 0.5,
        tr("Gradients longer than this are scaled down, which keeps a bad batch from wrecking the model. "
           "0 turns clipping off."));
    std::vector<std::pair<QString, QString>> schedules;
    for (const std::string &name : scheduleKindNames())
        schedules.emplace_back(QString::fromStdString(name), QString::fromStdString(name));
    m_schedule = comboBox(box, schedules,
        tr("How the learning rate changes over the run. warmuplinear (the recipe) rises during warmup and "
           "then falls linearly to 0 at the last step."));
    m_scheduleCycles = doubleBox(box, 0.0, 100.0, 2, 0.5,
        tr("Cosine schedules only: how many cosine cycles. 0 = the schedule's default."));
    m_scheduleCycles->setSpecialValueText(tr("default"));
    m_beta1 = doubleBox(
        box, 0.0, 0.9999, 4, 0.01, tr("AdamW's first-moment decay (0.9). Leave it unless you know why."));
    m_beta2 = doubleBox(box, 0.0, 0.999999, 6, 0.001,
        tr("AdamW's second-moment decay (0.999). Leave it unless you know why."));
    m_epsilon = new ScientificSpinBox(box);
    m_epsilon->setRange(0.0, 1e-2);
    m_epsilon->setToolTip(tr("AdamW's epsilon (1e-8): guards against division by zero."));
    form->addRow(settingFormLabel("lr"), m_lr);
    form->addRow(settingFormLabel("weight_decay"), m_weightDecay);
    form->addRow(settingFormLabel("max_grad_norm"), m_maxGradNorm);
    form->addRow(settingFormLabel("schedule"), m_schedule);
    form->addRow(settingFormLabel("schedule_cycles"), m_scheduleCycles);
    form->addRow(settingFormLabel("adam_beta1"), m_beta1);
    form->addRow(settingFormLabel("adam_beta2"), m_beta2);
    form->addRow(settingFormLabel("adam_epsilon"), m_epsilon);
    return box;
}

QWidget *SettingsForm::createEvaluationGroup()
{
    QFormLayout *form = nullptr;
    QGroupBox *box = group(this, tr("Evaluation and checkpoints"), form);
    m_evalEvery = spinBox(box, 0, kIntMax,
        tr("Evaluate on the held-out pairs every this many steps (always also before training and at each "
           "epoch end). More often gives smoother charts and a better 'best' checkpoint, at the cost of "
           "time."),
        tr("at epoch ends"));
    m_evalSample = spinBox(box, 0, kIntMax,
        tr("Held-out pairs scored by the evaluations during training: a fixed random sample, so the points "
           "stay comparable and a big data set does not spend its time evaluating. The first and the last "
           "evaluation always score all held-out pairs."),
        tr("all"));
    std::vector<std::pair<QString, QString>> metrics;
    for (const std::string &key : evalMetricKeys())
        metrics.emplace_back(QString::fromStdString(key), QString::fromStdString(key));
    m_bestMetric = comboBox(box, metrics,
        tr("The evaluation metric that decides which evaluation is the best one (saved in the run's "
           "best/ folder). mrr@10 rewards finding the right text near the top."));
    m_checkpointEvery = spinBox(box, 0, kIntMax,
        tr("Save a resumable checkpoint every this many steps (and at each epoch end). Cancelling keeps the "
           "last one, and Resume continues from it."),
        tr("at epoch ends"));
    m_keepCheckpoints = spinBox(
        box, 0, 10000, tr("Keep only the newest checkpoints to save disk space. 0 keeps all."), tr("all"));
    m_maxSteps = spinBox(box, 0, kIntMax,
        tr("Stop after this many steps even if the epochs are not done: handy for a quick check of the "
           "whole pipeline."),
        tr("no limit"));
    form->addRow(settingFormLabel("eval_every"), m_evalEvery);
    form->addRow(settingFormLabel("eval_sample"), m_evalSample);
    form->addRow(settingFormLabel("best_metric"), m_bestMetric);
    form->addRow(settingFormLabel("checkpoint_every"), m_checkpointEvery);
    form->addRow(settingFormLabel("keep_checkpoints"), m_keepCheckpoints);
    form->addRow(settingFormLabel("max_steps"), m_maxSteps);
    return box;
}

QWidget *SettingsForm::createComputeGroup()
{
    QFormLayout *form = nullptr;
    QGroupBox *box = group(this, tr("Text and compute"), form);
    m_maxSeqLength = spinBox(box, 0, 8192,
        tr("Longest text in tokens; longer texts are cut and their ends do not count. Raise it if many "
           "texts are cut (the data check says how many), lower it to train faster."),
        tr("the model's"));
    m_seed = spinBox(box, 0, kIntMax,
        tr("Seeds the split, the shuffling, the made-up scores and the weights' randomness: the same seed "
           "and settings give the same run. Change it to see how much results vary."));
    m_threads = spinBox(box, 0, 1024,
        tr("CPU threads for training. Automatic measures what works best on this computer; more threads "
           "are not always faster."),
        tr("automatic"));
    m_device = comboBox(box,
        { { QStringLiteral("cpu"), QStringLiteral("cpu") },
            { QStringLiteral("cuda"), QStringLiteral("cuda") } },
        tr("Where training runs: cpu, or cuda / cuda:N on a machine with an NVIDIA GPU and a CUDA build."));
    m_device->setEditable(true);
    m_bf16 = switchBox(box, tr("Matrix products in bfloat16 (faster)"),
        tr("Autocast: the matrix products run in bfloat16, the weights and the optimizer stay "
           "float32; results differ from float32 by rounding (the held-out scores match float32's). On by "
           "default on CPUs with AMX, where it is about twice as fast; off by default with AVX512-BF16 "
           "alone, where it measured no faster than float32. Not available on CPUs without native "
           "bfloat16, where it would be several times slower."));
    // Connected before connectChanges(): a change by the user ends Auto before updateEnabled() runs.
    connect(m_bf16, &QCheckBox::toggled, this, [this] {
        if (!m_filling)
            m_bf16Auto = false;
    });
    form->addRow(settingFormLabel("max_seq_length"), m_maxSeqLength);
    form->addRow(settingFormLabel("seed"), m_seed);
    form->addRow(settingFormLabel("threads"), m_threads);
    form->addRow(settingFormLabel("device"), m_device);
    form->addRow(QString(), m_bf16);
    return box;
}

void SettingsForm::connectChanges()
{
    const auto changed = [this] {
        if (m_filling)
            return;
        updateEnabled();
        Q_EMIT this->changed();
    };
    for (QSpinBox *box : findChildren<QSpinBox *>())
        connect(box, &QSpinBox::valueChanged, this, changed);
    for (QDoubleSpinBox *box : findChildren<QDoubleSpinBox *>())
        connect(box, &QDoubleSpinBox::valueChanged, this, changed);
    for (QComboBox *box : findChildren<QComboBox *>()) {
        connect(box, &QComboBox::currentIndexChanged, this, changed);
        if (box->isEditable())
            connect(box, &QComboBox::editTextChanged, this, changed);
    }
    for (QCheckBox *box : findChildren<QCheckBox *>())
        connect(box, &QCheckBox::toggled, this, changed);
}

void SettingsForm::updateEnabled()
{
    // An unknown loss (from a newer config) keeps every knob editable.
    const LossTraits *loss = findLoss(selected(m_loss));
    m_similarity->setEnabled(!loss || loss->usesSimilarity); // cosine and CoSENT always compare by cosine
    m_scale->setEnabled(!loss || loss->usesScale);
    m_noDuplicates->setEnabled(!loss || loss->usesNegatives);
    m_gradCache->setEnabled(!loss || loss->usesNegatives);
    const bool cosine = selected(m_schedule).find("cosine") != std::string::npos;
    m_scheduleCycles->setEnabled(cosine);
    m_bf16->setEnabled(selected(m_device) != "cpu" || cpuHasNativeBf16());
    if (m_bf16Auto) { // Auto follows the device: bfloat16 on a CPU with AMX-BF16, else float32
        const QSignalBlocker quiet(m_bf16);
        m_bf16->setChecked(bf16ByDefault(selected(m_device)));
    }
}

void SettingsForm::setModelMaxSeqLength(int length)
{
    m_maxSeqLength->setSpecialValueText(length > 0 ? tr("the model's (%1)").arg(length) : tr("the model's"));
}

void SettingsForm::setConfig(const TrainingConfig &config)
{
    m_filling = true;
    m_base = config;
    m_epochs->setValue(config.epochs);
    m_batchSize->setValue(config.batchSize);
    m_warmupSteps->setValue(int(std::min<std::int64_t>(config.warmupSteps, kIntMax)));
    m_trainFraction->setValue(config.trainFraction);
    m_scoreMean->setValue(config.scoreMean);
    m_scoreScaling->setValue(config.scoreScaling);
    select(m_fileScores, fileScoresName(config.useFileScores));
    select(m_loss, config.loss);
    select(m_similarity, config.similarity);
    m_scale->setValue(config.scale);
    m_noDuplicates->setChecked(config.noDuplicates);
    m_lengthGrouped->setChecked(config.lengthGrouped);
    m_matryoshka->setChecked(config.matryoshka);
    m_gradCache->setChecked(config.gradCache);
    m_nearDuplicateThreshold->setValue(config.nearDuplicateThreshold);
    m_groupNearDuplicates->setChecked(config.groupNearDuplicates);
    m_dropNearDuplicates->setChecked(config.dropNearDuplicates);
    m_lr->setValue(config.lr);
    m_weightDecay->setValue(config.weightDecay);
    m_maxGradNorm->setValue(config.maxGradNorm);
    select(m_schedule, config.schedule);
    m_scheduleCycles->setValue(config.scheduleCycles);
    m_beta1->setValue(config.adamBeta1);
    m_beta2->setValue(config.adamBeta2);
    m_epsilon->setValue(config.adamEpsilon);
    m_seed->setValue(int(std::min<std::uint64_t>(config.seed, kIntMax)));
    m_maxSeqLength->setValue(config.maxSeqLength);
    m_evalEvery->setValue(int(std::min<std::int64_t>(config.evalEvery, kIntMax)));
    m_evalSample->setValue(int(std::min<std::int64_t>(config.evalSample, kIntMax)));
    select(m_bestMetric, config.bestMetric);
    m_checkpointEvery->setValue(int(std::min<std::int64_t>(config.checkpointEvery, kIntMax)));
    m_keepCheckpoints->setValue(config.keepCheckpoints);
    m_maxSteps->setValue(int(std::min<std::int64_t>(config.maxSteps, kIntMax)));
    m_threads->setValue(config.threads);
    select(m_device, config.device);
    m_bf16Auto = config.bf16 == Bf16Mode::Auto;
    m_bf16->setChecked(usesBf16(config));
    updateEnabled();
    m_filling = false;
    Q_EMIT changed();
}

TrainingConfig SettingsForm::config() const
{
    TrainingConfig c = m_base;
    c.epochs = m_epochs->value();
    c.batchSize = m_batchSize->value();
    c.warmupSteps = m_warmupSteps->value();
    c.trainFraction = m_trainFraction->value();
    c.scoreMean = m_scoreMean->value();
    c.scoreScaling = m_scoreScaling->value();
    const std::string scores = selected(m_fileScores);
    c.useFileScores = scores == "require" ? FileScores::Require
        : scores == "ignore"              ? FileScores::Ignore
                                          : FileScores::Auto;
    c.loss = selected(m_loss);
    c.similarity = selected(m_similarity);
    c.scale = m_scale->value();
    c.noDuplicates = m_noDuplicates->isChecked();
    c.lengthGrouped = m_lengthGrouped->isChecked();
    c.matryoshka = m_matryoshka->isChecked(); // sizes and weights stay as set (empty: the model's defaults)
    // Only for the losses it applies to (validate() refuses it for the others); mini_batch_size stays as set.
    const LossTraits *loss = findLoss(c.loss);
    c.gradCache = m_gradCache->isChecked() && (!loss || loss->usesNegatives);
    c.nearDuplicateThreshold = m_nearDuplicateThreshold->value();
    c.groupNearDuplicates = m_groupNearDuplicates->isChecked();
    c.dropNearDuplicates = m_dropNearDuplicates->isChecked();
    c.lr = m_lr->value();
    c.weightDecay = m_weightDecay->value();
    c.maxGradNorm = m_maxGradNorm->value();
    c.schedule = selected(m_schedule);
    c.scheduleCycles = m_scheduleCycles->value();
    c.adamBeta1 = m_beta1->value();
    c.adamBeta2 = m_beta2->value();
    c.adamEpsilon = m_epsilon->value();
    c.seed = std::uint64_t(m_seed->value());
    c.maxSeqLength = m_maxSeqLength->value();
    c.evalEvery = m_evalEvery->value();
    c.evalSample = m_evalSample->value();
    c.bestMetric = selected(m_bestMetric);
    c.checkpointEvery = m_checkpointEvery->value();
    c.keepCheckpoints = m_keepCheckpoints->value();
    c.maxSteps = m_maxSteps->value();
    c.threads = m_threads->value();
    c.device = selected(m_device);
    c.bf16 = m_bf16Auto ? Bf16Mode::Auto : m_bf16->isChecked() ? Bf16Mode::On : Bf16Mode::Off;
    return c;
}

} // namespace pairtune::ui
