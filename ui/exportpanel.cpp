#include "ui/exportpanel.h"

#include "model/modelfolder.h"
#include "train/exporter.h"
#include "ui/backgroundtask.h"
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
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStandardPaths>
#include <QStyle>
#include <QUrl>
#include <QVBoxLayout>

#include <exception>

namespace pairtune::ui {
namespace {

struct ExportResult
{
    QString destination;
    QString source;
    QString error;
    ColumnPrompts prompts;
};

// A Python string literal for a path (backslashes of Windows paths doubled, quotes escaped).
QString pythonString(const QString &text)
{
    QString escaped = text;
    escaped.replace(QLatin1Char('\\'), QStringLiteral("\\\\"))
        .replace(QLatin1Char('"'), QStringLiteral("\\\""))
        .replace(QLatin1Char('\n'), QStringLiteral("\\n"));
    return QLatin1Char('"') + escaped + QLatin1Char('"');
}

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
    m_destination->setToolTip(tr("A new folder: Pairtune writes a complete sentence-transformers model there "
                                 "(weights, tokenizer, configuration and a model card)."));
    connect(m_destination, &QLineEdit::textEdited, this, [this] { m_destinationEdited = true; });
    m_browse = new QPushButton(style()->standardIcon(QStyle::SP_DirOpenIcon), tr("Choose…"), this);
    connect(m_browse, &QPushButton::clicked, this, &ExportPanel::browse);
    m_export = new QPushButton(style()->standardIcon(QStyle::SP_DialogSaveButton), tr("&Export model"), this);
    m_export->setObjectName(QStringLiteral("exportButton"));
    connect(m_export, &QPushButton::clicked, this, &ExportPanel::exportNow);

    m_result = new QLabel(this);
    m_result->setObjectName(QStringLiteral("exportResult"));
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_open = new QPushButton(style()->standardIcon(QStyle::SP_DirOpenIcon), tr("&Open folder"), this);
    m_open->setObjectName(QStringLiteral("openExportFolder"));
    connect(m_open, &QPushButton::clicked, this,
        [this] { QDesktopServices::openUrl(QUrl::fromLocalFile(m_exportedPath)); });
    m_copy = new QPushButton(tr("&Copy Python"), this);
    connect(m_copy, &QPushButton::clicked, this,
        [this] { QGuiApplication::clipboard()->setText(pythonSnippet()); });
    m_python = new QPlainTextEdit(this);
    m_python->setObjectName(QStringLiteral("pythonSnippet"));
    m_python->setReadOnly(true);
    m_python->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    // Seven lines when there is room; on a small screen it gives up height (down to three lines, it
    // scrolls) before the tables above it do.
    const auto linesHigh = [this](int lines) {
        return m_python->fontMetrics().height() * lines + 2 * m_python->frameWidth()
            + int(m_python->document()->documentMargin() * 2);
    };
    m_python->setMinimumHeight(linesHigh(3));
    m_python->setMaximumHeight(linesHigh(7));

    auto *row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("To:"), this));
    row->addWidget(m_destination, 1);
    row->addWidget(m_browse);
    row->addWidget(m_export);
    auto *done = new QHBoxLayout;
    done->addWidget(m_result, 1);
    done->addWidget(m_open);
    done->addWidget(m_copy);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(row);
    layout->addLayout(done);
    layout->addWidget(m_python);
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
    if (m_exporting || m_runPath.isEmpty() || target.isEmpty())
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
    m_export->setEnabled(false);
    m_result->setText(tr("Exporting…"));
    const std::string run = m_runPath.toStdString();
    const std::string which = m_which.toStdString();
    runInBackground<ExportResult>(
        this,
        [run, which, target]() {
            ExportResult result { target, {}, {}, {} };
            try {
                result.source = QString::fromStdString(exportFromRun(run, which, target.toStdString()));
                result.prompts = trainedPrompts(target.toStdString());
            } catch (const std::exception &error) {
                result.error = QString::fromUtf8(error.what());
            }
            return result;
        },
        [this](const ExportResult &result) {
            m_exporting = false;
            m_export->setEnabled(true);
            if (!result.error.isEmpty()) {
                m_error = result.error;
                showDone();
                Q_EMIT exportFailed(m_error);
                return;
            }
            m_exportedPath = QFileInfo(result.destination).absoluteFilePath();
            m_prompts = result.prompts;
            prefs::lastExportFolder.set(QFileInfo(m_exportedPath).absolutePath());
            m_destinationEdited = false;
            showDone();
            Q_EMIT exported(m_exportedPath);
        });
    return true;
}

QString ExportPanel::pythonSnippet() const
{
    if (m_exportedPath.isEmpty())
        return {};
    const QString load = QStringLiteral("from sentence_transformers import SentenceTransformer, util\n\n"
                                        "model = SentenceTransformer(%1)\n")
                             .arg(pythonString(QDir::toNativeSeparators(m_exportedPath)));
    if (m_prompts.any() && m_prompts.anchor != m_prompts.positive)
        return load
            + QStringLiteral("# with the prompts it was trained with (its README.md says which)\n"
                             "queries = model.encode([\"first query\"], prompt=%1)\n"
                             "documents = model.encode([\"first document\"], prompt=%2)\n"
                             "print(util.cos_sim(queries[0], documents[0]))\n")
                  .arg(pythonString(QString::fromStdString(m_prompts.anchor)),
                      pythonString(QString::fromStdString(m_prompts.positive)));
    return load
        + QStringLiteral("embeddings = model.encode([\"first text\", \"second text\"])\n"
                         "print(util.cos_sim(embeddings[0], embeddings[1]))\n");
}

void ExportPanel::showDone()
{
    const bool done = !m_exportedPath.isEmpty();
    m_open->setVisible(done);
    m_copy->setVisible(done);
    m_python->setVisible(done);
    if (!m_error.isEmpty())
        m_result->setText(tr("<b>Export failed.</b> %1").arg(m_error.toHtmlEscaped()));
    else if (done)
        m_result->setText(tr("Exported to <b>%1</b>. Load it in Python like this:")
                              .arg(QDir::toNativeSeparators(m_exportedPath).toHtmlEscaped()));
    else
        m_result->setText(tr("The exported folder loads unchanged with sentence-transformers in Python."));
    m_python->setPlainText(pythonSnippet());
}

} // namespace pairtune::ui
