#include "ui/modelpage.h"

#include "core/error.h"
#include "train/basemodel.h"
#include "ui/backgroundtask.h"
#include "ui/dropzone.h"
#include "ui/loadedmodel.h"
#include "ui/messagebanner.h"
#include "ui/preferences.h"

#include <QButtonGroup>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QRadioButton>
#include <QVBoxLayout>

namespace pairtune::ui {
namespace {

struct ModelLoadResult
{
    std::shared_ptr<const LoadedModel> model;
    QString folder;
    QString error;
};

QString readableError(const QString &folder, const std::exception &error)
{
    const QString what = QString::fromUtf8(error.what());
    if (dynamic_cast<const Error *>(&error))
        return what;
    return ModelPage::tr("%1 could not be loaded as a sentence-transformers model: %2").arg(folder, what);
}

// A quick look before loading: a folder without any of the files a model folder has is certainly not
// one, and saying so plainly is clearer than the loader's first missing-file message.
bool looksLikeModelFolder(const QString &folder)
{
    const QDir dir(folder);
    return dir.exists(QStringLiteral("modules.json")) || dir.exists(QStringLiteral("config.json"));
}

} // namespace

ModelPage::ModelPage(QWidget *parent)
    : WizardPage(parent)
{
    m_builtinChoice = new QRadioButton(tr("The &built-in model that ships with Pairtune"), this);
    m_builtinChoice->setObjectName(QStringLiteral("builtinChoice"));
    m_folderChoice = new QRadioButton(tr("A sentence-transformers model &folder"), this);
    m_folderChoice->setObjectName(QStringLiteral("folderChoice"));
    auto *group = new QButtonGroup(this);
    group->addButton(m_builtinChoice);
    group->addButton(m_folderChoice);
    connect(m_builtinChoice, &QRadioButton::clicked, this, &ModelPage::chooseBuiltin);
    connect(m_folderChoice, &QRadioButton::clicked, this, [this] {
        if (m_builtin || m_folder.isEmpty())
            browseForFolder();
    });

    m_dropZone = new DropZone(DropZone::Accept::Folder,
        tr("Drop a model folder here\n(a folder saved by SentenceTransformer.save or exported by Pairtune)"),
        tr("Choose folder…"), this);
    m_dropZone->setObjectName(QStringLiteral("modelDropZone"));
    connect(m_dropZone, &DropZone::pathsDropped, this,
        [this](const QStringList &paths) { chooseFolder(paths.first()); });
    connect(m_dropZone, &DropZone::browseRequested, this, &ModelPage::browseForFolder);

    m_recent = new QListWidget(this);
    m_recent->setObjectName(QStringLiteral("recentModels"));
    connect(m_recent, &QListWidget::itemActivated, this,
        [this](QListWidgetItem *item) { chooseFolder(item->data(Qt::UserRole).toString()); });
    auto *recentBox = new QGroupBox(tr("Recent models"), this);
    auto *recentLayout = new QVBoxLayout(recentBox);
    recentLayout->addWidget(m_recent);

    m_message = new MessageBanner(this);
    m_message->setObjectName(QStringLiteral("modelMessage"));
    m_summaryBox = new QGroupBox(tr("Model"), this);
    m_summary = new QFormLayout(m_summaryBox);
    m_summaryBox->hide();

    auto *left = new QVBoxLayout;
    left->addWidget(m_builtinChoice);
    left->addWidget(m_folderChoice);
    left->addWidget(m_dropZone, 1);
    left->addWidget(recentBox, 1);
    auto *right = new QVBoxLayout;
    right->addWidget(m_message);
    right->addWidget(m_summaryBox);
    right->addStretch();
    auto *columns = new QHBoxLayout;
    columns->addLayout(left, 1);
    columns->addLayout(right, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(createHeader(tr("Choose the model to start from"),
        tr("Fine-tuning starts from a model that already knows the language. Pairtune reads and writes "
           "sentence-transformers folders (BERT and XLM-RoBERTa encoders).")));
    layout->addLayout(columns, 1);
    fillRecent();
}

bool ModelPage::isComplete() const
{
    return !m_loading && m_model != nullptr;
}

QString ModelPage::incompleteReason() const
{
    if (m_loading)
        return tr("Checking the model…");
    if (!m_builtin && m_folder.isEmpty())
        return tr("Choose a model.");
    return tr("Choose a model that loads.");
}

void ModelPage::enterPage()
{
    if (!m_builtin && m_folder.isEmpty() && !m_loading)
        chooseBuiltin();
}

QString ModelPage::basePath() const
{
    return m_builtin ? QStringLiteral("builtin") : m_folder;
}

bool ModelPage::usesBuiltin() const
{
    return m_builtin;
}

QString ModelPage::errorText() const
{
    return m_message->kind() == MessageBanner::Kind::Error ? m_message->text() : QString();
}

void ModelPage::chooseBuiltin()
{
    m_builtinChoice->setChecked(true);
    QString folder;
    try {
        folder = QString::fromStdString(resolveBaseModel("builtin"));
    } catch (const std::exception &error) {
        m_builtin = true;
        m_folder.clear();
        m_model.reset();
        ++m_generation;
        m_loading = false;
        m_summaryBox->hide();
        m_message->showMessage(MessageBanner::Kind::Error,
            tr("<b>The built-in model is not available.</b> %1<br>Choose a model folder instead.")
                .arg(QString::fromUtf8(error.what()).toHtmlEscaped()));
        Q_EMIT completeChanged();
        Q_EMIT modelChanged();
        return;
    }
    load(folder, true);
}

void ModelPage::chooseFolder(const QString &folder)
{
    m_folderChoice->setChecked(true);
    load(QFileInfo(folder).absoluteFilePath(), false);
}

void ModelPage::browseForFolder()
{
    const QString start = m_folder.isEmpty() || m_builtin ? prefs::lastModelFolder.get() : m_folder;
    const QString folder
        = QFileDialog::getExistingDirectory(this, tr("Choose a sentence-transformers model folder"), start);
    if (!folder.isEmpty())
        chooseFolder(folder);
    else if (m_folder.isEmpty() && !m_builtin)
        m_folderChoice->setChecked(false);
}

void ModelPage::load(const QString &folder, bool builtin)
{
    m_builtin = builtin;
    m_folder = folder;
    m_model.reset();
    m_summaryBox->hide();
    const int generation = ++m_generation;
    if (!QFileInfo(folder).isDir() || !looksLikeModelFolder(folder)) {
        m_loading = false;
        m_message->showMessage(MessageBanner::Kind::Error,
            tr("<b>%1 is not a sentence-transformers model folder.</b> A model folder holds modules.json or "
               "config.json next to the weights (model.safetensors) and the tokenizer files. Choose the "
               "folder that SentenceTransformer.save() wrote.")
                .arg(QDir::toNativeSeparators(folder).toHtmlEscaped()));
        Q_EMIT completeChanged();
        Q_EMIT modelChanged();
        return;
    }
    m_loading = true;
    m_message->showMessage(
        MessageBanner::Kind::Info, tr("Checking %1…").arg(QDir::toNativeSeparators(folder).toHtmlEscaped()));
    Q_EMIT completeChanged();
    Q_EMIT modelChanged();
    runInBackground<ModelLoadResult>(
        this,
        [folder]() {
            ModelLoadResult result { nullptr, folder, {} };
            try {
                result.model = LoadedModel::load(folder.toStdString());
            } catch (const std::exception &error) {
                result.error = readableError(folder, error);
            } catch (...) {
                result.error = tr("%1 could not be loaded (unknown error).").arg(folder);
            }
            return result;
        },
        [this, generation, builtin](const ModelLoadResult &result) {
            if (generation != m_generation)
                return;
            m_loading = false;
            m_model = result.model;
            if (!m_model) {
                m_message->showMessage(MessageBanner::Kind::Error,
                    tr("<b>This model cannot be used.</b> %1").arg(result.error.toHtmlEscaped()));
            } else {
                m_message->showMessage(MessageBanner::Kind::Info,
                    tr("<b>Ready.</b> This sentence-transformers model can be fine-tuned. It stays as it is: "
                       "the run "
                       "writes a new model into its own folder."));
                if (!builtin) {
                    prefs::addRecentModel(result.folder);
                    prefs::lastModelFolder.set(QFileInfo(result.folder).absolutePath());
                    fillRecent();
                }
                showSummary();
            }
            Q_EMIT completeChanged();
            Q_EMIT modelChanged();
        });
}

void ModelPage::showSummary()
{
    while (m_summary->rowCount() > 0)
        m_summary->removeRow(0);
    const ModelSummary &s = m_model->summary();
    const QLocale locale;
    const auto row = [this](const QString &label, const QString &value) {
        auto *text = new QLabel(value, m_summaryBox);
        text->setTextInteractionFlags(Qt::TextSelectableByMouse);
        text->setWordWrap(true);
        m_summary->addRow(label, text);
    };
    row(tr("Folder:"),
        m_builtin ? tr("built-in (%1)").arg(QDir::toNativeSeparators(m_folder))
                  : QDir::toNativeSeparators(m_folder));
    row(tr("Architecture:"), QString::fromStdString(s.architecture));
    row(tr("Layers:"),
        tr("%1 (hidden size %2, %3 attention heads)").arg(s.layers).arg(s.hidden).arg(s.heads));
    row(tr("Embedding dimension:"), QString::number(s.embeddingDimension));
    row(tr("Max sequence length:"), tr("%1 tokens").arg(s.maxSeqLength));
    row(tr("Vocabulary:"),
        tr("%1 tokens (%2)")
            .arg(locale.toString(qulonglong(s.vocabSize)), QString::fromStdString(s.tokenizerKind)));
    row(tr("Pooling:"),
        QString::fromStdString(s.pooling) + (s.hasDense ? tr(" + dense") : QString())
            + (s.normalize ? tr(", normalised") : QString()));
    row(tr("Similarity:"), QString::fromStdString(s.similarity));
    row(tr("Size:"),
        tr("%1 parameters, %2 on disk")
            .arg(locale.toString(qulonglong(s.parameterCount)),
                locale.formattedDataSize(qint64(m_model->bytesOnDisk()))));
    m_summaryBox->setTitle(m_builtin ? tr("Built-in model") : QFileInfo(m_folder).fileName());
    m_summaryBox->show();
}

void ModelPage::fillRecent()
{
    m_recent->clear();
    for (const QString &folder : prefs::recentModels.get()) {
        if (!QFileInfo(folder).isDir())
            continue;
        auto *item = new QListWidgetItem(QFileInfo(folder).fileName(), m_recent);
        item->setData(Qt::UserRole, folder);
        item->setToolTip(QDir::toNativeSeparators(folder));
    }
    if (m_recent->count() == 0) {
        auto *item = new QListWidgetItem(tr("Models you use appear here."), m_recent);
        item->setFlags(Qt::NoItemFlags);
    }
}

} // namespace pairtune::ui
