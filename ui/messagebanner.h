#pragma once

#include <QFrame>

#include <functional>

class QLabel;
class QHBoxLayout;

namespace pairtune::ui {

// An inline message with an icon (information, warning, error) and optional action buttons. Pages use
// it instead of modal boxes, so a message never blocks the window and stays visible while the user
// fixes the cause.
class MessageBanner : public QFrame
{
    Q_OBJECT

public:
    enum class Kind { Info, Warning, Error };

    explicit MessageBanner(QWidget *parent = nullptr);

    // Shows text (rich text allowed); an empty text hides the banner. Removes earlier action buttons.
    void showMessage(Kind kind, const QString &text);
    void clear();
    // Adds a button that runs the given action (after showMessage).
    void addAction(const QString &text, std::function<void()> action);

    Kind kind() const { return m_kind; }
    QString text() const;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    Kind m_kind = Kind::Info;
    QLabel *m_icon = nullptr;
    QLabel *m_text = nullptr;
    QHBoxLayout *m_buttons = nullptr;
};

} // namespace pairtune::ui
