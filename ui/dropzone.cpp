#include "ui/dropzone.h"

#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QLabel>
#include <QMimeData>
#include <QPainter>
#include <QPushButton>
#include <QStyle>
#include <QUrl>
#include <QVBoxLayout>

namespace pairtune::ui {

DropZone::DropZone(Accept accept, const QString &prompt, const QString &browseText, QWidget *parent)
    : QFrame(parent)
    , m_accept(accept)
{
    setAcceptDrops(true);
    setFrameShape(QFrame::NoFrame);
    setMinimumHeight(fontMetrics().height() * 6);

    m_prompt = new QLabel(prompt, this);
    m_prompt->setAlignment(Qt::AlignCenter);
    m_prompt->setWordWrap(true);
    QFont font = m_prompt->font();
    font.setPointSizeF(font.pointSizeF() * 1.15);
    m_prompt->setFont(font);

    m_browse = new QPushButton(
        style()->standardIcon(accept == Accept::Files ? QStyle::SP_DialogOpenButton : QStyle::SP_DirOpenIcon),
        browseText, this);
    connect(m_browse, &QPushButton::clicked, this, &DropZone::browseRequested);

    auto *layout = new QVBoxLayout(this);
    layout->addStretch();
    layout->addWidget(m_prompt);
    layout->addWidget(m_browse, 0, Qt::AlignHCenter);
    layout->addStretch();
}

void DropZone::setPrompt(const QString &prompt)
{
    m_prompt->setText(prompt);
}

QString DropZone::prompt() const
{
    return m_prompt->text();
}

QStringList DropZone::acceptablePaths(const QMimeData *mime) const
{
    QStringList paths;
    if (!mime || !mime->hasUrls())
        return paths;
    for (const QUrl &url : mime->urls()) {
        if (!url.isLocalFile())
            continue;
        const QFileInfo info(url.toLocalFile());
        const bool fits = m_accept == Accept::Files ? info.isFile() : info.isDir();
        if (fits)
            paths << info.absoluteFilePath();
    }
    // A model is one folder: several folders at once would be ambiguous.
    if (m_accept == Accept::Folder && paths.size() != 1)
        return {};
    return paths;
}

void DropZone::dragEnterEvent(QDragEnterEvent *event)
{
    if (acceptablePaths(event->mimeData()).isEmpty()) {
        event->ignore();
        return;
    }
    event->acceptProposedAction();
    setHighlighted(true);
}

void DropZone::dragMoveEvent(QDragMoveEvent *event)
{
    if (m_highlighted)
        event->acceptProposedAction();
    else
        event->ignore();
}

void DropZone::dragLeaveEvent(QDragLeaveEvent *event)
{
    setHighlighted(false);
    QFrame::dragLeaveEvent(event);
}

void DropZone::dropEvent(QDropEvent *event)
{
    setHighlighted(false);
    const QStringList paths = acceptablePaths(event->mimeData());
    if (paths.isEmpty()) {
        event->ignore();
        return;
    }
    event->acceptProposedAction();
    Q_EMIT pathsDropped(paths);
}

void DropZone::setHighlighted(bool on)
{
    if (m_highlighted == on)
        return;
    m_highlighted = on;
    update();
}

// Drawn from the palette's roles (never a fixed colour) so the zone fits light and dark themes.
void DropZone::paintEvent(QPaintEvent *event)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const qreal margin = 2.0;
    const QRectF area = QRectF(rect()).adjusted(margin, margin, -margin, -margin);
    const qreal radius = fontMetrics().height() * 0.6;
    QColor fill = palette().color(QPalette::AlternateBase);
    if (m_highlighted) {
        fill = palette().color(QPalette::Highlight);
        fill.setAlphaF(0.18);
    }
    QPen pen(palette().color(m_highlighted ? QPalette::Highlight : QPalette::Mid));
    pen.setWidthF(m_highlighted ? 2.5 : 1.5);
    pen.setStyle(Qt::DashLine);
    painter.setPen(pen);
    painter.setBrush(fill);
    painter.drawRoundedRect(area, radius, radius);
    QFrame::paintEvent(event);
}

} // namespace pairtune::ui
