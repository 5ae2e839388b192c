#pragma once

#include <QDoubleSpinBox>

namespace pairtune::ui {

// A spin box for small positive numbers such as learning rates (2e-5) and epsilons (1e-8): shows and
// accepts scientific notation, and the arrows step by factors of two instead of fixed amounts.
class ScientificSpinBox : public QDoubleSpinBox
{
    Q_OBJECT

public:
    explicit ScientificSpinBox(QWidget *parent = nullptr);

    QString textFromValue(double value) const override;
    double valueFromText(const QString &text) const override;
    QValidator::State validate(QString &text, int &pos) const override;
    void fixup(QString &input) const override;
    void stepBy(int steps) override;
};

} // namespace pairtune::ui
