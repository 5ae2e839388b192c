#include "ui/columnmappingwidget.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QListWidget>
#include <QPushButton>

namespace pairtune::ui {

ColumnMappingWidget::ColumnMappingWidget(QWidget *parent)
    : QGroupBox(tr("Columns"), parent)
{
    m_anchor = new QComboBox(this);
    m_anchor->setObjectName(QStringLiteral("anchorColumn"));
    m_anchor->setToolTip(tr("The text you search with: a query, a question, a title."));
    m_positive = new QComboBox(this);
    m_positive->setObjectName(QStringLiteral("positiveColumn"));
    m_positive->setToolTip(tr("The text that belongs to the anchor: its answer, passage or duplicate."));
    m_score = new QComboBox(this);
    m_score->setObjectName(QStringLiteral("scoreColumn"));
    m_score->setToolTip(tr("Optional similarity label for score-based losses (cosine, CoSENT). "
                           "MultipleNegativesRankingLoss ignores scores."));
    m_negatives = new QListWidget(this);
    m_negatives->setObjectName(QStringLiteral("negativeColumns"));
    m_negatives->setToolTip(tr("Optional hard negatives: texts that look related to the anchor but do not "
                               "answer it. Unchecked columns are ignored."));
    m_negatives->setMaximumHeight(fontMetrics().height() * 5);
    m_reset = new QPushButton(tr("Use detected columns"), this);
    m_reset->setEnabled(false);

    auto *form = new QFormLayout;
    form->addRow(tr("&Anchor:"), m_anchor);
    form->addRow(tr("&Positive:"), m_positive);
    form->addRow(tr("&Score:"), m_score);
    form->addRow(tr("Hard &negatives:"), m_negatives);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_reset, 0, Qt::AlignRight);

    for (QComboBox *box : { m_anchor, m_positive, m_score })
        connect(box, &QComboBox::currentIndexChanged, this, &ColumnMappingWidget::userChanged);
    connect(m_negatives, &QListWidget::itemChanged, this, &ColumnMappingWidget::userChanged);
    connect(m_reset, &QPushButton::clicked, this, &ColumnMappingWidget::resetToDetected);
}

void ColumnMappingWidget::setPreview(const PreviewTable &table)
{
    m_filling = true;
    m_columns.clear();
    for (const std::string &name : table.columnNames)
        m_columns << QString::fromStdString(name);
    const auto fill = [&](QComboBox *box, std::size_t chosen, bool optional) {
        box->clear();
        if (optional)
            box->addItem(tr("(none)"), QString());
        for (const QString &column : m_columns)
            box->addItem(column, column);
        const int offset = optional ? 1 : 0;
        box->setCurrentIndex(chosen == ColumnMapping::none ? (optional ? 0 : -1) : int(chosen) + offset);
    };
    fill(m_anchor, table.mapping.anchor, false);
    fill(m_positive, table.mapping.positive, false);
    fill(m_score, table.mapping.score, true);
    m_negatives->clear();
    for (int i = 0; i < m_columns.size(); ++i) {
        const auto column = std::size_t(i);
        if (column == table.mapping.anchor || column == table.mapping.positive
            || column == table.mapping.score)
            continue;
        auto *item = new QListWidgetItem(m_columns[i], m_negatives);
        item->setData(Qt::UserRole, m_columns[i]);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        const bool used = std::find(table.mapping.negatives.begin(), table.mapping.negatives.end(), column)
            != table.mapping.negatives.end();
        item->setCheckState(used ? Qt::Checked : Qt::Unchecked);
    }
    m_filling = false;
}

void ColumnMappingWidget::applyTo(ImportOptions &options) const
{
    options.anchorColumn.clear();
    options.positiveColumn.clear();
    options.scoreColumn.clear();
    options.negativeColumns.clear();
    if (!m_customised)
        return;
    options.anchorColumn = columnAt(m_anchor).toStdString();
    options.positiveColumn = columnAt(m_positive).toStdString();
    options.scoreColumn = columnAt(m_score).toStdString();
    for (int i = 0; i < m_negatives->count(); ++i) {
        const QListWidgetItem *item = m_negatives->item(i);
        const QString column = item->data(Qt::UserRole).toString();
        if (item->checkState() == Qt::Checked && column != columnAt(m_anchor)
            && column != columnAt(m_positive) && column != columnAt(m_score))
            options.negativeColumns.push_back(column.toStdString());
    }
}

void ColumnMappingWidget::resetToDetected()
{
    m_customised = false;
    m_reset->setEnabled(false);
    Q_EMIT mappingChanged();
}

void ColumnMappingWidget::userChanged()
{
    if (m_filling)
        return;
    m_customised = true;
    m_reset->setEnabled(true);
    Q_EMIT mappingChanged();
}

QString ColumnMappingWidget::columnAt(const QComboBox *box) const
{
    return box->currentData().toString();
}

} // namespace pairtune::ui
