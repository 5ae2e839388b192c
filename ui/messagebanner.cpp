#include "ui/messagebanner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QPushButton>
#include <QStyle>

namespace pairtune::ui {

MessageBanner::MessageBanner(QWidget *parent)
    : QFrame(parent)
{
    m_icon = new QLabel(this);
    m_text = new QLabel(this);
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_text->setOpenExternalLinks(true);
    m_buttons = new QHBoxLayout;
    auto *layout = new QHBoxLayout(this);
    const int pad = fontMetrics().height() / 2;
    layout->setContentsMargins(pad, pad, pad, pad);
    layout->addWidget(m_icon, 0, Qt::AlignTop);
    layout->addWidget(m_text, 1);
    layout->addLayout(m_buttons);
    hide();
}

void MessageBanner::showMessage(Kind kind, const QString &text)
{
    while (QLayoutItem *item = m_buttons->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    m_kind = kind;
    if (text.isEmpty()) {
        m_text->clear();
        hide();
        return;
    }
    const QStyle::StandardPixmap icon = kind == Kind::Error ? QStyle::SP_MessageBoxCritical
        : kind == Kind::Warning                             ? QStyle::SP_MessageBoxWarning
                                                            : QStyle::SP_MessageBoxInformation;
    const int size = style()->pixelMetric(QStyle::PM_SmallIconSize);
    m_icon->setPixmap(style()->standardIcon(icon).pixmap(size, size));
    m_text->setText(text);
    show();
    update();
}

void MessageBanner::clear()
{
    showMessage(Kind::Info, {});
}

void MessageBanner::addAction(const QString &text, std::function<void()> action)
{
    auto *button = new QPushButton(text, this);
    connect(button, &QPushButton::clicked, this, [action = std::move(action)]() { action(); });
    m_buttons->addWidget(button);
}

QString MessageBanner::text() const
{
    return m_text->text();
}

// A tinted rounded box: the tint is mixed from the palette's window colour and a hue per kind, so it
// stays readable in light and dark themes.
void MessageBanner::paintEvent(QPaintEvent *event)
{
    const QColor window = palette().color(QPalette::Window);
    const QColor hue = m_kind == Kind::Error ? QColor(220, 50, 47)
        : m_kind == Kind::Warning            ? QColor(230, 160, 20)
                                             : palette().color(QPalette::Highlight);
    QColor fill = window;
    const qreal mix = 0.16;
    fill.setRgbF(window.redF() * (1 - mix) + hue.redF() * mix,
        window.greenF() * (1 - mix) + hue.greenF() * mix, window.blueF() * (1 - mix) + hue.blueF() * mix);
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(hue, 1.0));
    painter.setBrush(fill);
    const qreal radius = fontMetrics().height() * 0.35;
    painter.drawRoundedRect(QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5), radius, radius);
    QFrame::paintEvent(event);
}

} // namespace pairtune::ui
