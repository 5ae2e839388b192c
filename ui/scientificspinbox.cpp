#include "ui/scientificspinbox.h"

#include "ui/focusedwheel.h"

#include <QLocale>

#include <cmath>

namespace pairtune::ui {

ScientificSpinBox::ScientificSpinBox(QWidget *parent)
    : QDoubleSpinBox(parent)
{
    // QDoubleSpinBox rounds values to decimals(); the maximum keeps 1e-12 and 3e-5 exact enough.
    setDecimals(323);
    setRange(0.0, 1.0);
    setKeyboardTracking(false);
    takeWheelOnlyWhenFocused(this);
}

QString ScientificSpinBox::textFromValue(double value) const
{
    if (value == 0.0)
        return QStringLiteral("0");
    // Shortest form that reads back to the same double ("2e-05", "0.001"), in the C locale so the
    // exponent letter and decimal point never change with the user's language.
    QString text = QString::number(value, 'g', 6);
    return text;
}

double ScientificSpinBox::valueFromText(const QString &text) const
{
    bool ok = false;
    const double value = text.trimmed().toDouble(&ok);
    return ok ? value : this->value();
}

QValidator::State ScientificSpinBox::validate(QString &text, int &) const
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return QValidator::Intermediate;
    bool ok = false;
    const double value = trimmed.toDouble(&ok);
    if (!ok) {
        // Partial input such as "2e" or "1e-" may still become a number.
        static const QString allowed = QStringLiteral("0123456789.eE-+");
        for (const QChar c : trimmed) {
            if (!allowed.contains(c))
                return QValidator::Invalid;
        }
        return QValidator::Intermediate;
    }
    return value >= minimum() && value <= maximum() ? QValidator::Acceptable : QValidator::Intermediate;
}

void ScientificSpinBox::fixup(QString &input) const
{
    input = textFromValue(value());
}

void ScientificSpinBox::stepBy(int steps)
{
    double next = value();
    if (next <= 0.0)
        next = std::max(minimum(), 1e-6);
    else
        next *= std::pow(2.0, steps);
    setValue(std::clamp(next, minimum(), maximum()));
}

} // namespace pairtune::ui
