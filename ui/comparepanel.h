#pragma once

#include "recipe/trainingconfig.h"
#include "ui/loadedmodel.h"
#include "ui/matchsearch.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;

namespace pairtune::ui {

class Int8Switch;

// Before/after: the user types a query and sees its nearest held-out texts by the base model and by
// the tuned model side by side. Models are loaded and texts embedded off the GUI thread; the held-out
// texts are embedded once per model, so each search only encodes the query.
class ComparePanel : public QWidget
{
    Q_OBJECT

public:
    static constexpr int kMatches = 5;

    explicit ComparePanel(QWidget *parent = nullptr);

    // The run's data and base model; starts embedding the held-out texts with the base model.
    void setRun(const TrainingConfig &config, std::shared_ptr<const LoadedModel> base);
    // The tuned model to compare with (a model folder of the run).
    void setTunedModel(const QString &folder, const QString &label);
    void search(const QString &query);

    bool isReady() const;
    bool isSearching() const { return m_searching; }
    QString statusText() const;
    QTableWidget *baseResults() const { return m_baseTable; }
    QTableWidget *tunedResults() const { return m_tunedTable; }
    QLineEdit *queryEdit() const { return m_query; }
    // Which prompt the query gets; shown only when the base model has prompts.
    QComboBox *promptChoice() const { return m_prompt; }
    const SearchCorpus *corpus() const { return m_corpus.get(); }
    // "Faster search (int8)" (issue 17): the held-out texts and the query embedded with the encoder's
    // dense layers in int8 (LoadedModel's EncodePrecision::Int8). Disabled, with the engine's reason in
    // its tooltip, for a model the engine has no int8 path for. Flipping it embeds the held-out texts
    // again (the models stay loaded).
    Int8Switch *int8Switch() const { return m_int8; }
    // The held-out texts' embeddings each side searches (null until embedded).
    const Embeddings *baseEmbeddings() const { return m_base.corpus.get(); }
    const Embeddings *tunedEmbeddings() const { return m_tuned.corpus.get(); }

Q_SIGNALS:
    void readyChanged(bool ready);
    void searchFinished();

private:
    struct Side
    {
        std::shared_ptr<const LoadedModel> model;
        std::shared_ptr<const Embeddings> corpus;
        EncodePrecision precision = EncodePrecision::Float32; // of corpus, and so of each query
    };
    void loadTuned();
    void updateInt8Switch();
    void showMatches(QTableWidget *table, QLabel *caption, const std::vector<Match> &matches,
        std::size_t goldRank, std::ptrdiff_t gold);
    void setStatus(const QString &text);
    void updateEnabled();
    void pickExample();
    void fillPromptChoices(const ModelPrompts &prompts);
    QueryPromptChoice chosenPrompt() const;

    std::shared_ptr<const SearchCorpus> m_corpus;
    Side m_base;
    Side m_tuned;
    QString m_tunedFolder;
    // What setRun was given (the base once loaded), and the last tuned model loaded: flipping the int8
    // switch embeds again with them instead of reading the folders again.
    TrainingConfig m_config;
    std::shared_ptr<const LoadedModel> m_baseModel;
    std::shared_ptr<const LoadedModel> m_tunedModel;
    QString m_tunedModelFolder;
    bool m_hasRun = false;
    QString m_tunedLabel;
    int m_runGeneration = 0;
    int m_tunedGeneration = 0;
    int m_searchGeneration = 0;
    bool m_searching = false;
    int m_exampleIndex = 0;

    QLineEdit *m_query = nullptr;
    QLabel *m_promptLabel = nullptr;
    QComboBox *m_prompt = nullptr;
    QPushButton *m_searchButton = nullptr;
    QPushButton *m_example = nullptr;
    QLabel *m_status = nullptr;
    Int8Switch *m_int8 = nullptr;
    QLabel *m_baseCaption = nullptr;
    QLabel *m_tunedCaption = nullptr;
    QLabel *m_baseTitle = nullptr;
    QLabel *m_tunedTitle = nullptr;
    QTableWidget *m_baseTable = nullptr;
    QTableWidget *m_tunedTable = nullptr;
};

} // namespace pairtune::ui
