#pragma once

class QWidget;

namespace pairtune::ui {

// Makes a value field (spin box, combo box) take the mouse wheel only while it has the keyboard focus.
// Unfocused, the wheel goes on to the parent, so scrolling a long form over its fields scrolls the form
// instead of silently changing a setting; a click or Tab gives the field focus (Qt::StrongFocus), and
// then the wheel changes it as usual.
void takeWheelOnlyWhenFocused(QWidget *field);

// The same for every spin box and combo box inside container.
void takeWheelOnlyWhenFocusedInside(QWidget *container);

} // namespace pairtune::ui
