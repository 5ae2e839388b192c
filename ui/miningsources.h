#pragma once

#include <QGroupBox>

#include <memory>
#include <string>
#include <vector>

class QComboBox;
class QLabel;
class QPushButton;

namespace pairtune::ui {

class LoadedModel;

// What the Hard negatives step mines with (issue 20): the model (the base model by default, or another
// sentence-transformers folder such as a run's checkpoint, loaded off the GUI thread) and an optional
// corpus file whose lines are extra candidate texts (read by io/textlines.h, as `pairtune-cli mine
// --corpus`).
class MiningSources : public QGroupBox
{
    Q_OBJECT

public:
    explicit MiningSources(QWidget *parent = nullptr);
    ~MiningSources() override;

    // The Model page's model; mined with unless another folder is chosen.
    void setBaseModel(std::shared_ptr<const LoadedModel> model);
    // The model to mine with: the other folder's once it is loaded, else the base model (may be null).
    std::shared_ptr<const LoadedModel> model() const;
    // Names the model for the status line: "the base model, NAME" or "NAME (PATH)".
    QString modelDescription() const;
    bool isLoading() const { return m_loading; }
    // Non-empty lines of the corpus file; empty when none is added.
    const std::vector<std::string> &corpus() const { return m_corpus; }
    QString corpusPath() const { return m_corpusPath; }

    QComboBox *modelChoice() const { return m_choice; }
    QLabel *modelStatusLabel() const { return m_modelStatus; }
    QLabel *corpusLabel() const { return m_corpusLabel; }
    QPushButton *clearCorpusButton() const { return m_clearCorpus; }

public Q_SLOTS:
    // Loads folder on a worker thread; on failure the base model stays chosen and the status names why.
    void chooseModelFolder(const QString &folder);
    void useBaseModel();
    // Reads path's lines; false (and the label says why) when it cannot be read or has no text.
    bool addCorpusFile(const QString &path);
    void clearCorpus();

Q_SIGNALS:
    void changed(); // the model, its loading state or the corpus changed

private:
    void choiceActivated(int index);
    void browseCorpus();
    void updateChoiceTexts();

    std::shared_ptr<const LoadedModel> m_base;
    std::shared_ptr<const LoadedModel> m_other;
    bool m_loading = false;
    int m_generation = 0;
    std::vector<std::string> m_corpus;
    QString m_corpusPath;

    QComboBox *m_choice = nullptr;
    QLabel *m_modelStatus = nullptr;
    QLabel *m_corpusLabel = nullptr;
    QPushButton *m_clearCorpus = nullptr;
};

} // namespace pairtune::ui
