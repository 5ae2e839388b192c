#include "ui/comparepanel.h"

#include "model/prompts.h"
#include "train/basemodel.h"
#include "ui/backgroundtask.h"
#include "ui/int8switch.h"
#include "ui/loadedmodel.h"
#include "ui/textformat.h"

#include <QComboBox>
#include <QCompleter>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QTableWidget>
#include <QVBoxLayout>

#include <exception>

namespace pairtune::ui {
namespace {

struct PrepareResult
{
    std::shared_ptr<const SearchCorpus> corpus;
    std::shared_ptr<const LoadedModel> base;
    std::shared_ptr<const Embeddings> embeddings;
    EncodePrecision precision = EncodePrecision::Float32;
    QString error;
};

struct TunedResult
{
    std::shared_ptr<const LoadedModel> model;
    std::shared_ptr<const Embeddings> embeddings;
    EncodePrecision precision = EncodePrecision::Float32;
    QString error;
};

struct SearchResult
{
    std::vector<Match> base;
    std::vector<Match> tuned;
    QString error;
};

QTableWidget *resultTable(QWidget *parent, const QString &name)
{
    auto *table = new QTableWidget(0, 2, parent);
    table->setObjectName(name);
    table->setHorizontalHeaderLabels({ ComparePanel::tr("cosine"), ComparePanel::tr("held-out text") });
    table->horizontalHeader()->setStretchLastSection(true);
    table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setWordWrap(true);
    table->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    // Room for the header and four results however small the window: the page's other parts give up
    // height first.
    table->setMinimumHeight(table->horizontalHeader()->sizeHint().height()
        + 4 * table->verticalHeader()->defaultSectionSize() + 2 * table->frameWidth()
        + table->horizontalScrollBar()->sizeHint().height());
    return table;
}

// Every match of the query, so the rank of the true positive is known too; the query in the precision its
// side's held-out texts were embedded in.
std::vector<Match> rankAll(const LoadedModel &model, const Embeddings &corpus, const std::string &query,
    const QueryPromptChoice &prompt, EncodePrecision precision)
{
    const Embeddings q = model.encode({ query }, queryPrompt(model.prompts(), prompt), precision);
    return nearest(corpus, q, corpus.rows);
}

// int8 where it was asked for and the engine has it for this model, else float32.
EncodePrecision precisionFor(const LoadedModel &model, bool int8)
{
    return int8 && model.int8Refusal().empty() ? EncodePrecision::Int8 : EncodePrecision::Float32;
}

// The searched texts, embedded as documents (with the document prompt the model was trained with).
std::shared_ptr<const Embeddings> embedCorpus(
    const LoadedModel &model, const SearchCorpus &corpus, EncodePrecision precision)
{
    return std::make_shared<const Embeddings>(
        model.encode(corpus.texts, documentPrompt(model.prompts()), precision));
}

constexpr int kPromptKindRole = Qt::UserRole;
constexpr int kPromptNameRole = Qt::UserRole + 1;

QString quotedPrompt(const std::string &text)
{
    return QStringLiteral("“%1”").arg(QString::fromStdString(text));
}

} // namespace

ComparePanel::ComparePanel(QWidget *parent)
    : QWidget(parent)
{
    m_query = new QLineEdit(this);
    m_query->setObjectName(QStringLiteral("queryEdit"));
    m_query->setPlaceholderText(tr("Type a query, e.g. one of your anchors…"));
    m_query->setClearButtonEnabled(true);
    m_searchButton = new QPushButton(tr("&Search"), this);
    m_searchButton->setDefault(true);
    m_example = new QPushButton(tr("Held-out e&xample"), this);
    m_example->setToolTip(
        tr("Fill in an anchor of the evaluation split: its true positive is marked ✓ in the results."));
    m_prompt = new QComboBox(this);
    m_prompt->setObjectName(QStringLiteral("promptChoice"));
    m_promptLabel = new QLabel(tr("&Prompt:"), this);
    m_promptLabel->setBuddy(m_prompt);
    m_promptLabel->hide();
    m_prompt->hide();
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("compareStatus"));
    m_status->setWordWrap(true);
    m_int8 = new Int8Switch(this);

    m_baseTitle = new QLabel(tr("<b>Before</b> — the base model"), this);
    m_tunedTitle = new QLabel(tr("<b>After</b> — the tuned model"), this);
    m_baseTable = resultTable(this, QStringLiteral("baseResults"));
    m_tunedTable = resultTable(this, QStringLiteral("tunedResults"));
    m_baseCaption = new QLabel(this);
    m_tunedCaption = new QLabel(this);

    connect(m_searchButton, &QPushButton::clicked, this, [this] { search(m_query->text()); });
    connect(m_query, &QLineEdit::returnPressed, this, [this] { search(m_query->text()); });
    connect(m_query, &QLineEdit::textChanged, this, &ComparePanel::updateEnabled);
    connect(m_example, &QPushButton::clicked, this, &ComparePanel::pickExample);
    connect(m_prompt, &QComboBox::activated, this, [this] { search(m_query->text()); });
    // The held-out texts must be in the query's precision: embed them again (the models stay loaded).
    connect(m_int8, &QCheckBox::toggled, this, [this] {
        if (!m_hasRun)
            return;
        const std::shared_ptr<const LoadedModel> tuned = m_tunedModel;
        const QString tunedFolder = m_tunedModelFolder;
        setRun(m_config, m_baseModel);
        m_tunedModel = tuned;
        m_tunedModelFolder = tunedFolder;
    });

    auto *queryRow = new QHBoxLayout;
    queryRow->addWidget(m_query, 1);
    queryRow->addWidget(m_promptLabel);
    queryRow->addWidget(m_prompt);
    queryRow->addWidget(m_searchButton);
    queryRow->addWidget(m_example);
    auto *grid = new QGridLayout;
    grid->addWidget(m_baseTitle, 0, 0);
    grid->addWidget(m_tunedTitle, 0, 1);
    grid->addWidget(m_baseTable, 1, 0);
    grid->addWidget(m_tunedTable, 1, 1);
    grid->addWidget(m_baseCaption, 2, 0);
    grid->addWidget(m_tunedCaption, 2, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(queryRow);
    auto *statusRow = new QHBoxLayout;
    statusRow->addWidget(m_status, 1);
    statusRow->addWidget(m_int8, 0, Qt::AlignTop);
    layout->addLayout(statusRow);
    layout->addLayout(grid, 1);
    updateEnabled();
}

bool ComparePanel::isReady() const
{
    return m_corpus && m_base.corpus && m_tuned.corpus;
}

QString ComparePanel::statusText() const
{
    return m_status->text();
}

void ComparePanel::setStatus(const QString &text)
{
    m_status->setText(text);
}

void ComparePanel::updateEnabled()
{
    m_searchButton->setEnabled(isReady() && !m_query->text().trimmed().isEmpty());
    m_example->setEnabled(m_corpus && !m_corpus->queries.empty());
}

void ComparePanel::setRun(const TrainingConfig &config, std::shared_ptr<const LoadedModel> base)
{
    const int generation = ++m_runGeneration;
    m_tunedModel.reset(); // a run's folder may have been written again: its tuned model is read again
    m_tunedModelFolder.clear();
    m_config = config;
    m_baseModel = base;
    m_hasRun = true;
    m_corpus.reset();
    m_base = {};
    m_tuned = {};
    m_baseTable->setRowCount(0);
    m_tunedTable->setRowCount(0);
    const bool int8 = m_int8->isChecked();
    setStatus(int8 ? tr("Embedding the held-out texts with the base model (int8)…")
                   : tr("Embedding the held-out texts with the base model…"));
    updateEnabled();
    Q_EMIT readyChanged(false);
    runInBackground<PrepareResult>(
        this,
        [config, base, int8]() {
            PrepareResult result;
            try {
                result.corpus = std::make_shared<const SearchCorpus>(loadSearchCorpus(config));
                result.base = base ? base : LoadedModel::load(resolveBaseModel(config.basePath));
                result.precision = precisionFor(*result.base, int8);
                result.embeddings = embedCorpus(*result.base, *result.corpus, result.precision);
            } catch (const std::exception &error) {
                result.error = QString::fromUtf8(error.what());
            }
            return result;
        },
        [this, generation](const PrepareResult &result) {
            if (generation != m_runGeneration)
                return;
            if (!result.error.isEmpty()) {
                setStatus(tr("The comparison is not available: %1").arg(result.error));
                return;
            }
            m_corpus = result.corpus;
            m_base = { result.base, result.embeddings, result.precision };
            m_baseModel = result.base;
            updateInt8Switch();
            fillPromptChoices(result.base->prompts());
            if (QCompleter *old = m_query->completer())
                old->deleteLater();
            auto *completer = new QCompleter(
                [&] {
                    QStringList queries;
                    for (const std::string &query : m_corpus->queries)
                        queries << QString::fromStdString(query);
                    return queries;
                }(),
                m_query);
            completer->setCaseSensitivity(Qt::CaseInsensitive);
            completer->setFilterMode(Qt::MatchContains);
            m_query->setCompleter(completer);
            updateEnabled();
            loadTuned();
        });
}

void ComparePanel::setTunedModel(const QString &folder, const QString &label)
{
    if (folder == m_tunedFolder && m_tuned.corpus)
        return;
    m_tunedFolder = folder;
    m_tunedLabel = label;
    m_tunedTitle->setText(tr("<b>After</b> — %1").arg(label.toHtmlEscaped()));
    m_tuned = {};
    updateEnabled();
    Q_EMIT readyChanged(false);
    if (m_corpus)
        loadTuned();
}

void ComparePanel::loadTuned()
{
    if (m_tunedFolder.isEmpty() || !m_corpus)
        return;
    const int generation = ++m_tunedGeneration;
    const std::string folder = m_tunedFolder.toStdString();
    const std::shared_ptr<const SearchCorpus> corpus = m_corpus;
    const std::shared_ptr<const LoadedModel> loaded
        = m_tunedModelFolder == m_tunedFolder ? m_tunedModel : nullptr;
    const bool int8 = m_int8->isChecked();
    setStatus(tr("Embedding %1 with the tuned model%2…")
                  .arg(countOf(qint64(corpus->texts.size()), tr("held-out text"), tr("held-out texts")),
                      int8 ? tr(" (int8)") : QString()));
    runInBackground<TunedResult>(
        this,
        [folder, corpus, loaded, int8]() {
            TunedResult result;
            try {
                result.model = loaded ? loaded : LoadedModel::load(folder);
                result.precision = precisionFor(*result.model, int8);
                result.embeddings = embedCorpus(*result.model, *corpus, result.precision);
            } catch (const std::exception &error) {
                result.error = QString::fromUtf8(error.what());
            }
            return result;
        },
        [this, generation](const TunedResult &result) {
            if (generation != m_tunedGeneration)
                return;
            if (!result.error.isEmpty()) {
                setStatus(tr("The tuned model could not be loaded: %1").arg(result.error));
                return;
            }
            m_tuned = { result.model, result.embeddings, result.precision };
            m_tunedModel = result.model;
            m_tunedModelFolder = m_tunedFolder;
            updateInt8Switch();
            const bool int8
                = m_base.precision == EncodePrecision::Int8 && m_tuned.precision == EncodePrecision::Int8;
            setStatus(
                tr("Searching %1%2. Type a query or take a held-out example.")
                    .arg(countOf(qint64(m_corpus->texts.size()), tr("held-out text"), tr("held-out texts")),
                        int8 ? tr(" in int8") : QString()));
            updateEnabled();
            Q_EMIT readyChanged(true);
            if (!m_query->text().trimmed().isEmpty())
                search(m_query->text());
        });
}

// Enabled when every loaded model has the engine's int8 path; else off, with the engine's reason.
void ComparePanel::updateInt8Switch()
{
    std::string refusal;
    for (const auto &model : { m_base.model, m_tuned.model })
        if (model && refusal.empty())
            refusal = model->int8Refusal();
    m_int8->setRefusal(refusal);
}

// Offered only for a model with prompts: as trained (the anchors' prompt), none, or any named one.
// The searched texts keep the document prompt, as in training and evaluation.
void ComparePanel::fillPromptChoices(const ModelPrompts &prompts)
{
    m_prompt->clear();
    const bool offered = prompts.anyNonEmpty();
    m_prompt->setVisible(offered);
    m_promptLabel->setVisible(offered);
    if (!offered)
        return;
    auto add = [this](const QString &label, QueryPromptChoice::Kind kind, const std::string &name) {
        m_prompt->addItem(label);
        m_prompt->setItemData(m_prompt->count() - 1, int(kind), kPromptKindRole);
        m_prompt->setItemData(m_prompt->count() - 1, QString::fromStdString(name), kPromptNameRole);
    };
    const std::string trained = queryPrompt(prompts, {});
    add(trained.empty() ? tr("As trained: none") : tr("As trained: %1").arg(quotedPrompt(trained)),
        QueryPromptChoice::Kind::AsTrained, {});
    add(tr("No prompt"), QueryPromptChoice::Kind::None, {});
    for (const auto &[name, text] : prompts.all())
        if (!text.empty())
            add(QStringLiteral("%1: %2").arg(QString::fromStdString(name), quotedPrompt(text)),
                QueryPromptChoice::Kind::Named, name);
    const std::string document = documentPrompt(prompts);
    m_prompt->setToolTip(
        tr("The text put before the query. The held-out texts are searched as documents, with %1.")
            .arg(document.empty() ? tr("no prompt") : quotedPrompt(document)));
}

QueryPromptChoice ComparePanel::chosenPrompt() const
{
    if (m_prompt->currentIndex() < 0)
        return {};
    return { QueryPromptChoice::Kind(m_prompt->currentData(kPromptKindRole).toInt()),
        m_prompt->currentData(kPromptNameRole).toString().toStdString() };
}

void ComparePanel::pickExample()
{
    if (!m_corpus || m_corpus->queries.empty())
        return;
    m_query->setText(
        QString::fromStdString(m_corpus->queries[std::size_t(m_exampleIndex) % m_corpus->queries.size()]));
    m_exampleIndex += 7; // step through the examples in a scattered order
    if (isReady())
        search(m_query->text());
}

void ComparePanel::search(const QString &query)
{
    const std::string text = query.trimmed().toStdString();
    if (!isReady() || text.empty())
        return;
    const int generation = ++m_searchGeneration;
    m_searching = true;
    const Side base = m_base;
    const Side tuned = m_tuned;
    const QueryPromptChoice prompt = chosenPrompt();
    runInBackground<SearchResult>(
        this,
        [text, base, tuned, prompt]() {
            SearchResult result;
            try {
                result.base = rankAll(*base.model, *base.corpus, text, prompt, base.precision);
                result.tuned = rankAll(*tuned.model, *tuned.corpus, text, prompt, tuned.precision);
            } catch (const std::exception &error) {
                result.error = QString::fromUtf8(error.what());
            }
            return result;
        },
        [this, generation, text](const SearchResult &result) {
            if (generation != m_searchGeneration)
                return;
            m_searching = false;
            if (!result.error.isEmpty()) {
                setStatus(tr("The search failed: %1").arg(result.error));
                Q_EMIT searchFinished();
                return;
            }
            std::ptrdiff_t gold = -1;
            for (std::size_t i = 0; i < m_corpus->queries.size(); ++i) {
                if (m_corpus->queries[i] == text) {
                    gold = std::ptrdiff_t(m_corpus->goldOfQuery[i]);
                    break;
                }
            }
            const auto rankOf = [gold](const std::vector<Match> &matches) {
                for (std::size_t i = 0; i < matches.size(); ++i)
                    if (std::ptrdiff_t(matches[i].index) == gold)
                        return i + 1;
                return std::size_t(0);
            };
            showMatches(m_baseTable, m_baseCaption, result.base, rankOf(result.base), gold);
            showMatches(m_tunedTable, m_tunedCaption, result.tuned, rankOf(result.tuned), gold);
            Q_EMIT searchFinished();
        });
}

void ComparePanel::showMatches(QTableWidget *table, QLabel *caption, const std::vector<Match> &matches,
    std::size_t goldRank, std::ptrdiff_t gold)
{
    const int rows = int(std::min<std::size_t>(kMatches, matches.size()));
    table->setRowCount(rows);
    for (int row = 0; row < rows; ++row) {
        const Match &match = matches[std::size_t(row)];
        const bool isGold = std::ptrdiff_t(match.index) == gold;
        auto *score = new QTableWidgetItem(QString::number(match.cosine, 'f', 3));
        auto *text = new QTableWidgetItem((isGold ? QStringLiteral("✓ ") : QString())
            + QString::fromStdString(m_corpus->texts[match.index]));
        text->setToolTip(text->text());
        if (isGold) {
            QFont bold = text->font();
            bold.setBold(true);
            text->setFont(bold);
            score->setFont(bold);
        }
        table->setItem(row, 0, score);
        table->setItem(row, 1, text);
    }
    table->setVerticalHeaderLabels([rows] {
        QStringList labels;
        for (int i = 1; i <= rows; ++i)
            labels << QString::number(i);
        return labels;
    }());
    if (gold < 0)
        caption->setText(tr("Top %1 of %2 held-out texts.").arg(rows).arg(matches.size()));
    else
        caption->setText(
            tr("The query's true positive (✓) ranks <b>%1</b> of %2.").arg(goldRank).arg(matches.size()));
}

} // namespace pairtune::ui
