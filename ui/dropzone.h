#pragma once

#include <QFrame>
#include <QStringList>

class QLabel;
class QMimeData;
class QPushButton;

namespace pairtune::ui {

// A framed area that takes files (or one folder) dragged from a file manager, with a Browse button
// for people who prefer a dialog. It only reports paths; the owning page decides what they mean.
class DropZone : public QFrame
{
    Q_OBJECT

public:
    enum class Accept { Files, Folder };

    DropZone(Accept accept, const QString &prompt, const QString &browseText, QWidget *parent = nullptr);

    Accept accepts() const { return m_accept; }
    void setPrompt(const QString &prompt);
    QString prompt() const;
    // The local paths of a drag's payload that this zone accepts (empty: the drag is refused).
    QStringList acceptablePaths(const QMimeData *mime) const;
    bool isHighlighted() const { return m_highlighted; }

Q_SIGNALS:
    void pathsDropped(const QStringList &paths);
    void browseRequested();

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dragLeaveEvent(QDragLeaveEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void paintEvent(QPaintEvent *event) override;

private:
    void setHighlighted(bool on);

    Accept m_accept;
    bool m_highlighted = false;
    QLabel *m_prompt = nullptr;
    QPushButton *m_browse = nullptr;
};

} // namespace pairtune::ui
