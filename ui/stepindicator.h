#pragma once

#include <QListWidget>

namespace pairtune::ui {

// The wizard's steps down the left side: the current one selected, steps already passed marked, and
// those the user may jump to clickable (earlier steps, or later ones whose predecessors are complete).
class StepIndicator : public QListWidget
{
    Q_OBJECT

public:
    explicit StepIndicator(QWidget *parent = nullptr);

    void setSteps(const QStringList &titles);
    // current: the visible step; reachable: steps 0..reachable may be clicked; steps before `done`
    // (default: current) get a check mark.
    void setState(int current, int reachable, int done = -1);

    QSize sizeHint() const override;

Q_SIGNALS:
    void stepChosen(int index);

private:
    QStringList m_titles;
    bool m_updating = false;
};

} // namespace pairtune::ui
