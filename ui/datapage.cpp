#include "ui/datapage.h"

#include "ui/backgroundtask.h"
#include "ui/columnmappingwidget.h"
#include "ui/datareportview.h"
#include "ui/datasourcelist.h"
#include "ui/dropzone.h"
#include "ui/loadedmodel.h"
#include "ui/messagebanner.h"
#include "ui/textformat.h"

#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QShortcut>
#include <QSplitter>
#include <QStyle>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace pairtune::ui {
namespace {

QString roleOf(const ColumnMapping &mapping, std::size_t column)
{
    if (column == mapping.anchor)
        return DataPage::tr("anchor");
    if (column == mapping.positive)
        return DataPage::tr("positive");
    if (column == mapping.score)
        return DataPage::tr("score");
    if (std::find(mapping.negatives.begin(), mapping.negatives.end(), column) != mapping.negatives.end())
        return DataPage::tr("hard negative");
    return DataPage::tr("not used");
}

} // namespace

DataPage::DataPage(QWidget *parent)
    : WizardPage(parent)
{
    m_dropZone = new DropZone(DropZone::Accept::Files, QString(), tr("Choose files…"), this);
    m_dropZone->setObjectName(QStringLiteral("dataDropZone"));
    connect(m_dropZone, &DropZone::pathsDropped, this, &DataPage::addFiles);
    connect(m_dropZone, &DropZone::browseRequested, this, &DataPage::browseForFiles);

    m_fileList = new QListWidget(this);
    m_fileList->setObjectName(QStringLiteral("fileList"));
    m_fileList->setMaximumHeight(fontMetrics().height() * 6);
    m_removeFile = new QPushButton(tr("Remove"), this);
    m_removeFile->setEnabled(false);
    auto *clear = new QPushButton(tr("Clear"), this);
    connect(m_fileList, &QListWidget::itemSelectionChanged, this, [this] {
        m_removeFile->setEnabled(!m_fileList->selectedItems().isEmpty());
        previewSelectedFile();
    });
    connect(m_removeFile, &QPushButton::clicked, this, [this] {
        for (QListWidgetItem *item : m_fileList->selectedItems())
            removeFile(item->data(Qt::UserRole).toString());
    });
    connect(clear, &QPushButton::clicked, this, &DataPage::clearFiles);
    auto *deleteKey = new QShortcut(QKeySequence::Delete, m_fileList);
    deleteKey->setContext(Qt::WidgetShortcut);
    connect(deleteKey, &QShortcut::activated, m_removeFile, &QPushButton::click);
    // Anywhere on the page: cells copied in a spreadsheet become a source. A text field with focus
    // keeps Ctrl+V for itself (it overrides the shortcut).
    auto *pasteKey = new QShortcut(QKeySequence::Paste, this);
    pasteKey->setContext(Qt::WidgetWithChildrenShortcut);
    connect(pasteKey, &QShortcut::activated, this, &DataPage::pasteFromClipboard);

    auto *filesBox = new QGroupBox(tr("Files"), this);
    auto *fileButtons = new QHBoxLayout;
    fileButtons->addStretch();
    fileButtons->addWidget(m_removeFile);
    fileButtons->addWidget(clear);
    auto *filesLayout = new QVBoxLayout(filesBox);
    filesLayout->addWidget(m_fileList);
    filesLayout->addLayout(fileButtons);

    m_mapping = new ColumnMappingWidget(this);
    m_mapping->hide();
    connect(m_mapping, &ColumnMappingWidget::mappingChanged, this, [this] {
        m_mapping->applyTo(m_options);
        scheduleReload(Change::Files);
    });

    m_preview = new QTableWidget(this);
    m_preview->setObjectName(QStringLiteral("previewTable"));
    m_preview->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_preview->setWordWrap(false);
    m_preview->setAlternatingRowColors(true);
    m_preview->horizontalHeader()->setStretchLastSection(true);
    m_previewCaption = new QLabel(this);
    m_previewCaption->setWordWrap(true);
    m_sheetPicker = new QComboBox(this);
    m_sheetPicker->setObjectName(QStringLiteral("sheetPicker"));
    m_sheetPicker->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_sheetPicker, &QComboBox::currentTextChanged, this,
        [this](const QString &sheet) { setSheet(m_sheetPicker->property("source").toString(), sheet); });
    m_sheetRow = new QWidget(this);
    auto *sheetLayout = new QHBoxLayout(m_sheetRow);
    sheetLayout->setContentsMargins(0, 0, 0, 0);
    auto *sheetLabel = new QLabel(tr("&Sheet:"), m_sheetRow);
    sheetLabel->setBuddy(m_sheetPicker);
    sheetLayout->addWidget(sheetLabel);
    sheetLayout->addWidget(m_sheetPicker);
    sheetLayout->addStretch();
    m_sheetRow->hide();

    m_report = new DataReportView(this);
    connect(m_report, &DataReportView::fixesRequested, this, &DataPage::setFixes);
    m_message = new MessageBanner(this);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("dataStatus"));
    m_status->setWordWrap(true);
    m_status->hide();
    m_loadBar = new QProgressBar(this);
    m_loadBar->setObjectName(QStringLiteral("dataLoadProgress"));
    m_loadBar->setRange(0, DataLoadProgress::kStages);
    m_loadBar->setTextVisible(false);
    m_loadBar->hide();
    m_stopLoad = new QPushButton(this);
    m_stopLoad->setObjectName(QStringLiteral("stopDataCheck"));
    m_stopLoad->hide();
    connect(m_stopLoad, &QPushButton::clicked, this, [this] {
        if (m_loading)
            stopLoading();
        else
            scheduleReload(Change::Fixes); // again, with the files as far as they were read
    });

    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_dropZone, 1);
    leftLayout->addWidget(filesBox);
    leftLayout->addWidget(m_mapping);
    leftLayout->addStretch(0);
    m_leftLayout = leftLayout;

    auto *previewBox = new QGroupBox(tr("Preview"), this);
    auto *previewLayout = new QVBoxLayout(previewBox);
    previewLayout->addWidget(m_sheetRow);
    previewLayout->addWidget(m_previewCaption);
    previewLayout->addWidget(m_preview, 1);
    auto *reportBox = new QGroupBox(tr("Data check"), this);
    auto *reportLayout = new QVBoxLayout(reportBox);
    auto *statusRow = new QHBoxLayout;
    statusRow->addWidget(m_status, 1);
    statusRow->addWidget(m_stopLoad);
    reportLayout->addLayout(statusRow);
    reportLayout->addWidget(m_loadBar);
    reportLayout->addWidget(m_report, 1);
    auto *right = new QWidget(this);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(previewBox, 3);
    rightLayout->addWidget(reportBox, 2);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(left);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(createHeader(tr("Choose the pairs to train on"),
        tr("Each pair is an anchor (a query, a question) and a positive (the text that belongs to it). "
           "Pairtune checks the data before anything is trained.")));
    layout->addWidget(m_message);
    layout->addWidget(splitter, 1);

    m_reloadTimer = new QTimer(this);
    m_reloadTimer->setSingleShot(true);
    m_reloadTimer->setInterval(150);
    connect(m_reloadTimer, &QTimer::timeout, this, &DataPage::reload);
    m_progressTimer = new QTimer(this);
    m_progressTimer->setInterval(250);
    connect(m_progressTimer, &QTimer::timeout, this, &DataPage::updateLoadProgress);
    updateFileList();
}

bool DataPage::isComplete() const
{
    return !m_dataPending && m_result.dataset && m_result.error.empty() && m_result.dataset->size() >= 2;
}

QString DataPage::incompleteReason() const
{
    if (m_sources.isEmpty())
        return tr("Add at least one pair file or paste cells.");
    if (m_stopped)
        return tr("The data check was stopped: press Check again.");
    if (m_dataPending)
        return tr("Reading the data…");
    if (!m_result.error.empty())
        return tr("Fix the problem in the data first.");
    if (m_result.dataset && m_result.dataset->size() < 2)
        return tr("Training needs at least two pairs.");
    return {};
}

void DataPage::setFixes(const DataFixes &fixes)
{
    if (fixes == m_fixes)
        return;
    m_fixes = fixes;
    scheduleReload(Change::Fixes);
}

void DataPage::setImportOptions(const ImportOptions &options)
{
    m_options = options;
    scheduleReload(Change::Files);
}

void DataPage::setReportContext(
    std::shared_ptr<const LoadedModel> model, int maxSeqLength, double trainFraction, std::uint64_t seed)
{
    if (model == m_model && maxSeqLength == m_maxSeqLength && trainFraction == m_trainFraction
        && seed == m_seed)
        return;
    m_model = std::move(model);
    m_maxSeqLength = maxSeqLength;
    m_trainFraction = trainFraction;
    m_seed = seed;
    if (!m_sources.isEmpty())
        scheduleReload(Change::ReportContext);
}

void DataPage::scheduleReload(Change change)
{
    if (change == Change::Files)
        m_rawStale = true;
    if (change != Change::ReportContext)
        m_dataPending = true;
    ++m_generation; // a result still on its way is outdated now
    if (m_loadProgress)
        m_loadProgress->cancelled = true; // and need not be finished
    m_reloadTimer->start();
    Q_EMIT completeChanged();
}

void DataPage::showResult(const DataLoadResult &result)
{
    fillPreview(result.preview, previewFile());
    if (!result.error.empty()) {
        // One line per bad file.
        m_message->showMessage(MessageBanner::Kind::Error,
            tr("<b>This data cannot be used yet.</b> %1")
                .arg(QString::fromStdString(result.error)
                         .toHtmlEscaped()
                         .replace(QLatin1Char('\n'), QStringLiteral("<br>"))));
        m_report->clear();
        return;
    }
    m_message->clear();
    if (result.dataset && !result.raw->warnings().empty()) {
        QStringList lines;
        for (const std::string &warning : result.raw->warnings())
            lines << QString::fromStdString(warning).toHtmlEscaped();
        m_message->showMessage(MessageBanner::Kind::Warning, lines.join(QStringLiteral("<br>")));
    }
    m_report->setResult(result, m_fixes);
}

QString DataPage::previewFile() const
{
    return m_sources.contains(m_previewFile) ? m_previewFile : m_sources.keys().value(0);
}

void DataPage::previewSelectedFile()
{
    const QList<QListWidgetItem *> selected = m_fileList->selectedItems();
    if (selected.size() != 1)
        return;
    const QString file = selected.front()->data(Qt::UserRole).toString();
    if (file == previewFile() && m_previewFile == file)
        return;
    m_previewFile = file;
    updateSheetPicker();
    const int generation = ++m_previewGeneration;
    const int loadGeneration = m_generation; // changes with the files, options, fixes or report context
    const ImportOptions options = m_options;
    const PairSource source = m_sources.pairSource(file);
    runInBackground<PreviewTable>(
        this, [source, options] { return preview(source, options); },
        [this, generation, loadGeneration, file](const PreviewTable &table) {
            if (generation != m_previewGeneration || !m_sources.contains(file))
                return;
            fillPreview(table, file);
            // The next load (fixes, report context) keeps this preview instead of reading it again,
            // if nothing changed since it was asked for (else the next load reads it anew).
            if (loadGeneration == m_generation && !m_rawStale && !m_loading) {
                m_result.preview = table;
                m_result.previewIndex = std::size_t(m_sources.keys().indexOf(file));
            }
        });
}

void DataPage::fillPreview(const PreviewTable &table, const QString &file)
{
    m_preview->clear();
    m_preview->setRowCount(0);
    m_preview->setColumnCount(0);
    if (table.format.empty()) {
        m_previewCaption->setText(m_sources.isEmpty() ? tr("Nothing to preview yet.") : QString());
        m_mapping->hide();
        return;
    }
    m_preview->setColumnCount(int(table.columnNames.size()));
    QStringList headers;
    for (std::size_t column = 0; column < table.columnNames.size(); ++column)
        headers << QStringLiteral("%1\n%2").arg(QString::fromStdString(table.columnNames[column]),
            QStringLiteral("→ ") + roleOf(table.mapping, column));
    m_preview->setHorizontalHeaderLabels(headers);
    m_preview->setRowCount(int(table.rows.size()));
    QStringList lineLabels;
    for (std::size_t row = 0; row < table.rows.size(); ++row) {
        for (std::size_t column = 0; column < table.rows[row].size(); ++column) {
            auto *item = new QTableWidgetItem(QString::fromStdString(table.rows[row][column]));
            item->setToolTip(item->text());
            m_preview->setItem(int(row), int(column), item);
        }
        lineLabels << QString::number(row < table.rowLines.size() ? table.rowLines[row] : row + 1);
    }
    m_preview->setVerticalHeaderLabels(lineLabels);
    m_preview->resizeColumnsToContents();
    const int widest = fontMetrics().averageCharWidth() * 40;
    for (int column = 0; column < m_preview->columnCount(); ++column)
        m_preview->setColumnWidth(column, std::min(m_preview->columnWidth(column), widest));

    const QString format = QString::fromStdString(table.format).toUpper();
    const QString rows = countOf(qint64(table.rows.size()), tr("row"), tr("rows"));
    const QString header = table.hasHeader ? tr("with a header") : tr("no header");
    const QStringList sheets = m_sources.sheetNames(file);
    if (m_sources.isPasted(file))
        m_previewCaption->setText(
            tr("The first %1 of the pasted cells (%2). Row numbers are lines of the pasted text.")
                .arg(rows, header));
    else if (table.format == "xlsx" || table.format == "ods")
        m_previewCaption->setText(
            tr("The first %1 of %2, sheet %3 (%4, %5). Row numbers are the sheet's rows.")
                .arg(rows, QFileInfo(file).fileName(),
                    m_sources.sheet(file).isEmpty() ? sheets.value(0) : m_sources.sheet(file), format,
                    header));
    else
        m_previewCaption->setText(tr("The first %1 of %2 (%3, %4). Row numbers are line numbers in the file.")
                                      .arg(rows, QFileInfo(file).fileName(), format, header));
    m_mapping->setVisible(table.columnNames.size() > 2 || m_mapping->isCustomised());
    m_mapping->setPreview(table);
}

} // namespace pairtune::ui
