#pragma once

#include "data/pairfilewriter.h"
#include "ui/dataloader.h"
#include "ui/datasourcelist.h"
#include "ui/wizardpage.h"

#include <QElapsedTimer>

#include <memory>

class QComboBox;
class QProgressBar;
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

// Step 1: which pairs to train on. Files come from a drop zone or a dialog, cells from the clipboard
// (Ctrl+V); the page previews them, lets the user map columns and pick a workbook's sheet, shows the
// engine's data report and applies one-click fixes. Reading and checking run off the GUI thread.
class DataPage : public WizardPage
{
    Q_OBJECT

public:
    explicit DataPage(QWidget *parent = nullptr);

    QString title() const override { return tr("Data"); }
    bool isComplete() const override;
    QString incompleteReason() const override;

    void addFiles(const QStringList &paths);
    // Cells copied in a spreadsheet (tab-separated text) as a new source held in memory; returns its
    // key ("pasted-1.tsv"), empty when the text holds no cells (the page then says so).
    QString addPastedCells(const QString &text);
    // Ctrl+V: the clipboard's cells, or the files it holds.
    void pasteFromClipboard();
    // Removes a file or pasted cells by key (sourceKeys(): a path, or a pasted source's name).
    void removeFile(const QString &key);
    void clearFiles();
    // The files chosen (pasted cells are no file: sourceKeys() lists them too).
    QStringList files() const { return m_sources.files(); }
    QStringList sourceKeys() const { return m_sources.keys(); }
    const DataSourceList &sources() const { return m_sources; }
    // Which sheet of a workbook source to read ("" = the first).
    void setSheet(const QString &key, const QString &sheet);
    bool isLoading() const { return m_loading; }
    // Stops reading and checking (the Stop button): the page keeps the preview and waits for
    // "Check again". A stopped load ends at its next stage (reading, fixes, check).
    void stopLoading();
    bool isStopped() const { return m_stopped; }

    // The pairs as they will be trained on (after fixes); null until the files were read.
    std::shared_ptr<const PairDataset> dataset() const { return m_result.dataset; }
    const DataLoadResult &lastResult() const { return m_result; }
    DataFixes fixes() const { return m_fixes; }
    void setFixes(const DataFixes &fixes);
    // How the files are read, with the column mapping chosen (empty columns: detected). A restored
    // session puts it back; the files are read again with it.
    const ImportOptions &importOptions() const { return m_options; }
    void setImportOptions(const ImportOptions &options);

    // What a run in folder trains on. The trainer reads files: the user's files when they are used as
    // they are (pasted cells written into folder as pasted-N.tsv now: they are small), else the
    // cleaned / re-mapped pairs (or another sheet than a workbook's first), returned to be written to
    // folder/prepared-pairs.jsonl by the training worker (TrainingController::start), never here on
    // the GUI thread. Throws pairtune::Error when writing the pasted cells fails.
    struct RunData
    {
        std::vector<std::string> paths; // for TrainingConfig::dataPaths
        PairsToWrite prepared; // set: paths is its one path, to be written before training
    };
    RunData dataForRun(const QString &folder) const;
    bool needsPreparedCopy() const;

    // What the report measures with: the chosen model's tokenizer and length, the settings' split.
    void setReportContext(
        std::shared_ptr<const LoadedModel> model, int maxSeqLength, double trainFraction, std::uint64_t seed);

    DropZone *dropZone() const { return m_dropZone; }
    QTableWidget *previewTable() const { return m_preview; }
    QComboBox *sheetPicker() const { return m_sheetPicker; }
    QListWidget *fileList() const { return m_fileList; }
    ColumnMappingWidget *columnMapping() const { return m_mapping; }
    DataReportView *reportView() const { return m_report; }
    // While reading and checking: the stage reached (of DataLoadProgress::kStages) and the Stop /
    // Check again button.
    QProgressBar *loadProgressBar() const { return m_loadBar; }
    QPushButton *stopButton() const { return m_stopLoad; }
    QString statusText() const;

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
    // The rest of reload(), with the preview read (or kept); readsBefore counts the preview's read.
    void startLoad(DataLoadRequest request, int generation, std::size_t readsBefore);
    void finishLoad(DataLoadResult result);
    // Keeps result; the pairs it replaces are freed on a pool thread (a million records take a while).
    void keepResult(DataLoadResult result);
    void updateLoadProgress();
    void showResult(const DataLoadResult &result);
    void fillPreview(const PreviewTable &table, const QString &file);
    void updateFileList();
    // Marks each file the last load found a problem in (icon, the problem as its tooltip).
    void markFileProblems();
    // Shows the file selected in the list in the preview (read off the GUI thread).
    void previewSelectedFile();
    QString previewFile() const;
    // Workbooks: reads their sheet names off the GUI thread, then offers the picker.
    void readSheetNames(const QStringList &paths);
    void updateSheetPicker();

    DataSourceList m_sources;
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
    std::shared_ptr<DataLoadProgress> m_loadProgress; // of the load under way
    QElapsedTimer m_loadClock;
    QTimer *m_progressTimer = nullptr;
    bool m_stopped = false;

    DropZone *m_dropZone = nullptr;
    QListWidget *m_fileList = nullptr;
    QPushButton *m_removeFile = nullptr;
    QTableWidget *m_preview = nullptr;
    QLabel *m_previewCaption = nullptr;
    QWidget *m_sheetRow = nullptr;
    QComboBox *m_sheetPicker = nullptr;
    ColumnMappingWidget *m_mapping = nullptr;
    DataReportView *m_report = nullptr;
    MessageBanner *m_message = nullptr;
    QLabel *m_status = nullptr;
    QProgressBar *m_loadBar = nullptr;
    QPushButton *m_stopLoad = nullptr;
    QVBoxLayout *m_leftLayout = nullptr;
};

} // namespace pairtune::ui
