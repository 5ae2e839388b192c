#pragma once

#include "model/prompts.h"

#include <QGroupBox>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace pairtune::ui {

// Copies a model folder out of the run (exportFromRun) to a place the user chooses, off the GUI
// thread, then shows where it went, an "Open folder" button and the Python lines that load it.
class ExportPanel : public QGroupBox
{
    Q_OBJECT

public:
    explicit ExportPanel(QWidget *parent = nullptr);

    // The run to export from and a suggested destination name.
    void setRun(const QString &runPath);
    // which: "final", "best", "last" or "step-N" (exportFromRun's names).
    void setWhich(const QString &which, const QString &label);
    void setDestination(const QString &folder);
    QString destination() const;
    // Starts the export; false when one is running or nothing is chosen.
    bool exportNow();

    bool isExporting() const { return m_exporting; }
    QString exportedPath() const { return m_exportedPath; }
    QString pythonSnippet() const;
    QString errorText() const { return m_error; }

Q_SIGNALS:
    void exported(const QString &path);
    void exportFailed(const QString &message);

private:
    void browse();
    void showDone();
    QString suggestedDestination() const;

    QString m_runPath;
    QString m_which = QStringLiteral("final");
    QString m_whichLabel;
    QString m_exportedPath;
    ColumnPrompts m_prompts; // the exported model's, for the Python lines
    QString m_error;
    bool m_exporting = false;
    bool m_destinationEdited = false;

    QLineEdit *m_destination = nullptr;
    QPushButton *m_browse = nullptr;
    QPushButton *m_export = nullptr;
    QLabel *m_result = nullptr;
    QPushButton *m_open = nullptr;
    QPushButton *m_copy = nullptr;
    QPlainTextEdit *m_python = nullptr;
};

} // namespace pairtune::ui
