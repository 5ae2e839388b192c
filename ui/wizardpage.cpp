#include "ui/wizardpage.h"

#include <QLabel>
#include <QVBoxLayout>

namespace pairtune::ui {

WizardPage::WizardPage(QWidget *parent)
    : QWidget(parent)
{ }

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
