#pragma once

#include "ui/dataloader.h"
#include "ui/wizardpage.h"

#include <memory>

class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QTableWidget;
class QTimer;
class QVBoxLayout;

namespace pairtune::ui {

class ColumnMappingWidget;
class DataReportView;
class DropZone;
class LoadedModel;
class MessageBanner;

// Step 1: which pairs to train on. Files come from a drop zone or a dialog; the page previews them,
// lets the user map columns, shows the engine's data report and applies one-click fixes. Reading and
// checking run off the GUI thread.
class DataPage : public WizardPage
{
    Q_OBJECT

public:
    explicit DataPage(QWidget *parent = nullptr);

    QString title() const override { return tr("Data"); }
    bool isComplete() const override;
    QString incompleteReason() const override;

    void addFiles(const QStringList &paths);
    void removeFile(const QString &path);
    void clearFiles();
    QStringList files() const { return m_files; }
    bool isLoading() const { return m_loading; }

    // The pairs as they will be trained on (after fixes); null until the files were read.
    std::shared_ptr<const PairDataset> dataset() const { return m_result.dataset; }
    const DataLoadResult &lastResult() const { return m_result; }
    DataFixes fixes() const { return m_fixes; }
    void setFixes(const DataFixes &fixes);
    // How the files are read, with the column mapping chosen (empty columns: detected). A restored
    // session puts it back; the files are read again with it.
    const ImportOptions &importOptions() const { return m_options; }
    void setImportOptions(const ImportOptions &options);

    // The trainer reads files: returns the user's files when they are used as they are, or writes the
    // cleaned / re-mapped pairs to folder/prepared-pairs.jsonl and returns that file. Throws
    // pairtune::Error when writing fails.
    std::vector<std::string> dataPathsForTraining(const QString &folder) const;
    bool needsPreparedCopy() const;

    // What the report measures with: the chosen model's tokenizer and length, the settings' split.
    void setReportContext(
        std::shared_ptr<const LoadedModel> model, int maxSeqLength, double trainFraction, std::uint64_t seed);

    DropZone *dropZone() const { return m_dropZone; }
    QTableWidget *previewTable() const { return m_preview; }
    ColumnMappingWidget *columnMapping() const { return m_mapping; }
    DataReportView *reportView() const { return m_report; }

public Q_SLOTS:
    void browseForFiles();

Q_SIGNALS:
    void dataChanged();
    void loadingChanged(bool loading);

private:
    // What changed decides what must be redone: the files or how they are read (read again), the
    // fixes (the pairs change), or only what the report measures with (the pairs stay usable).
    enum class Change { Files, Fixes, ReportContext };
    void scheduleReload(Change change);
    void reload();
    void showResult(const DataLoadResult &result);
    void fillPreview(const PreviewTable &table, const QString &file);
    void updateFileList();
    // Marks each file the last load found a problem in (icon, the problem as its tooltip).
    void markFileProblems();
    // Shows the file selected in the list in the preview (read off the GUI thread).
    void previewSelectedFile();
    QString previewFile() const;

    QStringList m_files;
    ImportOptions m_options;
    DataFixes m_fixes;
    std::shared_ptr<const LoadedModel> m_model;
    int m_maxSeqLength = 0;
    double m_trainFraction = 0.8;
    std::uint64_t m_seed = 42;

    DataLoadResult m_result;
    QString m_previewFile; // chosen in the list; empty: the first file
    int m_previewGeneration = 0;
    bool m_loading = false;
    bool m_rawStale = true;
    bool m_dataPending = false; // the pairs shown are not yet those of the current choices
    int m_generation = 0;
    QTimer *m_reloadTimer = nullptr;

    DropZone *m_dropZone = nullptr;
    QListWidget *m_fileList = nullptr;
    QPushButton *m_removeFile = nullptr;
    QTableWidget *m_preview = nullptr;
    QLabel *m_previewCaption = nullptr;
    ColumnMappingWidget *m_mapping = nullptr;
    DataReportView *m_report = nullptr;
    MessageBanner *m_message = nullptr;
    QLabel *m_status = nullptr;
    QVBoxLayout *m_leftLayout = nullptr;
};

} // namespace pairtune::ui
