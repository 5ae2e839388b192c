#pragma once

#include "export/modelexport.h"
#include "model/prompts.h"

#include <QGroupBox>

#include <memory>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTabWidget;
class QTimer;

namespace pairtune::ui {

class ExportFormatChoice;
struct ExportProgressState;

// Exports a model folder of the run (export/modelexport.h) to a place the user chooses, with ONNX and
// GGUF files inside when chosen, off the GUI thread with progress and a Stop button; then shows where
// it went, an "Open folder" button and, for each way to run what was written, the exact lines (Python,
// ONNX Runtime in JavaScript, llama.cpp) with a Copy button.
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
    // The model folder that which names (checked off the GUI thread for the formats it can be written in).
    void setModelFolder(const QString &folder);
    QString destination() const;
    // Starts the export; false when one is running or nothing is chosen.
    bool exportNow();
    void stop();

    bool isExporting() const { return m_exporting; }
    QString exportedPath() const { return m_exportedPath; }
    QString pythonSnippet() const;
    QString errorText() const { return m_error; }
    ExportFormatChoice *formatChoice() const { return m_formats; }
    // The usage blocks shown after an export: tab title -> the lines.
    QList<QPair<QString, QString>> usageBlocks() const;
    // Shows the usage tab with this title; false when there is none.
    bool showUsage(const QString &title);
    // True once the chosen model's formats are known (or could not be checked).
    bool formatsChecked() const { return !m_checkingFormats; }

Q_SIGNALS:
    void exported(const QString &path);
    void exportFailed(const QString &message);

private:
    void browse();
    void showDone();
    void showProgress();
    QString suggestedDestination() const;

    QString m_runPath;
    QString m_which = QStringLiteral("final");
    QString m_whichLabel;
    QString m_exportedPath;
    QString m_modelFolder;
    QStringList m_files; // the format files written, relative to m_exportedPath
    ColumnPrompts m_prompts; // the exported model's, for the Python lines
    FormatAvailability m_hints; // the chosen model's, for the usage lines
    std::shared_ptr<ExportProgressState> m_state; // the running export's
    bool m_checkingFormats = false;
    QString m_error;
    bool m_exporting = false;
    bool m_destinationEdited = false;

    QLineEdit *m_destination = nullptr;
    QPushButton *m_browse = nullptr;
    QPushButton *m_export = nullptr;
    QPushButton *m_stop = nullptr;
    ExportFormatChoice *m_formats = nullptr;
    QProgressBar *m_progress = nullptr;
    QTimer *m_progressTimer = nullptr;
    QLabel *m_result = nullptr;
    QPushButton *m_open = nullptr;
    QPushButton *m_copy = nullptr;
    QTabWidget *m_usage = nullptr;
    QPlainTextEdit *m_python = nullptr; // the first tab
};

} // namespace pairtune::ui
