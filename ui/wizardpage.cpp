#include "ui/wizardpage.h"

#include <QAbstractButton>
#include <QAbstractSpinBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QVBoxLayout>

namespace pairtune::ui {

WizardPage::WizardPage(QWidget *parent)
    : QWidget(parent)
{ }

void WizardPage::setReadOnly(bool readOnly)
{
    if (readOnly == m_readOnly)
        return;
    m_readOnly = readOnly;
    if (!readOnly) {
        for (const QPointer<QWidget> &widget : std::as_const(m_disabledByReadOnly)) {
            if (widget)
                widget->setEnabled(true);
        }
        for (const QPointer<QWidget> &widget : std::as_const(m_dropsOffByReadOnly)) {
            if (widget)
                widget->setAcceptDrops(true);
        }
        m_disabledByReadOnly.clear();
        m_dropsOffByReadOnly.clear();
        return;
    }
    // Only what changes something: lists, tables, text views and scroll bars stay usable for looking.
    QList<QWidget *> widgets = findChildren<QWidget *>();
    widgets.prepend(this);
    for (QWidget *widget : std::as_const(widgets)) {
        const bool input = qobject_cast<QAbstractButton *>(widget) || qobject_cast<QAbstractSpinBox *>(widget)
            || qobject_cast<QComboBox *>(widget) || qobject_cast<QLineEdit *>(widget);
        // Line edits inside spin boxes and combo boxes follow their owner.
        const bool part = qobject_cast<QAbstractSpinBox *>(widget->parentWidget())
            || qobject_cast<QComboBox *>(widget->parentWidget());
        if (input && !part && !widget->testAttribute(Qt::WA_ForceDisabled)) {
            widget->setEnabled(false);
            m_disabledByReadOnly << widget;
        }
        if (widget->acceptDrops()) {
            widget->setAcceptDrops(false);
            m_dropsOffByReadOnly << widget;
        }
    }
}

QWidget *WizardPage::createHeader(const QString &heading, const QString &intro)
{
    auto *header = new QWidget(this);
    auto *title = new QLabel(heading, header);
    title->setObjectName(QStringLiteral("pageHeading"));
    QFont font = title->font();
    font.setPointSizeF(font.pointSizeF() * 1.4);
    font.setBold(true);
    title->setFont(font);
    auto *text = new QLabel(intro, header);
    text->setWordWrap(true);
    text->setForegroundRole(QPalette::PlaceholderText);
    auto *layout = new QVBoxLayout(header);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(title);
    layout->addWidget(text);
    return header;
}

} // namespace pairtune::ui
