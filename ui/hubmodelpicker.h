#pragma once

#include "hub/hubclient.h"

#include <QWidget>

#include <vector>

class QLabel;
class QLineEdit;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace pairtune::ui {

// The Hugging Face Hub side of the Model page: suggested small models (size, languages), the models
// already in the local Hub cache, and fields for any repo id and revision. It only asks for a model
// (modelRequested); the page downloads and checks it.
class HubModelPicker : public QWidget
{
    Q_OBJECT

public:
    // Item data: the repo id (Qt::UserRole) and the revision to use (Qt::UserRole + 1).
    static constexpr int RepoRole = Qt::UserRole;
    static constexpr int RevisionRole = Qt::UserRole + 1;

    explicit HubModelPicker(QWidget *parent = nullptr);

    // What the local cache holds (hub::listCachedModels): suggestions found there are marked as cached,
    // the others are listed under their own heading. where says where the cache and the Hub are.
    void setCache(const std::vector<hub::CachedModel> &models, const QString &where);
    bool isCached(const QString &repoId) const;
    // Shows the page's choice in the fields and selects its row (asks for nothing).
    void showChoice(const QString &repoId, const QString &revision);

    QTreeWidget *modelList() const { return m_list; }
    QTreeWidgetItem *suggestedGroup() const { return m_suggested; }
    QTreeWidgetItem *cachedGroup() const { return m_cached; }
    QLineEdit *repoIdEdit() const { return m_repoId; }
    QLineEdit *revisionEdit() const { return m_revision; }
    QPushButton *useButton() const { return m_use; }
    // The typed name as a Hub repo id (a bare name is a sentence-transformers model, as
    // SentenceTransformer(name) reads it), or "" when it is not one.
    QString repoId() const;
    // Why the typed repo id cannot be used ("" when it can).
    QString repoIdProblem() const;

Q_SIGNALS:
    void modelRequested(const QString &repoId, const QString &revision);

private:
    void fillSuggestions();
    void selectChoice();
    void takeItem(QTreeWidgetItem *item);
    void validate();
    void request();

    QTreeWidget *m_list = nullptr;
    QTreeWidgetItem *m_suggested = nullptr;
    QTreeWidgetItem *m_cached = nullptr;
    QLineEdit *m_repoId = nullptr;
    QLineEdit *m_revision = nullptr;
    QLabel *m_problem = nullptr;
    QLabel *m_where = nullptr;
    QPushButton *m_use = nullptr;
    std::vector<hub::CachedModel> m_cache;
    QString m_choice; // the repo id the page uses (its row stays selected)
};

} // namespace pairtune::ui
