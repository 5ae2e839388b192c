#pragma once

#include "ui/wizardpage.h"

#include <memory>

class QFormLayout;
class QGroupBox;
class QLabel;
class QListWidget;
class QRadioButton;

namespace pairtune::ui {

class DropZone;
class LoadedModel;
class MessageBanner;

// Step 2: the model to start from: the built-in one or any sentence-transformers folder (picked,
// dropped or taken from the recent list). A folder is loaded off the GUI thread as soon as it is
// chosen, so a wrong folder is reported right away with the reason.
class ModelPage : public WizardPage
{
    Q_OBJECT

public:
    explicit ModelPage(QWidget *parent = nullptr);

    QString title() const override { return tr("Model"); }
    bool isComplete() const override;
    QString incompleteReason() const override;
    // The first visit starts with the built-in model when nothing was chosen yet.
    void enterPage() override;

    // "builtin" or the chosen folder: what TrainingConfig::basePath gets.
    QString basePath() const;
    bool usesBuiltin() const;
    // The validated model (null while loading or when the choice is not usable).
    std::shared_ptr<const LoadedModel> model() const { return m_model; }
    bool isLoading() const { return m_loading; }
    QString errorText() const;

    void chooseBuiltin();
    void chooseFolder(const QString &folder);

    DropZone *dropZone() const { return m_dropZone; }
    QListWidget *recentList() const { return m_recent; }

public Q_SLOTS:
    void browseForFolder();

Q_SIGNALS:
    void modelChanged();

private:
    void load(const QString &folder, bool builtin);
    void showSummary();
    void fillRecent();

    QString m_folder; // the folder chosen (resolved folder for the built-in model)
    bool m_builtin = false;
    bool m_loading = false;
    int m_generation = 0;
    std::shared_ptr<const LoadedModel> m_model;

    QRadioButton *m_builtinChoice = nullptr;
    QRadioButton *m_folderChoice = nullptr;
    DropZone *m_dropZone = nullptr;
    QListWidget *m_recent = nullptr;
    MessageBanner *m_message = nullptr;
    QGroupBox *m_summaryBox = nullptr;
    QFormLayout *m_summary = nullptr;
};

} // namespace pairtune::ui
