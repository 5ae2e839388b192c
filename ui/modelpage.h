#pragma once

#include "ui/wizardpage.h"

#include <memory>

class QFormLayout;
class QGroupBox;
class QLabel;
class QListWidget;
class QRadioButton;
class QStackedWidget;

namespace pairtune {
struct TrainingConfig;
}

namespace pairtune::ui {

class DropZone;
class HubDownload;
class HubDownloadPanel;
class HubModelPicker;
class LoadedModel;
class MessageBanner;

// Step 2: the model to start from: the built-in one, any sentence-transformers folder (picked, dropped
// or taken from the recent list) or a Hugging Face Hub model (suggested, typed or already in the local
// Hub cache). A folder is loaded off the GUI thread as soon as it is chosen, so a wrong folder is
// reported right away with the reason; a Hub model not in the cache is downloaded first, off the GUI
// thread, with progress and Cancel, and then checked the same way.
class ModelPage : public WizardPage
{
    Q_OBJECT

public:
    explicit ModelPage(QWidget *parent = nullptr);

    QString title() const override { return tr("Model"); }
    bool isComplete() const override;
    QString incompleteReason() const override;
    // The first visit starts with the built-in model when nothing was chosen yet. Every visit re-reads
    // the local Hub cache (no network).
    void enterPage() override;

    enum class Source { Builtin, Folder, Hub };
    Source source() const { return m_source; }

    // "builtin" or the folder to train from (for a Hub model its snapshot folder in the Hub cache).
    QString basePath() const;
    // Fills what TrainingConfig says about the base model: basePath and, for a Hub model, the repo id,
    // revision and commit (as pairtune-cli train does), so runs and model cards name the repo, not a
    // cache path, and a resume needs no network.
    void describeBase(TrainingConfig &config) const;
    bool usesBuiltin() const;
    // The Hub model chosen (empty unless source() is Hub) and its revision.
    QString hubRepoId() const { return m_source == Source::Hub ? m_hubRepo : QString(); }
    QString hubRevision() const { return m_hubRevision; }
    // The validated model (null while loading or when the choice is not usable).
    std::shared_ptr<const LoadedModel> model() const { return m_model; }
    bool isLoading() const { return m_loading; }
    bool isDownloading() const;
    QString errorText() const;
    QString messageText() const;
    // The one-line warning shown under the summary when the model reads inputs longer than
    // kLongContextTokens (memory per batch, a shorter length to choose); empty when there is none.
    QString longContextWarning() const;

    void chooseBuiltin();
    void chooseFolder(const QString &folder);
    // repoId may be a bare name (a sentence-transformers model). Uses the cached snapshot when there is
    // one (no network), else downloads it; an invalid repo id is refused with a message.
    void chooseHubModel(const QString &repoId, const QString &revision = QStringLiteral("main"));
    // Re-reads the local Hub cache off the GUI thread; cacheRefreshed() follows.
    void refreshHubCache();

    DropZone *dropZone() const { return m_dropZone; }
    QListWidget *recentList() const { return m_recent; }
    HubModelPicker *hubPicker() const { return m_hubPicker; }
    HubDownloadPanel *downloadPanel() const { return m_downloadPanel; }
    HubDownload *hubDownload() const { return m_download; }

public Q_SLOTS:
    void browseForFolder();
    void cancelDownload();

Q_SIGNALS:
    void modelChanged();
    void cacheRefreshed();

private:
    void load(const QString &folder, Source source);
    void showSource(Source source);
    void startDownload();
    void downloadFailed(const QString &message, bool cancelled);
    void showError(const QString &html);
    void showSummary();
    void showLongContextWarning();
    void fillRecent();

    QString m_folder; // the folder chosen (resolved folder for the built-in model, snapshot for the Hub)
    Source m_source = Source::Folder;
    bool m_chosen = false; // whether anything was chosen yet
    QString m_hubRepo;
    QString m_hubRevision = QStringLiteral("main");
    bool m_loading = false;
    int m_generation = 0;
    std::shared_ptr<const LoadedModel> m_model;

    QRadioButton *m_builtinChoice = nullptr;
    QRadioButton *m_folderChoice = nullptr;
    QRadioButton *m_hubChoice = nullptr;
    QStackedWidget *m_sourceStack = nullptr;
    QWidget *m_folderPanel = nullptr;
    DropZone *m_dropZone = nullptr;
    QListWidget *m_recent = nullptr;
    HubModelPicker *m_hubPicker = nullptr;
    HubDownload *m_download = nullptr;
    HubDownloadPanel *m_downloadPanel = nullptr;
    MessageBanner *m_message = nullptr;
    QGroupBox *m_summaryBox = nullptr;
    QFormLayout *m_summary = nullptr;
    MessageBanner *m_longContext = nullptr;
};

} // namespace pairtune::ui
