#pragma once

#include <QList>
#include <QPointer>
#include <QWidget>

namespace pairtune::ui {

// One step of the studio's wizard. A page owns its widgets and its state; the main window only asks
// whether the user may go on (isComplete) and tells the page when it becomes visible.
class WizardPage : public QWidget
{
    Q_OBJECT

public:
    explicit WizardPage(QWidget *parent = nullptr);

    // Short name for the step list ("Data", "Model", ...).
    virtual QString title() const = 0;
    // Whether Next may be pressed. Pages emit completeChanged() whenever this may have changed.
    virtual bool isComplete() const = 0;
    // One line saying what is missing when !isComplete() (shown next to the disabled Next button).
    virtual QString incompleteReason() const { return {}; }
    // Whether Back may be pressed (false while the page runs something that must not be left).
    virtual bool canGoBack() const { return true; }
    // Called each time the page is shown by the wizard.
    virtual void enterPage() { }

    // Read-only: the page can still be looked at and scrolled, but its fields, buttons and drop
    // targets do nothing (the window sets this on the pages a running training uses). Turning it off
    // enables exactly what it disabled.
    void setReadOnly(bool readOnly);
    bool isReadOnly() const { return m_readOnly; }

Q_SIGNALS:
    void completeChanged();

protected:
    // A heading and a short explanation for the top of a page, in the same style on every page.
    QWidget *createHeader(const QString &heading, const QString &intro);

private:
    bool m_readOnly = false;
    QList<QPointer<QWidget>> m_disabledByReadOnly;
    QList<QPointer<QWidget>> m_dropsOffByReadOnly;
};

} // namespace pairtune::ui
