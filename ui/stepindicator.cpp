#include "ui/stepindicator.h"

namespace pairtune::ui {

StepIndicator::StepIndicator(QWidget *parent)
    : QListWidget(parent)
{
    setObjectName(QStringLiteral("stepIndicator"));
    setFrameShape(QFrame::NoFrame);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setSpacing(fontMetrics().height() / 4);
    // The steps are navigation, not content: the window background makes that visible.
    setBackgroundRole(QPalette::Window);
    viewport()->setBackgroundRole(QPalette::Window);
    QFont bigger = font();
    bigger.setPointSizeF(bigger.pointSizeF() * 1.1);
    setFont(bigger);
    connect(this, &QListWidget::currentRowChanged, this, [this](int row) {
        if (!m_updating && row >= 0)
            Q_EMIT stepChosen(row);
    });
}

void StepIndicator::setSteps(const QStringList &titles)
{
    m_titles = titles;
    m_updating = true;
    clear();
    for (int i = 0; i < titles.size(); ++i)
        addItem(QStringLiteral("%1   %2").arg(i + 1).arg(titles[i]));
    m_updating = false;
}

void StepIndicator::setState(int current, int reachable, int done)
{
    m_updating = true;
    if (done < 0)
        done = current;
    for (int i = 0; i < count(); ++i) {
        QListWidgetItem *row = item(i);
        const bool checked = i < done;
        row->setText(QStringLiteral("%1   %2").arg(
            checked ? QStringLiteral("✓") : QString::number(i + 1), m_titles.value(i)));
        Qt::ItemFlags flags = Qt::ItemIsEnabled;
        if (i <= reachable)
            flags |= Qt::ItemIsSelectable;
        else
            flags = Qt::NoItemFlags;
        row->setFlags(flags);
        QFont f = font();
        f.setBold(i == current);
        row->setFont(f);
    }
    setCurrentRow(current);
    m_updating = false;
}

QSize StepIndicator::sizeHint() const
{
    int widest = 0;
    for (const QString &title : m_titles)
        widest = std::max(widest, fontMetrics().horizontalAdvance(QStringLiteral("✓   ") + title));
    return { widest + fontMetrics().averageCharWidth() * 6, QListWidget::sizeHint().height() };
}

} // namespace pairtune::ui
