#include "ui/focusedwheel.h"

#include <QAbstractScrollArea>
#include <QAbstractSpinBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QEvent>
#include <QWidget>

namespace pairtune::ui {
namespace {

class FocusedWheelFilter : public QObject
{
public:
    using QObject::QObject;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() != QEvent::Wheel)
            return false;
        auto *field = static_cast<QWidget *>(watched);
        if (field->hasFocus())
            return false;
        // The scroll area around the field scrolls instead. Handed over explicitly: Qt passes an ignored
        // wheel event on to the parents only when it came from the window system.
        for (QWidget *parent = field->parentWidget(); parent; parent = parent->parentWidget()) {
            if (auto *area = qobject_cast<QAbstractScrollArea *>(parent)) {
                QCoreApplication::sendEvent(area->viewport(), event);
                event->accept();
                return true;
            }
        }
        event->ignore(); // no scroll area: let the parents have it
        return true;
    }
};

} // namespace

void takeWheelOnlyWhenFocused(QWidget *field)
{
    if (field->property("pairtuneWheelGuard").toBool())
        return;
    field->setProperty("pairtuneWheelGuard", true);
    // The default WheelFocus would let the wheel itself give the field focus.
    field->setFocusPolicy(Qt::StrongFocus);
    field->installEventFilter(new FocusedWheelFilter(field));
}

void takeWheelOnlyWhenFocusedInside(QWidget *container)
{
    for (QAbstractSpinBox *box : container->findChildren<QAbstractSpinBox *>())
        takeWheelOnlyWhenFocused(box);
    for (QComboBox *box : container->findChildren<QComboBox *>())
        takeWheelOnlyWhenFocused(box);
}

} // namespace pairtune::ui
