#include "ui/datareportview.h"

#include "ui/textformat.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>

namespace pairtune::ui {
namespace {

QString lengthPhrase(const DataReport &report)
{
    const QString unit = QString::fromStdString(report.lengthUnit);
    return DataReportView::tr("median length %1 / %2 %3 (anchor / positive), longest %4 %3")
        .arg(report.anchorTokens.p50)
        .arg(report.positiveTokens.p50)
        .arg(unit)
        .arg(std::max(report.anchorTokens.max, report.positiveTokens.max));
}

} // namespace

DataReportView::DataReportView(QWidget *parent)
    : QWidget(parent)
{
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("reportSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_warningList = new QLabel(this);
    m_warningList->setObjectName(QStringLiteral("reportWarnings"));
    m_warningList->setWordWrap(true);
    m_warningList->setTextFormat(Qt::RichText);
    m_warningList->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_applied = new QLabel(this);
    m_applied->setWordWrap(true);

    m_dropDuplicates = new QPushButton(this);
    m_dropDuplicates->setObjectName(QStringLiteral("dropDuplicates"));
    m_dropDuplicates->setToolTip(tr("Keep the first copy of each (anchor, positive) pair. Duplicates weigh a "
                                    "pair twice and, in one batch, are false negatives for MNRL."));
    m_dropEmpty = new QPushButton(this);
    m_dropEmpty->setObjectName(QStringLiteral("dropEmpty"));
    m_dropEmpty->setToolTip(tr("Remove pairs where any text is empty or only whitespace."));
    m_dropIdentical = new QPushButton(this);
    m_dropIdentical->setObjectName(QStringLiteral("dropIdentical"));
    m_dropIdentical->setToolTip(tr("Remove pairs whose anchor and positive are the same text."));
    m_undo = new QPushButton(tr("Undo fixes"), this);
    m_undo->setObjectName(QStringLiteral("undoFixes"));

    connect(m_dropDuplicates, &QPushButton::clicked, this, [this] {
        DataFixes fixes = m_fixes;
        fixes.dropDuplicates = true;
        Q_EMIT fixesRequested(fixes);
    });
    connect(m_dropEmpty, &QPushButton::clicked, this, [this] {
        DataFixes fixes = m_fixes;
        fixes.dropEmpty = true;
        Q_EMIT fixesRequested(fixes);
    });
    connect(m_dropIdentical, &QPushButton::clicked, this, [this] {
        DataFixes fixes = m_fixes;
        fixes.dropIdenticalSides = true;
        Q_EMIT fixesRequested(fixes);
    });
    connect(m_undo, &QPushButton::clicked, this, [this] { Q_EMIT fixesRequested(DataFixes {}); });

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_dropDuplicates);
    buttons->addWidget(m_dropEmpty);
    buttons->addWidget(m_dropIdentical);
    buttons->addWidget(m_undo);
    buttons->addStretch();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_summary);
    layout->addWidget(m_warningList);
    layout->addLayout(buttons);
    layout->addWidget(m_applied);
    layout->addStretch();
    clear();
}

void DataReportView::clear()
{
    m_summary->clear();
    m_warningList->clear();
    m_warningList->hide();
    m_applied->hide();
    m_warnings.clear();
    for (QPushButton *button : { m_dropDuplicates, m_dropEmpty, m_dropIdentical, m_undo })
        button->hide();
}

QString DataReportView::summaryText() const
{
    return m_summary->text();
}

void DataReportView::setResult(const DataLoadResult &result, const DataFixes &applied)
{
    clear();
    m_fixes = applied;
    if (!result.dataset)
        return;
    const DataReport &report = result.report;
    QString summary = tr("<b>%1 pairs</b>").arg(localeNumber(report.rows));
    if (report.trainRows + report.evalRows > 0)
        summary += tr(" · %1 for training, %2 held out for evaluation")
                       .arg(localeNumber(report.trainRows), localeNumber(report.evalRows));
    summary += QStringLiteral(" · ") + lengthPhrase(report);
    if (report.lengthUnit != "tokens")
        // Cutting at max_seq_length is counted in the model's tokens: say when it will be known rather
        // than nothing until then.
        summary += tr("<br>Texts longer than the model reads (max_seq_length) are found once a model is "
                      "chosen in step 2.");
    if (report.hasScores)
        summary += tr(" · scores from %1 to %2").arg(report.scoreMin).arg(report.scoreMax);
    m_summary->setText(summary);

    for (const std::string &warning : report.warnings)
        m_warnings << QString::fromStdString(warning);
    if (!m_warnings.isEmpty()) {
        QString html = QStringLiteral("<ul style=\"margin-left:-20px\">");
        for (const QString &warning : std::as_const(m_warnings))
            html += QStringLiteral("<li>") + warning.toHtmlEscaped() + QStringLiteral("</li>");
        m_warningList->setText(html + QStringLiteral("</ul>"));
        m_warningList->show();
    } else {
        m_warningList->setText(tr("No problems found in the data."));
        m_warningList->show();
    }

    const auto offer = [](QPushButton *button, std::size_t n, const QString &one, const QString &many) {
        button->setVisible(n > 0);
        button->setText(n == 1 ? one : many.arg(localeNumber(n)));
    };
    offer(
        m_dropDuplicates, report.duplicatePairs, tr("Drop 1 duplicate pair"), tr("Drop %1 duplicate pairs"));
    offer(m_dropEmpty, report.rowsWithEmptyText, tr("Drop 1 pair with an empty text"),
        tr("Drop %1 pairs with empty texts"));
    offer(m_dropIdentical, report.identicalSides, tr("Drop 1 pair with the same text twice"),
        tr("Drop %1 pairs with the same text twice"));

    QStringList done;
    if (result.removedDuplicates > 0)
        done << tr("%1 duplicate pairs").arg(localeNumber(result.removedDuplicates));
    if (result.removedEmpty > 0)
        done << tr("%1 pairs with empty texts").arg(localeNumber(result.removedEmpty));
    if (result.removedIdentical > 0)
        done << tr("%1 pairs with the same text twice").arg(localeNumber(result.removedIdentical));
    // A fix that removed nothing (the pairs it was for were in a file since removed) has nothing to
    // report or undo.
    if (applied.any() && !done.isEmpty()) {
        m_undo->show();
        m_applied->setText(tr("Removed %1. Pairtune trains on a cleaned copy of the data, saved as "
                              "prepared-pairs.jsonl in the run folder; your files are not changed.")
                               .arg(done.isEmpty() ? tr("nothing") : done.join(tr(", "))));
        m_applied->show();
    }
}

} // namespace pairtune::ui
