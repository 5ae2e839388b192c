#include "ui/hubmodelpicker.h"

#include "train/basemodel.h"
#include "ui/hubcatalog.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSignalBlocker>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace pairtune::ui {
namespace {

enum Column { NameColumn, SizeColumn, LanguageColumn, CachedColumn, ColumnCount };

QString cachedRevision(const hub::CachedModel &model)
{
    // The snapshot a listed model stands for: refs/main when there is one, else the snapshot's commit
    // (its folder name), so picking it never needs the network.
    if (std::find(model.refs.begin(), model.refs.end(), "main") != model.refs.end())
        return QStringLiteral("main");
    if (!model.refs.empty())
        return QString::fromStdString(model.refs.front());
    const QString folder = QString::fromStdString(model.snapshotFolder);
    return folder.section(QLatin1Char('/'), -1, -1, QString::SectionSkipEmpty);
}

} // namespace

HubModelPicker::HubModelPicker(QWidget *parent)
    : QWidget(parent)
{
    m_list = new QTreeWidget(this);
    m_list->setObjectName(QStringLiteral("hubModels"));
    m_list->setColumnCount(ColumnCount);
    m_list->setHeaderLabels({ tr("Model"), tr("Size (approx.)"), tr("Languages"), tr("Cached") });
    m_list->setRootIsDecorated(false);
    m_list->setIndentation(m_list->fontMetrics().height() / 2);
    m_list->setUniformRowHeights(true);
    m_list->header()->setStretchLastSection(false);
    m_list->header()->setSectionResizeMode(NameColumn, QHeaderView::Stretch);
    for (int column = SizeColumn; column < ColumnCount; ++column)
        m_list->header()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    connect(
        m_list, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) { takeItem(item); });
    connect(m_list, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
        if (!item->data(NameColumn, RepoRole).toString().isEmpty()) {
            takeItem(item);
            request();
        }
    });

    m_repoId = new QLineEdit(this);
    m_repoId->setObjectName(QStringLiteral("hubRepoId"));
    m_repoId->setPlaceholderText(tr("owner/name, e.g. sentence-transformers/all-MiniLM-L6-v2"));
    m_revision = new QLineEdit(QStringLiteral("main"), this);
    m_revision->setObjectName(QStringLiteral("hubRevision"));
    m_revision->setPlaceholderText(QStringLiteral("main"));
    m_revision->setToolTip(tr("A branch, tag or commit of the repo."));
    m_use = new QPushButton(tr("&Use this model"), this);
    m_use->setObjectName(QStringLiteral("hubUse"));
    m_problem = new QLabel(this);
    m_problem->setObjectName(QStringLiteral("hubRepoIdProblem"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #b3261e;"));
    m_problem->hide();
    m_where = new QLabel(this);
    m_where->setObjectName(QStringLiteral("hubWhere"));
    m_where->setWordWrap(true);
    m_where->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_where->setForegroundRole(QPalette::PlaceholderText);
    connect(m_repoId, &QLineEdit::textChanged, this, &HubModelPicker::validate);
    connect(m_repoId, &QLineEdit::returnPressed, this, &HubModelPicker::request);
    connect(m_revision, &QLineEdit::returnPressed, this, &HubModelPicker::request);
    connect(m_use, &QPushButton::clicked, this, &HubModelPicker::request);

    auto *fields = new QFormLayout;
    fields->addRow(tr("Repo &id:"), m_repoId);
    auto *revisionRow = new QHBoxLayout;
    revisionRow->addWidget(m_revision, 1);
    revisionRow->addWidget(m_use);
    auto *revisionLabel = new QLabel(tr("&Revision:"), this);
    revisionLabel->setBuddy(m_revision);
    fields->addRow(revisionLabel, revisionRow);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_list, 1);
    layout->addLayout(fields);
    layout->addWidget(m_problem);
    layout->addWidget(m_where);
    fillSuggestions();
    setCache({}, {});
    validate();
}

void HubModelPicker::fillSuggestions()
{
    m_suggested = new QTreeWidgetItem(m_list, { tr("Suggested small models") });
    m_suggested->setFlags(Qt::ItemIsEnabled);
    m_suggested->setFirstColumnSpanned(true);
    QFont bold = m_suggested->font(NameColumn);
    bold.setBold(true);
    m_suggested->setFont(NameColumn, bold);
    for (const CuratedHubModel &model : curatedHubModels()) {
        auto *item = new QTreeWidgetItem(m_suggested,
            { model.repoId, tr("%1 · %2").arg(model.parameters, model.download), model.languages });
        item->setData(NameColumn, RepoRole, model.repoId);
        item->setData(NameColumn, RevisionRole, QStringLiteral("main"));
        item->setToolTip(NameColumn, model.repoId + QLatin1Char('\n') + model.note);
        item->setToolTip(SizeColumn,
            tr("%1 parameters, %2 to download (from the model card)").arg(model.parameters, model.download));
    }
    m_cached = new QTreeWidgetItem(m_list, { tr("In your Hugging Face cache") });
    m_cached->setFlags(Qt::ItemIsEnabled);
    m_cached->setFirstColumnSpanned(true);
    m_cached->setFont(NameColumn, bold);
    m_list->expandAll();
}

void HubModelPicker::setCache(const std::vector<hub::CachedModel> &models, const QString &where)
{
    m_cache = models;
    const QLocale locale;
    for (int i = 0; i < m_suggested->childCount(); ++i) {
        QTreeWidgetItem *item = m_suggested->child(i);
        const bool cached = isCached(item->data(NameColumn, RepoRole).toString());
        item->setText(CachedColumn, cached ? tr("✓") : QString());
        item->setTextAlignment(CachedColumn, Qt::AlignCenter);
        item->setToolTip(CachedColumn,
            cached ? tr("Already downloaded: used without the network.")
                   : tr("Downloaded when you choose it."));
    }
    qDeleteAll(m_cached->takeChildren());
    for (const hub::CachedModel &model : models) {
        const QString repoId = QString::fromStdString(model.repoId);
        QStringList refs;
        for (const std::string &ref : model.refs)
            refs << QString::fromStdString(ref);
        auto *item = new QTreeWidgetItem(m_cached,
            { repoId, locale.formattedDataSize(model.bytes, 1, QLocale::DataSizeSIFormat), QString(),
                tr("✓") });
        item->setTextAlignment(CachedColumn, Qt::AlignCenter);
        item->setToolTip(CachedColumn, tr("Already downloaded: used without the network."));
        item->setData(NameColumn, RepoRole, repoId);
        item->setData(NameColumn, RevisionRole, cachedRevision(model));
        item->setToolTip(NameColumn,
            tr("%1\nrevisions: %2")
                .arg(QString::fromStdString(model.snapshotFolder),
                    refs.isEmpty() ? tr("none named") : refs.join(QStringLiteral(", "))));
    }
    if (models.empty()) {
        auto *none = new QTreeWidgetItem(m_cached, { tr("Nothing yet: models you download appear here.") });
        none->setFlags(Qt::NoItemFlags);
        none->setFirstColumnSpanned(true);
    }
    m_list->expandAll();
    selectChoice(); // the rows were rebuilt
    m_where->setText(where);
    m_where->setVisible(!where.isEmpty());
}

bool HubModelPicker::isCached(const QString &repoId) const
{
    const std::string id = repoId.toStdString();
    return std::any_of(
        m_cache.begin(), m_cache.end(), [&](const hub::CachedModel &m) { return m.repoId == id; });
}

QString HubModelPicker::repoId() const
{
    const auto repoId = hubRepoIdForName(m_repoId->text().trimmed().toStdString());
    return repoId ? QString::fromStdString(*repoId) : QString();
}

QString HubModelPicker::repoIdProblem() const
{
    const QString typed = m_repoId->text().trimmed();
    if (typed.isEmpty())
        return tr("Type a repo id or pick a model above.");
    if (repoId().isEmpty())
        return tr("\"%1\" is not a Hugging Face repo id: use owner/name with letters, digits, '-', '_' and "
                  "'.' (no '--' or '..', at most 96 characters).")
            .arg(typed);
    return {};
}

void HubModelPicker::showChoice(const QString &repoId, const QString &revision)
{
    m_choice = repoId;
    selectChoice();
    m_repoId->setText(repoId);
    m_revision->setText(revision);
}

void HubModelPicker::selectChoice()
{
    const QSignalBlocker blocker(m_list); // selecting the row must not fill the fields again
    m_list->setCurrentItem(nullptr);
    for (QTreeWidgetItem *group : { m_suggested, m_cached })
        for (int i = 0; i < group->childCount(); ++i)
            if (group->child(i)->data(NameColumn, RepoRole).toString() == m_choice) {
                m_list->setCurrentItem(group->child(i));
                return;
            }
}

void HubModelPicker::takeItem(QTreeWidgetItem *item)
{
    const QString repoId = item ? item->data(NameColumn, RepoRole).toString() : QString();
    if (repoId.isEmpty())
        return;
    m_repoId->setText(repoId);
    m_revision->setText(item->data(NameColumn, RevisionRole).toString());
}

void HubModelPicker::validate()
{
    const QString problem = repoIdProblem();
    m_use->setEnabled(problem.isEmpty());
    // An empty field is not an error worth a red line.
    m_problem->setText(problem);
    m_problem->setVisible(!problem.isEmpty() && !m_repoId->text().trimmed().isEmpty());
}

void HubModelPicker::request()
{
    if (!repoIdProblem().isEmpty())
        return;
    const QString revision = m_revision->text().trimmed();
    Q_EMIT modelRequested(repoId(), revision.isEmpty() ? QStringLiteral("main") : revision);
}

} // namespace pairtune::ui
