// DataPage's sources: files added by drop or dialog, cells pasted from the clipboard, a workbook's
// sheet, the file list that shows them and the files a run trains on. (The page's layout, loading
// and preview are in datapage.cpp.)

#include "data/spreadsheetreader.h"
#include "train/basemodel.h"
#include "ui/backgroundtask.h"
#include "ui/columnmappingwidget.h"
#include "ui/datapage.h"
#include "ui/dropzone.h"
#include "ui/messagebanner.h"
#include "ui/pastedcells.h"
#include "ui/preferences.h"

#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QLayout>
#include <QListWidget>
#include <QMimeData>
#include <QPushButton>
#include <QStyle>
#include <QUrl>

namespace pairtune::ui {

void DataPage::browseForFiles()
{
    // The first time, open where the sample pairs are (/usr/share/pairtune/data once installed).
    QString start = prefs::lastDataFolder.get();
    if (const std::string resources = resourcesFolder(); start.isEmpty() && !resources.empty()) {
        const QString samples = QDir(QString::fromStdString(resources)).filePath(QStringLiteral("data"));
        if (QFileInfo(samples).isDir())
            start = samples;
    }
    const QStringList paths = QFileDialog::getOpenFileNames(this, tr("Choose pair files"), start,
        tr("Pair files (*.tsv *.tab *.csv *.jsonl *.ndjson *.json *.txt *.xlsx *.ods);;"
           "Spreadsheets (*.xlsx *.ods);;All files (*)"));
    if (!paths.isEmpty())
        addFiles(paths);
}

void DataPage::addFiles(const QStringList &paths)
{
    QStringList added;
    for (const QString &path : paths) {
        const QString absolute = QFileInfo(path).absoluteFilePath();
        if (QFileInfo(absolute).isFile() && m_sources.addFile(absolute))
            added << absolute;
    }
    if (added.isEmpty())
        return;
    prefs::lastDataFolder.set(QFileInfo(added.last()).absolutePath());
    readSheetNames(added);
    updateFileList();
    scheduleReload(Change::Files);
}

QString DataPage::addPastedCells(const QString &text)
{
    QMimeData mime;
    mime.setText(text);
    const std::optional<std::string> cells = pastedCellText(&mime);
    if (!cells) {
        m_message->showMessage(MessageBanner::Kind::Warning,
            tr("<b>The clipboard holds no cells.</b> Select at least two columns (anchor and positive) "
               "in a spreadsheet, copy them and paste here."));
        return {};
    }
    const std::size_t rows = pastedRowCount(*cells, m_options);
    const QString key = m_sources.addPasted(*cells, rows);
    updateFileList();
    scheduleReload(Change::Files);
    return key;
}

void DataPage::pasteFromClipboard()
{
    if (isReadOnly())
        return;
    const QMimeData *mime = QGuiApplication::clipboard()->mimeData();
    if (mime && mime->hasUrls()) {
        QStringList files;
        for (const QUrl &url : mime->urls()) {
            if (url.isLocalFile())
                files << url.toLocalFile();
        }
        if (!files.isEmpty()) {
            addFiles(files);
            return;
        }
    }
    (void)addPastedCells(mime && mime->hasText() ? mime->text() : QString());
}

void DataPage::removeFile(const QString &key)
{
    if (!m_sources.remove(key))
        return;
    // The fixes were chosen for the pairs as they were; the report offers them again where they apply.
    m_fixes = {};
    updateFileList();
    scheduleReload(Change::Files);
}

void DataPage::clearFiles()
{
    m_sources.clear();
    m_fixes = {};
    m_options = ImportOptions {};
    if (m_mapping->isCustomised())
        m_mapping->resetToDetected();
    updateFileList();
    scheduleReload(Change::Files);
}

void DataPage::setSheet(const QString &key, const QString &sheet)
{
    if (!m_sources.contains(key) || m_sources.sheet(key) == sheet)
        return;
    m_sources.setSheet(key, sheet);
    // Another sheet has other columns: the mapping chosen for the old one no longer applies.
    if (m_mapping->isCustomised())
        m_mapping->resetToDetected();
    m_fixes = {};
    updateFileList();
    scheduleReload(Change::Files);
}

void DataPage::readSheetNames(const QStringList &paths)
{
    for (const QString &path : paths) {
        if (!isSpreadsheetPath(path.toStdString()))
            continue;
        // A workbook that cannot be read keeps no names; the load says what is wrong with it.
        runInBackground<QStringList>(
            this,
            [path] {
                QStringList names;
                try {
                    for (const std::string &name : spreadsheetSheetNames(path.toStdString()))
                        names << QString::fromStdString(name);
                } catch (const std::exception &) { }
                return names;
            },
            [this, path](const QStringList &names) {
                if (!m_sources.contains(path))
                    return;
                m_sources.setSheetNames(path, names);
                updateFileList();
            });
    }
}

bool DataPage::needsPreparedCopy() const
{
    // A mapping put back by setImportOptions (a restored session) is chosen too, though the widget
    // shows it as read.
    const bool columnsChosen = !m_options.anchorColumn.empty() || !m_options.positiveColumn.empty()
        || !m_options.scoreColumn.empty() || !m_options.negativeColumns.empty();
    return m_fixes.any() || m_mapping->isCustomised() || columnsChosen
        || m_sources.readsOtherThanFirstSheets();
}

DataPage::RunData DataPage::dataForRun(const QString &folder) const
{
    // Pasted cells go into the run folder even when the prepared copy is trained on: the run keeps
    // what the user gave it.
    RunData data { m_sources.writeForRun(folder), {} };
    if (!needsPreparedCopy() || !m_result.dataset)
        return data;
    data.prepared
        = { m_result.dataset, QDir(folder).filePath(QStringLiteral("prepared-pairs.jsonl")).toStdString() };
    data.paths = { data.prepared.path };
    return data;
}

void DataPage::markFileProblems()
{
    const QStringList keys = m_sources.keys();
    const bool known = m_result.fileErrors.size() == std::size_t(keys.size());
    for (int row = 0; row < m_fileList->count(); ++row) {
        QListWidgetItem *item = m_fileList->item(row);
        const QString key = item->data(Qt::UserRole).toString();
        const int index = int(keys.indexOf(key));
        const QString problem = known && index >= 0
            ? QString::fromStdString(m_result.fileErrors[std::size_t(index)])
            : QString();
        item->setIcon(problem.isEmpty() ? QIcon() : style()->standardIcon(QStyle::SP_MessageBoxCritical));
        const QString tip = m_sources.toolTip(key);
        item->setToolTip(problem.isEmpty() ? tip : tip + QLatin1Char('\n') + problem);
    }
}

void DataPage::updateFileList()
{
    const QString selected
        = m_fileList->currentItem() ? m_fileList->currentItem()->data(Qt::UserRole).toString() : QString();
    const QSignalBlocker quiet(m_fileList); // refilling is no new choice of the file to preview
    m_fileList->clear();
    for (const QString &key : m_sources.keys()) {
        auto *item = new QListWidgetItem(m_sources.label(key), m_fileList);
        item->setData(Qt::UserRole, key);
        item->setToolTip(m_sources.toolTip(key));
        if (key == selected)
            m_fileList->setCurrentItem(item);
    }
    m_removeFile->setEnabled(!m_fileList->selectedItems().isEmpty());
    markFileProblems();
    updateSheetPicker();
    const bool empty = m_sources.isEmpty();
    m_fileList->parentWidget()->setVisible(!empty);
    // With files chosen the drop zone shrinks to make room for the file list and the mapping.
    m_leftLayout->setStretch(0, empty ? 1 : 0);
    m_leftLayout->setStretch(m_leftLayout->count() - 1, empty ? 0 : 1);
    m_dropZone->setMaximumHeight(empty ? QWIDGETSIZE_MAX : fontMetrics().height() * 8);
    m_dropZone->setPrompt(empty
            ? tr("Drop pair files here\n(TSV, CSV, JSON Lines, JSON, Excel or LibreOffice "
                 "sheets; several files are joined)\nor paste cells copied in a "
                 "spreadsheet (Ctrl+V)")
            : tr("Drop more files or paste cells (Ctrl+V) to add them"));
}

void DataPage::updateSheetPicker()
{
    const QString key = previewFile();
    const QStringList sheets = m_sources.sheetNames(key);
    const QSignalBlocker quiet(m_sheetPicker);
    m_sheetPicker->clear();
    m_sheetPicker->addItems(sheets);
    const QString chosen = m_sources.sheet(key);
    m_sheetPicker->setCurrentIndex(chosen.isEmpty() ? 0 : int(sheets.indexOf(chosen)));
    m_sheetPicker->setProperty("source", key);
    m_sheetRow->setVisible(sheets.size() > 1);
}

} // namespace pairtune::ui
