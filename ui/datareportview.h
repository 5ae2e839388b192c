#pragma once

#include "ui/dataloader.h"

#include <QWidget>

class QLabel;
class QPushButton;

namespace pairtune::ui {

// The engine's data report in words: a one-line summary, its warnings as a list, and one-click fixes
// for the problems that have one (duplicates, empty texts, identical sides), with an undo.
class DataReportView : public QWidget
{
    Q_OBJECT

public:
    explicit DataReportView(QWidget *parent = nullptr);

    void setResult(const DataLoadResult &result, const DataFixes &applied);
    void clear();

    QString summaryText() const;
    QStringList warnings() const { return m_warnings; }
    QPushButton *dropDuplicatesButton() const { return m_dropDuplicates; }
    QPushButton *dropEmptyButton() const { return m_dropEmpty; }
    QPushButton *dropIdenticalButton() const { return m_dropIdentical; }
    QPushButton *undoButton() const { return m_undo; }

Q_SIGNALS:
    void fixesRequested(const pairtune::ui::DataFixes &fixes);

private:
    QLabel *m_summary = nullptr;
    QLabel *m_warningList = nullptr;
    QLabel *m_applied = nullptr;
    QPushButton *m_dropDuplicates = nullptr;
    QPushButton *m_dropEmpty = nullptr;
    QPushButton *m_dropIdentical = nullptr;
    QPushButton *m_undo = nullptr;
    QStringList m_warnings;
    DataFixes m_fixes;
};

} // namespace pairtune::ui
