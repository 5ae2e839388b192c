#include "ui/modelpage.h"

#include "core/error.h"
#include "hub/hubclient.h"
#include "recipe/trainingconfig.h"
#include "train/basemodel.h"
#include "ui/backgroundtask.h"
#include "ui/contextmemory.h"
#include "ui/dropzone.h"
#include "ui/hubdownload.h"
#include "ui/hubdownloadpanel.h"
#include "ui/hubmodelpicker.h"
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
#include <QStackedWidget>
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
    QString what = QString::fromUtf8(error.what());
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

struct HubCacheListing
{
    std::vector<hub::CachedModel> models;
    QString where; // the cache folder and the Hub it talks to, in words
};

// Reads the Hub cache; never touches the network.
HubCacheListing listHubCache()
{
    HubCacheListing listing;
    try {
        const hub::HubSettings settings = hub::HubSettings::fromEnvironment();
        listing.where = ModelPage::tr("Cache: %1 · Hub: %2")
                            .arg(QDir::toNativeSeparators(QString::fromStdString(settings.cacheDir)),
                                QString::fromStdString(settings.endpoint));
        if (settings.offline)
            listing.where += ModelPage::tr(" · offline (HF_HUB_OFFLINE): cached models only");
        listing.models = hub::listCachedModels(settings);
    } catch (const std::exception &error) {
        listing.where = ModelPage::tr("The Hugging Face cache could not be read: %1")
                            .arg(QString::fromUtf8(error.what()));
    }
    return listing;
}

// The cached snapshot of repo@revision, or "" (also when the cache cannot be read). No network.
QString cachedSnapshotFolder(const QString &repoId, const QString &revision)
{
    try {
        const auto folder = hub::cachedSnapshot(
            hub::HubSettings::fromEnvironment(), { repoId.toStdString(), revision.toStdString() });
        return folder ? QString::fromStdString(*folder) : QString();
    } catch (const std::exception &) {
        return {};
    }
}

} // namespace

ModelPage::ModelPage(QWidget *parent)
    : WizardPage(parent)
{
    m_builtinChoice = new QRadioButton(tr("The &built-in model that ships with Pairtune"), this);
    m_builtinChoice->setObjectName(QStringLiteral("builtinChoice"));
    m_folderChoice = new QRadioButton(tr("A sentence-transformers model &folder"), this);
    m_folderChoice->setObjectName(QStringLiteral("folderChoice"));
    m_hubChoice = new QRadioButton(tr("A model from the &Hugging Face Hub"), this);
    m_hubChoice->setObjectName(QStringLiteral("hubChoice"));
    auto *group = new QButtonGroup(this);
    group->addButton(m_builtinChoice);
    group->addButton(m_folderChoice);
    group->addButton(m_hubChoice);
    connect(m_builtinChoice, &QRadioButton::clicked, this, &ModelPage::chooseBuiltin);
    connect(m_folderChoice, &QRadioButton::clicked, this, [this] {
        showSource(Source::Folder);
        if (m_source != Source::Folder || m_folder.isEmpty())
            browseForFolder();
    });
    // The Hub choice only shows the list: nothing is fetched until a model is picked in it.
    connect(m_hubChoice, &QRadioButton::clicked, this, [this] {
        showSource(Source::Hub);
        refreshHubCache();
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
    m_folderPanel = new QWidget(this);
    auto *folderLayout = new QVBoxLayout(m_folderPanel);
    folderLayout->setContentsMargins(0, 0, 0, 0);
    folderLayout->addWidget(m_dropZone, 1);
    folderLayout->addWidget(recentBox, 1);

    m_hubPicker = new HubModelPicker(this);
    connect(m_hubPicker, &HubModelPicker::modelRequested, this,
        [this](const QString &repoId, const QString &revision) { chooseHubModel(repoId, revision); });
    m_sourceStack = new QStackedWidget(this);
    m_sourceStack->addWidget(m_folderPanel);
    m_sourceStack->addWidget(m_hubPicker);

    m_message = new MessageBanner(this);
    m_message->setObjectName(QStringLiteral("modelMessage"));
    m_download = new HubDownload(this);
    connect(m_download, &HubDownload::finished, this, [this](const QString &folder) {
        load(folder, Source::Hub);
        refreshHubCache();
    });
    connect(m_download, &HubDownload::failed, this, &ModelPage::downloadFailed);
    m_downloadPanel = new HubDownloadPanel(m_download, this);
    m_summaryBox = new QGroupBox(tr("Model"), this);
    auto *summaryLayout = new QVBoxLayout(m_summaryBox);
    m_summary = new QFormLayout;
    summaryLayout->addLayout(m_summary);
    m_longContext = new MessageBanner(m_summaryBox);
    m_longContext->setObjectName(QStringLiteral("longContextWarning"));
    summaryLayout->addWidget(m_longContext);
    m_longContext->clear();
    m_summaryBox->hide();

    auto *leftColumn = new QWidget(this);
    auto *left = new QVBoxLayout(leftColumn);
    left->setContentsMargins(0, 0, 0, 0);
    left->addWidget(m_builtinChoice);
    left->addWidget(m_folderChoice);
    left->addWidget(m_hubChoice);
    left->addWidget(m_sourceStack, 1);
    auto *rightColumn = new QWidget(this);
    auto *right = new QVBoxLayout(rightColumn);
    right->setContentsMargins(0, 0, 0, 0);
    right->addWidget(m_message);
    right->addWidget(m_downloadPanel);
    right->addWidget(m_summaryBox);
    right->addStretch();
    // Fixed shares (the Hub list's repo ids are long, the summary needs less room), so the columns do
    // not shift while messages and the download panel come and go.
    for (auto [column, share] : { std::pair { leftColumn, 3 }, std::pair { rightColumn, 2 } }) {
        QSizePolicy policy(QSizePolicy::Ignored, QSizePolicy::Preferred);
        policy.setHorizontalStretch(share);
        policy.setHeightForWidth(true); // the summary's labels wrap
        column->setSizePolicy(policy);
    }
    auto *columns = new QHBoxLayout;
    columns->addWidget(leftColumn);
    columns->addWidget(rightColumn);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(createHeader(tr("Choose the model to start from"),
        tr("Fine-tuning starts from a model that already knows the language. Pairtune reads and writes "
           "sentence-transformers folders (BERT, DistilBERT, RoBERTa, XLM-R, MPNet and ModernBERT encoders) "
           "and fetches them from the "
           "Hugging Face Hub into the same cache Python uses.")));
    layout->addLayout(columns, 1);
    fillRecent();
}

bool ModelPage::isComplete() const
{
    return !m_loading && !isDownloading() && m_model != nullptr;
}

QString ModelPage::incompleteReason() const
{
    if (isDownloading())
        return tr("Downloading %1…").arg(m_hubRepo);
    if (m_loading)
        return tr("Checking the model…");
    if (!m_chosen)
        return tr("Choose a model.");
    return tr("Choose a model that loads.");
}

void ModelPage::enterPage()
{
    if (!m_chosen && !m_loading)
        chooseBuiltin();
    refreshHubCache();
}

QString ModelPage::basePath() const
{
    return m_source == Source::Builtin ? QStringLiteral("builtin") : m_folder;
}

void ModelPage::describeBase(TrainingConfig &config) const
{
    config.basePath = basePath().toStdString();
    config.baseRepoId.clear();
    config.baseRevision.clear();
    config.baseCommit.clear();
    if (m_source != Source::Hub)
        return;
    config.baseRepoId = m_hubRepo.toStdString();
    config.baseRevision = m_hubRevision.toStdString();
    // The snapshot folder is named by its commit (CACHE/models--owner--name/snapshots/<commit>).
    config.baseCommit = QFileInfo(m_folder).fileName().toStdString();
}

bool ModelPage::usesBuiltin() const
{
    return m_source == Source::Builtin;
}

bool ModelPage::isDownloading() const
{
    return m_download->isRunning();
}

QString ModelPage::errorText() const
{
    return m_message->kind() == MessageBanner::Kind::Error ? m_message->text() : QString();
}

QString ModelPage::messageText() const
{
    return m_message->text();
}

void ModelPage::showSource(Source source)
{
    m_sourceStack->setCurrentWidget(
        source == Source::Hub ? static_cast<QWidget *>(m_hubPicker) : m_folderPanel);
}

void ModelPage::showError(const QString &html)
{
    m_loading = false;
    m_model.reset();
    m_summaryBox->hide();
    m_message->showMessage(MessageBanner::Kind::Error, html);
    Q_EMIT completeChanged();
    Q_EMIT modelChanged();
}

void ModelPage::refreshHubCache()
{
    runInBackground<HubCacheListing>(this, &listHubCache, [this](const HubCacheListing &listing) {
        m_hubPicker->setCache(listing.models, listing.where);
        Q_EMIT cacheRefreshed();
    });
}

void ModelPage::chooseBuiltin()
{
    m_builtinChoice->setChecked(true);
    showSource(Source::Builtin);
    QString folder;
    try {
        folder = QString::fromStdString(resolveBaseModel("builtin"));
    } catch (const std::exception &error) {
        m_download->abandon();
        m_chosen = true;
        m_source = Source::Builtin;
        m_folder.clear();
        ++m_generation;
        showError(tr("<b>The built-in model is not available.</b> %1<br>Choose a model folder instead.")
                      .arg(QString::fromUtf8(error.what()).toHtmlEscaped()));
        return;
    }
    load(folder, Source::Builtin);
}

void ModelPage::chooseFolder(const QString &folder)
{
    m_folderChoice->setChecked(true);
    showSource(Source::Folder);
    load(QFileInfo(folder).absoluteFilePath(), Source::Folder);
}

void ModelPage::chooseHubModel(const QString &repoId, const QString &revision)
{
    m_hubChoice->setChecked(true);
    showSource(Source::Hub);
    m_download->abandon();
    ++m_generation; // a folder still loading is no longer wanted
    m_chosen = true;
    m_source = Source::Hub;
    const auto hubRepo = hubRepoIdForName(repoId.trimmed().toStdString());
    m_hubRepo = hubRepo ? QString::fromStdString(*hubRepo) : repoId.trimmed();
    m_hubRevision = revision.trimmed().isEmpty() ? QStringLiteral("main") : revision.trimmed();
    m_folder.clear();
    m_hubPicker->showChoice(m_hubRepo, m_hubRevision);
    if (!hubRepo) {
        showError(tr("<b>\"%1\" is not a valid Hugging Face repo id.</b> Use owner/name (letters, digits, "
                     "'-', '_' and '.'; no '--' or '..'; at most 96 characters), e.g. "
                     "sentence-transformers/all-MiniLM-L6-v2.")
                      .arg(repoId.toHtmlEscaped()));
        return;
    }
    // A model already in the cache is used as it is, without asking the Hub (as with HF_HUB_OFFLINE).
    const QString cached = cachedSnapshotFolder(m_hubRepo, m_hubRevision);
    if (!cached.isEmpty() && looksLikeModelFolder(cached)) {
        load(cached, Source::Hub);
        return;
    }
    startDownload();
}

void ModelPage::startDownload()
{
    m_loading = false;
    m_model.reset();
    m_summaryBox->hide();
    m_message->showMessage(MessageBanner::Kind::Info,
        tr("Downloading <b>%1</b> from the Hugging Face Hub into the local cache. The files a "
           "sentence-transformers model needs are fetched; an interrupted download resumes next time.")
            .arg(m_hubRepo.toHtmlEscaped()));
    m_download->start(m_hubRepo, m_hubRevision);
    Q_EMIT completeChanged();
    Q_EMIT modelChanged();
}

void ModelPage::cancelDownload()
{
    m_download->cancel();
}

void ModelPage::downloadFailed(const QString &message, bool cancelled)
{
    m_loading = false;
    m_model.reset();
    m_summaryBox->hide();
    if (cancelled) {
        m_message->showMessage(MessageBanner::Kind::Warning,
            tr("<b>The download of %1 was cancelled.</b> What was fetched stays in the cache; choosing the "
               "model again resumes it.")
                .arg(m_hubRepo.toHtmlEscaped()));
    } else {
        m_message->showMessage(MessageBanner::Kind::Error,
            tr("<b>%1 could not be downloaded.</b> %2")
                .arg(m_hubRepo.toHtmlEscaped(), message.toHtmlEscaped()));
        m_message->addAction(tr("Try again"), [this] { startDownload(); });
    }
    refreshHubCache();
    Q_EMIT completeChanged();
    Q_EMIT modelChanged();
}

void ModelPage::browseForFolder()
{
    const QString start
        = m_folder.isEmpty() || m_source != Source::Folder ? prefs::lastModelFolder.get() : m_folder;
    const QString folder
        = QFileDialog::getExistingDirectory(this, tr("Choose a sentence-transformers model folder"), start);
    if (!folder.isEmpty())
        chooseFolder(folder);
    else if (m_source == Source::Builtin)
        m_builtinChoice->setChecked(true); // the choice did not change
    else if (m_source == Source::Hub && m_chosen) {
        m_hubChoice->setChecked(true);
        showSource(Source::Hub);
    } else if (m_folder.isEmpty())
        m_folderChoice->setChecked(false);
}

void ModelPage::load(const QString &folder, Source source)
{
    m_download->abandon(); // finished already when a download led here
    m_chosen = true;
    m_source = source;
    m_folder = folder;
    m_model.reset();
    m_summaryBox->hide();
    const int generation = ++m_generation;
    if (!QFileInfo(folder).isDir() || !looksLikeModelFolder(folder)) {
        showError(
            tr("<b>%1 is not a sentence-transformers model folder.</b> A model folder holds modules.json or "
               "config.json next to the weights (model.safetensors) and the tokenizer files. Choose the "
               "folder that SentenceTransformer.save() wrote.")
                .arg(QDir::toNativeSeparators(folder).toHtmlEscaped()));
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
        [this, generation, source](const ModelLoadResult &result) {
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
                if (source == Source::Folder) {
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
    if (m_source == Source::Hub) {
        row(tr("Hub model:"), m_hubRepo);
        row(tr("Revision:"),
            tr("%1 (commit %2)").arg(m_hubRevision, QFileInfo(m_folder).fileName().left(12)));
    }
    if (m_source != Source::Hub) // a Hub snapshot's long path gets a full-width line below
        row(tr("Folder:"),
            m_source == Source::Builtin ? tr("built-in (%1)").arg(QDir::toNativeSeparators(m_folder))
                                        : QDir::toNativeSeparators(m_folder));
    const ModelArchitecture &a = m_model->architecture();
    row(tr("Architecture:"),
        a.modelClass.empty()
            ? QString::fromStdString(a.family)
            : tr("%1 (%2)").arg(QString::fromStdString(a.family), QString::fromStdString(a.modelClass)));
    row(tr("Layers:"),
        tr("%1 (hidden size %2, %3 attention heads)").arg(s.layers).arg(s.hidden).arg(s.heads));
    if (a.localWindow > 0)
        row(tr("Attention:"),
            tr("every %1 layers global, the others a %2-token sliding window")
                .arg(a.globalAttentionEvery)
                .arg(a.localWindow));
    row(tr("Embedding dimension:"), QString::number(s.embeddingDimension));
    row(tr("Max sequence length:"),
        tr("%1 tokens (position table: %2)")
            .arg(locale.toString(s.maxSeqLength), locale.toString(a.maxPositions)));
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
                locale.formattedDataSize(qint64(m_model->bytesOnDisk()), 1, QLocale::DataSizeSIFormat)));
    if (m_source == Source::Hub) {
        auto *where = new QLabel(
            tr("In the Hugging Face cache: %1").arg(QDir::toNativeSeparators(m_folder)), m_summaryBox);
        where->setTextInteractionFlags(Qt::TextSelectableByMouse);
        where->setWordWrap(true);
        m_summary->addRow(where);
    }
    switch (m_source) {
    case Source::Builtin:
        m_summaryBox->setTitle(tr("Built-in model"));
        break;
    case Source::Hub:
        m_summaryBox->setTitle(m_hubRepo);
        break;
    case Source::Folder:
        m_summaryBox->setTitle(QFileInfo(m_folder).fileName());
        break;
    }
    showLongContextWarning();
    m_summaryBox->show();
}

void ModelPage::showLongContextWarning()
{
    const ModelArchitecture &a = m_model->architecture();
    if (a.maxSeqLength <= kLongContextTokens) {
        m_longContext->clear();
        return;
    }
    // A batch of the default size: anchor and positive columns, each text at the full length. Half the
    // machine's memory is what a suggested length may take (weights and optimizer need the rest).
    const int texts = 2 * TrainingConfig().batchSize;
    const QLocale locale;
    const auto size = [&locale](std::uint64_t bytes) {
        return locale.formattedDataSize(qint64(bytes), 1, QLocale::DataSizeSIFormat);
    };
    const std::uint64_t memory = physicalMemoryBytes();
    const int suggested = suggestedMaxLength(a, texts, memory > 0 ? memory / 2 : 8ull << 30);
    const TrainingMemoryEstimate full = estimateTrainingMemory(a, a.maxSeqLength, texts);
    m_longContext->showMessage(MessageBanner::Kind::Warning,
        tr("Long inputs: texts of up to %1 tokens need about %2 per batch of %3 pairs in training "
           "(attention grows with the square of the length); unless your texts need it, set Max "
           "sequence length to %4 on the Settings page (about %5).")
            .arg(locale.toString(a.maxSeqLength), size(full.total()))
            .arg(texts / 2)
            .arg(locale.toString(suggested), size(estimateTrainingMemory(a, suggested, texts).total())));
    m_longContext->setToolTip(
        tr("Estimated for %1 texts that reach the length: %2 for the attention grids (%3 layers x %4 heads "
           "x length² floats, kept twice for the backward pass), %5 for the other activations. Shorter "
           "texts need less; weights, gradients and optimizer state come on top.")
            .arg(texts)
            .arg(size(full.attentionBytes))
            .arg(a.layers)
            .arg(a.heads)
            .arg(size(full.activationBytes)));
}

QString ModelPage::longContextWarning() const
{
    return m_summaryBox->isHidden() || m_longContext->isHidden() ? QString() : m_longContext->text();
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
