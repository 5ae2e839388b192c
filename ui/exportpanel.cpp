#include "ui/exportpanel.h"

#include "core/error.h"
#include "model/modelfolder.h"
#include "train/exporter.h"
#include "ui/backgroundtask.h"
#include "ui/exportformatchoice.h"
#include "ui/exportusage.h"
#include "ui/preferences.h"

#include <QClipboard>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QGridLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMutex>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QStandardPaths>
#include <QStyle>
#include <QTabBar>
#include <QTabWidget>
#include <QTimer>
#include <QUrl>
#include <QVBoxLayout>

#include <atomic>
#include <exception>

namespace pairtune::ui {

// What the export running on the pool shares with the panel: its progress (read by a timer on the GUI
// thread) and the Stop request. Shared, so a panel that goes first leaves the worker nothing dangling.
struct ExportProgressState
{
    std::atomic<double> fraction { 0.0 };
    std::atomic<bool> stop { false };
    QMutex mutex;
    QString what;
};

namespace {

struct ExportResult
{
    QString destination;
    QString error;
    bool cancelled = false;
    QStringList files;
    ColumnPrompts prompts;
};

struct AvailabilityResult
{
    QString folder;
    FormatAvailability availability;
    QString error;
};

// The prompts the exported model was trained and evaluated with (model/prompts.h), from its configs;
// none when they cannot be read (the export itself succeeded: only the Python lines get simpler).
ColumnPrompts trainedPrompts(const std::string &folder)
{
    try {
        return columnPrompts(ModelPrompts::fromConfig(
            ModelFolder::read(folder).sentenceTransformers, folder + "/config_sentence_transformers.json"));
    } catch (const std::exception &) {
        return {};
    }
}

} // namespace

ExportPanel::ExportPanel(QWidget *parent)
    : QGroupBox(tr("Export"), parent)
{
    m_destination = new QLineEdit(this);
    m_destination->setObjectName(QStringLiteral("exportDestination"));
    m_destination->setToolTip(
        tr("A new folder: Pairtune writes a complete sentence-transformers model there "
           "(weights, tokenizer, configuration and a model card), and the ONNX and GGUF "
           "files chosen below inside it."));
    connect(m_destination, &QLineEdit::textEdited, this, [this] { m_destinationEdited = true; });
    m_browse = new QPushButton(style()->standardIcon(QStyle::SP_DirOpenIcon), tr("Choose…"), this);
    connect(m_browse, &QPushButton::clicked, this, &ExportPanel::browse);
    m_export = new QPushButton(style()->standardIcon(QStyle::SP_DialogSaveButton), tr("&Export model"), this);
    m_export->setObjectName(QStringLiteral("exportButton"));
    connect(m_export, &QPushButton::clicked, this, &ExportPanel::exportNow);
    m_stop = new QPushButton(style()->standardIcon(QStyle::SP_BrowserStop), tr("Stop"), this);
    m_stop->setObjectName(QStringLiteral("stopExport"));
    connect(m_stop, &QPushButton::clicked, this, &ExportPanel::stop);
    m_formats = new ExportFormatChoice(this);
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("exportProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    m_progressTimer = new QTimer(this);
    m_progressTimer->setInterval(100);
    connect(m_progressTimer, &QTimer::timeout, this, &ExportPanel::showProgress);

    m_result = new QLabel(this);
    m_result->setObjectName(QStringLiteral("exportResult"));
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_open = new QPushButton(style()->standardIcon(QStyle::SP_DirOpenIcon), tr("&Open folder"), this);
    m_open->setObjectName(QStringLiteral("openExportFolder"));
    connect(m_open, &QPushButton::clicked, this,
        [this] { QDesktopServices::openUrl(QUrl::fromLocalFile(m_exportedPath)); });
    m_copy = new QPushButton(tr("&Copy"), this);
    m_copy->setObjectName(QStringLiteral("copyUsage"));
    m_copy->setToolTip(tr("Copy the lines of the tab shown"));
    connect(m_copy, &QPushButton::clicked, this, [this] {
        if (const auto *lines = qobject_cast<QPlainTextEdit *>(m_usage->currentWidget()))
            QGuiApplication::clipboard()->setText(lines->toPlainText());
    });
    m_usage = new QTabWidget(this);
    m_usage->setObjectName(QStringLiteral("exportUsage"));
    m_usage->setDocumentMode(true);
    m_python = new QPlainTextEdit(this);
    m_python->setObjectName(QStringLiteral("pythonSnippet"));
    m_python->setReadOnly(true);
    m_python->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_usage->addTab(m_python, QStringLiteral("Python"));
    // Nine lines when there is room; on a small screen it gives up height (down to three lines, it
    // scrolls) before the tables above it do.
    const auto linesHigh = [this](int lines) {
        return m_python->fontMetrics().height() * lines + 2 * m_python->frameWidth()
            + int(m_python->document()->documentMargin() * 2) + m_usage->tabBar()->sizeHint().height();
    };
    m_usage->setMinimumHeight(linesHigh(3));
    m_usage->setMaximumHeight(linesHigh(9));

    auto *row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("To:"), this));
    row->addWidget(m_destination, 1);
    row->addWidget(m_browse);
    row->addWidget(m_export);
    row->addWidget(m_stop);
    auto *done = new QHBoxLayout;
    done->addWidget(m_result, 1);
    done->addWidget(m_open);
    done->addWidget(m_copy);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(row);
    layout->addWidget(m_formats);
    layout->addWidget(m_progress);
    layout->addLayout(done);
    layout->addWidget(m_usage);
    showDone();
}

void ExportPanel::setRun(const QString &runPath)
{
    m_runPath = runPath;
    m_exportedPath.clear();
    m_error.clear();
    if (!m_destinationEdited)
        m_destination->setText(QDir::toNativeSeparators(suggestedDestination()));
    showDone();
}

void ExportPanel::setWhich(const QString &which, const QString &label)
{
    m_which = which;
    m_whichLabel = label;
    m_export->setText(tr("&Export %1").arg(label));
}

void ExportPanel::setDestination(const QString &folder)
{
    m_destination->setText(QDir::toNativeSeparators(folder));
    m_destinationEdited = true;
}

void ExportPanel::setModelFolder(const QString &folder)
{
    if (folder == m_modelFolder)
        return;
    m_modelFolder = folder;
    m_checkingFormats = !folder.isEmpty();
    if (folder.isEmpty()) {
        m_formats->setUnavailable(tr("No model chosen."));
        return;
    }
    m_formats->setChecking();
    const std::string path = folder.toStdString();
    runInBackground<AvailabilityResult>(
        this,
        [folder, path]() {
            AvailabilityResult result { folder, {}, {} };
            try {
                result.availability = formatAvailability(path);
            } catch (const std::exception &error) {
                result.error = QString::fromUtf8(error.what());
            }
            return result;
        },
        [this](const AvailabilityResult &result) {
            if (result.folder != m_modelFolder)
                return; // another model was chosen meanwhile
            m_checkingFormats = false;
            if (!result.error.isEmpty()) {
                m_formats->setUnavailable(
                    tr("Only the folder: the model could not be checked (%1)").arg(result.error));
                return;
            }
            m_hints = result.availability;
            m_formats->setAvailability(result.availability);
        });
}

QString ExportPanel::destination() const
{
    return QDir::fromNativeSeparators(m_destination->text().trimmed());
}

QString ExportPanel::suggestedDestination() const
{
    QString parent = prefs::lastExportFolder.get();
    if (parent.isEmpty())
        parent = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    const QString stem = QFileInfo(m_runPath).fileName() + QStringLiteral("-model");
    QString candidate = QDir(parent).filePath(stem);
    for (int i = 2; QFileInfo::exists(candidate); ++i)
        candidate = QDir(parent).filePath(stem + QStringLiteral("-%1").arg(i));
    return candidate;
}

void ExportPanel::browse()
{
    const QString folder = QFileDialog::getSaveFileName(this, tr("Export the model as a new folder"),
        destination(), QString(), nullptr, QFileDialog::ShowDirsOnly);
    if (!folder.isEmpty())
        setDestination(folder);
}

bool ExportPanel::exportNow()
{
    const QString target = destination();
    if (m_exporting || (m_runPath.isEmpty() && m_modelFolder.isEmpty()) || target.isEmpty())
        return false;
    if (QFileInfo::exists(target) && !QDir(target).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot)) {
        m_error = tr("%1 already exists and is not empty; choose a new folder name.")
                      .arg(QDir::toNativeSeparators(target));
        m_exportedPath.clear();
        showDone();
        Q_EMIT exportFailed(m_error);
        return false;
    }
    // The engine refuses an existing destination; an empty folder (made in the file dialog) is fine.
    if (QFileInfo(target).isDir())
        QDir().rmdir(target);
    m_exporting = true;
    m_error.clear();
    m_exportedPath.clear();
    m_files.clear();
    m_state = std::make_shared<ExportProgressState>();
    m_progressTimer->start();
    showDone();
    const std::string run = m_runPath.toStdString();
    const std::string which = m_which.toStdString();
    const std::string model = m_modelFolder.toStdString();
    const ExportFormats formats = m_formats->formats();
    const std::shared_ptr<ExportProgressState> state = m_state;
    runInBackground<ExportResult>(
        this,
        [run, which, model, target, formats, state]() {
            ExportResult result;
            result.destination = target;
            ExportCallbacks callbacks;
            callbacks.progress = [state](double fraction, const std::string &what) {
                state->fraction = fraction;
                const QMutexLocker lock(&state->mutex);
                state->what = QString::fromStdString(what);
            };
            callbacks.cancelled = [state] { return state->stop.load(); };
            try {
                const std::string source = model.empty() ? modelFolderInRun(run, which) : model;
                const ExportedModel exported
                    = exportModelFolder(source, target.toStdString(), formats, callbacks);
                for (const std::string &file : exported.files)
                    result.files << QString::fromStdString(file);
                result.prompts = trainedPrompts(target.toStdString());
            } catch (const Error &error) {
                result.error = QString::fromUtf8(error.what());
                result.cancelled = error.kind() == Error::Kind::Cancelled;
            } catch (const std::exception &error) {
                result.error = QString::fromUtf8(error.what());
            }
            return result;
        },
        [this](const ExportResult &result) {
            m_exporting = false;
            m_progressTimer->stop();
            m_state.reset();
            if (!result.error.isEmpty()) {
                m_error = result.cancelled ? tr("Stopped; nothing was written to %1.")
                                                 .arg(QDir::toNativeSeparators(result.destination))
                                           : result.error;
                showDone();
                Q_EMIT exportFailed(m_error);
                return;
            }
            m_exportedPath = QFileInfo(result.destination).absoluteFilePath();
            m_files = result.files;
            m_prompts = result.prompts;
            prefs::lastExportFolder.set(QFileInfo(m_exportedPath).absolutePath());
            m_destinationEdited = false;
            showDone();
            Q_EMIT exported(m_exportedPath);
        });
    return true;
}

void ExportPanel::stop()
{
    if (m_state)
        m_state->stop = true;
    m_stop->setEnabled(false);
    m_result->setText(tr("Stopping…"));
}

void ExportPanel::showProgress()
{
    if (!m_state)
        return;
    m_progress->setValue(int(m_state->fraction.load() * 1000));
    QString what;
    {
        const QMutexLocker lock(&m_state->mutex);
        what = m_state->what;
    }
    if (!m_state->stop)
        m_result->setText(what.isEmpty() ? tr("Exporting…") : tr("Exporting: %1…").arg(what.toHtmlEscaped()));
}

QString ExportPanel::pythonSnippet() const
{
    if (m_exportedPath.isEmpty())
        return {};
    return pythonUsage(m_exportedPath, m_prompts);
}

QList<QPair<QString, QString>> ExportPanel::usageBlocks() const
{
    QList<QPair<QString, QString>> blocks;
    for (int i = 0; i < m_usage->count(); ++i) {
        if (const auto *lines = qobject_cast<QPlainTextEdit *>(m_usage->widget(i)))
            blocks.append({ m_usage->tabText(i), lines->toPlainText() });
    }
    return blocks;
}

bool ExportPanel::showUsage(const QString &title)
{
    for (int i = 0; i < m_usage->count(); ++i) {
        if (m_usage->tabText(i) == title) {
            m_usage->setCurrentIndex(i);
            return true;
        }
    }
    return false;
}

void ExportPanel::showDone()
{
    const bool done = !m_exportedPath.isEmpty();
    m_export->setEnabled(!m_exporting);
    m_stop->setVisible(m_exporting);
    m_stop->setEnabled(m_exporting);
    m_progress->setVisible(m_exporting);
    m_progress->setValue(0);
    m_formats->setEnabled(!m_exporting);
    m_open->setVisible(done);
    m_copy->setVisible(done);
    m_usage->setVisible(done);
    if (m_exporting)
        m_result->setText(tr("Exporting…"));
    else if (!m_error.isEmpty())
        m_result->setText(tr("<b>Export failed.</b> %1").arg(m_error.toHtmlEscaped()));
    else if (done)
        m_result->setText(
            tr("Exported to <b>%1</b>%2. Use it like this:")
                .arg(QDir::toNativeSeparators(m_exportedPath).toHtmlEscaped(),
                    m_files.isEmpty() ? QString()
                                      : tr(" (with %1)").arg(m_files.join(QStringLiteral(", ")))));
    else
        m_result->setText(tr("The exported folder loads unchanged with sentence-transformers in Python; ONNX "
                             "runs in ONNX Runtime (any language, Transformers.js), GGUF in llama.cpp."));
    // The first tab (the folder in Python) stays; one more per way of running the formats written.
    while (m_usage->count() > 1) {
        QWidget *tab = m_usage->widget(1);
        m_usage->removeTab(1);
        tab->deleteLater();
    }
    m_python->setPlainText(pythonSnippet());
    if (!done)
        return;
    const QList<ExportUsage> usages = exportUsages(m_exportedPath, m_files, m_prompts, m_hints);
    for (qsizetype i = 1; i < usages.size(); ++i) {
        auto *lines = new QPlainTextEdit(usages[i].text, m_usage);
        lines->setReadOnly(true);
        lines->setFont(m_python->font());
        lines->setLineWrapMode(QPlainTextEdit::NoWrap);
        m_usage->addTab(lines, usages[i].title);
    }
}

} // namespace pairtune::ui
