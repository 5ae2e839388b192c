#include "ui/settinglabels.h"

#include <QCoreApplication>

#include <array>
#include <utility>

namespace pairtune::ui {

namespace {

// config.json name -> form label. Mnemonics are unique across the Settings page.
constexpr std::array<std::pair<std::string_view, const char *>, 40> kLabels { {
    { "data_paths", QT_TRANSLATE_NOOP("SettingLabels", "Data files:") },
    { "data_sheet", QT_TRANSLATE_NOOP("SettingLabels", "Sheet:") },
    { "base_path", QT_TRANSLATE_NOOP("SettingLabels", "Base model:") },
    { "base_repo_id", QT_TRANSLATE_NOOP("SettingLabels", "Hub model:") },
    { "base_revision", QT_TRANSLATE_NOOP("SettingLabels", "Hub revision:") },
    { "base_commit", QT_TRANSLATE_NOOP("SettingLabels", "Hub commit:") },
    { "score_mean", QT_TRANSLATE_NOOP("SettingLabels", "Score &mean:") },
    { "score_scaling", QT_TRANSLATE_NOOP("SettingLabels", "Score s&caling:") },
    { "train_fraction", QT_TRANSLATE_NOOP("SettingLabels", "Train &fraction:") },
    { "batch_size", QT_TRANSLATE_NOOP("SettingLabels", "&Batch size:") },
    { "warmup_steps", QT_TRANSLATE_NOOP("SettingLabels", "&Warmup steps:") },
    { "epochs", QT_TRANSLATE_NOOP("SettingLabels", "&Epochs:") },
    { "use_file_scores", QT_TRANSLATE_NOOP("SettingLabels", "Scores:") },
    { "loss", QT_TRANSLATE_NOOP("SettingLabels", "&Loss:") },
    { "similarity", QT_TRANSLATE_NOOP("SettingLabels", "&Similarity:") },
    { "scale", QT_TRANSLATE_NOOP("SettingLabels", "Sc&ale:") },
    { "no_duplicates", QT_TRANSLATE_NOOP("SettingLabels", "No repeated text within a batch") },
    { "length_grouped", QT_TRANSLATE_NOOP("SettingLabels", "Group batches by text length") },
    { "near_duplicate_threshold", QT_TRANSLATE_NOOP("SettingLabels", "Near-duplicate cosine:") },
    { "group_near_duplicates",
        QT_TRANSLATE_NOOP("SettingLabels", "Keep near-duplicate groups on one side of the split") },
    { "drop_near_duplicates",
        QT_TRANSLATE_NOOP("SettingLabels", "Drop near-duplicate repeats from training") },
    { "lr", QT_TRANSLATE_NOOP("SettingLabels", "Learning &rate:") },
    { "weight_decay", QT_TRANSLATE_NOOP("SettingLabels", "Weight &decay:") },
    { "max_grad_norm", QT_TRANSLATE_NOOP("SettingLabels", "Gradient &clipping:") },
    { "schedule", QT_TRANSLATE_NOOP("SettingLabels", "Sc&hedule:") },
    { "schedule_cycles", QT_TRANSLATE_NOOP("SettingLabels", "Cycles:") },
    { "adam_beta1", QT_TRANSLATE_NOOP("SettingLabels", "Beta 1:") },
    { "adam_beta2", QT_TRANSLATE_NOOP("SettingLabels", "Beta 2:") },
    { "adam_epsilon", QT_TRANSLATE_NOOP("SettingLabels", "Epsilon:") },
    { "eval_every", QT_TRANSLATE_NOOP("SettingLabels", "E&valuate every:") },
    { "eval_sample", QT_TRANSLATE_NOOP("SettingLabels", "Eval&uation sample (pairs):") },
    { "best_metric", QT_TRANSLATE_NOOP("SettingLabels", "Best &metric:") },
    { "checkpoint_every", QT_TRANSLATE_NOOP("SettingLabels", "Check&point every:") },
    { "keep_checkpoints", QT_TRANSLATE_NOOP("SettingLabels", "&Keep checkpoints:") },
    { "max_steps", QT_TRANSLATE_NOOP("SettingLabels", "Stop after (steps):") },
    { "max_seq_length", QT_TRANSLATE_NOOP("SettingLabels", "Max &sequence length:") },
    { "seed", QT_TRANSLATE_NOOP("SettingLabels", "S&eed:") },
    { "threads", QT_TRANSLATE_NOOP("SettingLabels", "&Threads:") },
    { "device", QT_TRANSLATE_NOOP("SettingLabels", "De&vice:") },
    { "dropout", QT_TRANSLATE_NOOP("SettingLabels", "Dropout:") },
} };

} // namespace

QString settingFormLabel(std::string_view configKey)
{
    for (const auto &[key, label] : kLabels)
        if (key == configKey)
            return QCoreApplication::translate("SettingLabels", label);
    return {};
}

QString settingLabel(std::string_view flattenedKey)
{
    // "training.batch_size" -> "batch_size"; "data_paths[1]" -> "data_paths" (and " 2" after the label).
    std::string_view name = flattenedKey.substr(flattenedKey.rfind('.') + 1);
    std::string_view index;
    if (const auto bracket = name.find('['); bracket != std::string_view::npos) {
        index = name.substr(bracket + 1, name.size() - bracket - 2);
        name = name.substr(0, bracket);
    }
    QString label = settingFormLabel(name);
    if (label.isEmpty())
        return QString::fromUtf8(flattenedKey.data(), qsizetype(flattenedKey.size()));
    label.remove(QLatin1Char('&'));
    if (label.endsWith(QLatin1Char(':')))
        label.chop(1);
    if (!index.empty())
        label += QStringLiteral(" %1").arg(
            QString::fromUtf8(index.data(), qsizetype(index.size())).toInt() + 1);
    return label;
}

} // namespace pairtune::ui
