#include "ui/miningsources.h"

#include "io/textlines.h"
#include "ui/backgroundtask.h"
#include "ui/loadedmodel.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

#include <climits>

#include <algorithm>
#include <filesystem>

namespace pairtune::ui {
namespace {

const QString kBase = QStringLiteral("base");
const QString kOther = QStringLiteral("other");
const QString kBrowse = QStringLiteral("browse");

QString folderName(const std::string &folder)
{
    return QString::fromStdString(std::filesystem::path(folder).filename().string());
}

struct FolderLoad
{
    std::shared_ptr<const LoadedModel> model;
    QString error;
};

} // namespace

MiningSources::MiningSources(QWidget *parent)
    : QGroupBox(tr("Model and candidates"), parent)
{
    auto *form = new QFormLayout(this);
    m_choice = new QComboBox(this);
    m_choice->setObjectName(QStringLiteral("miningModel"));
    m_choice->setToolTip(tr("Mine with the base model, or with another sentence-transformers folder: a "
                            "run's checkpoint finds the texts the tuned model still confuses."));
    m_choice->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_choice->setMinimumContentsLength(18);
    connect(m_choice, &QComboBox::activated, this, &MiningSources::choiceActivated);
    form->addRow(tr("Mine &with:"), m_choice);
    m_modelStatus = new QLabel(this);
    m_modelStatus->setObjectName(QStringLiteral("miningModelStatus"));
    m_modelStatus->setWordWrap(true);
    m_modelStatus->setVisible(false);
    form->addRow(m_modelStatus);

    auto *addCorpus = new QPushButton(tr("Add a &corpus file…"), this);
    addCorpus->setObjectName(QStringLiteral("addCorpus"));
    addCorpus->setToolTip(tr("A text file with one candidate text per line (for example the documents "
                             "your search runs over): they become candidates next to your positives."));
    connect(addCorpus, &QPushButton::clicked, this, &MiningSources::browseCorpus);
    m_clearCorpus = new QPushButton(tr("Clear"), this);
    m_clearCorpus->setObjectName(QStringLiteral("clearCorpus"));
    m_clearCorpus->setToolTip(tr("Mine from your pairs' positives only."));
    connect(m_clearCorpus, &QPushButton::clicked, this, &MiningSources::clearCorpus);
    auto *corpusButtons = new QHBoxLayout;
    corpusButtons->addWidget(addCorpus);
    corpusButtons->addWidget(m_clearCorpus);
    corpusButtons->addStretch();
    form->addRow(tr("Candidates:"), corpusButtons);
    m_corpusLabel = new QLabel(this);
    m_corpusLabel->setObjectName(QStringLiteral("corpusFile"));
    m_corpusLabel->setWordWrap(true);
    form->addRow(m_corpusLabel);
    clearCorpus();
    updateChoiceTexts();
}

MiningSources::~MiningSources() = default;

void MiningSources::setBaseModel(std::shared_ptr<const LoadedModel> model)
{
    m_base = std::move(model);
    updateChoiceTexts();
}

std::shared_ptr<const LoadedModel> MiningSources::model() const
{
    return m_other ? m_other : m_base;
}

QString MiningSources::modelDescription() const
{
    if (m_other)
        return tr("%1 (%2)").arg(folderName(m_other->folder()),
            QDir::toNativeSeparators(QString::fromStdString(m_other->folder())));
    return m_base ? tr("the base model, %1").arg(folderName(m_base->folder())) : tr("no model chosen yet");
}

void MiningSources::chooseModelFolder(const QString &folder)
{
    const int generation = ++m_generation;
    m_loading = true;
    m_modelStatus->setText(tr("Loading %1…").arg(QDir::toNativeSeparators(folder)));
    m_modelStatus->setVisible(true);
    updateChoiceTexts();
    Q_EMIT changed();
    runInBackground<FolderLoad>(
        this,
        [folder]() {
            FolderLoad result;
            try {
                result.model = LoadedModel::load(folder.toStdString());
            } catch (const std::exception &error) {
                result.error = QString::fromUtf8(error.what());
            }
            return result;
        },
        [this, generation, folder](const FolderLoad &result) {
            if (generation != m_generation)
                return; // another choice came since
            m_loading = false;
            if (result.model) {
                m_other = result.model;
                m_modelStatus->setVisible(false);
            } else {
                m_modelStatus->setText(
                    tr("%1 is not a sentence-transformers model folder the studio can "
                       "load, so the mining stays with %2. %3")
                        .arg(QDir::toNativeSeparators(folder), modelDescription(), result.error));
            }
            updateChoiceTexts();
            Q_EMIT changed();
        });
}

void MiningSources::useBaseModel()
{
    ++m_generation; // a folder still loading is dropped
    m_loading = false;
    m_other.reset();
    m_modelStatus->setVisible(false);
    updateChoiceTexts();
    Q_EMIT changed();
}

bool MiningSources::addCorpusFile(const QString &path)
{
    std::vector<std::string> lines;
    try {
        lines = readLines(path.toStdString());
    } catch (const std::exception &error) {
        m_corpusLabel->setText(
            tr("The corpus file could not be read: %1").arg(QString::fromUtf8(error.what())));
        return false;
    }
    // An empty line is no candidate text.
    lines.erase(std::remove_if(lines.begin(), lines.end(),
                    [](const std::string &line) { return QString::fromStdString(line).trimmed().isEmpty(); }),
        lines.end());
    if (lines.empty()) {
        m_corpusLabel->setText(
            tr("%1 has no text lines: nothing was added.").arg(QDir::toNativeSeparators(path)));
        return false;
    }
    m_corpus = std::move(lines);
    m_corpusPath = path;
    m_corpusLabel->setText(tr("%1: %n text(s), one per line, added to the candidates.", nullptr,
        int(std::min<std::size_t>(m_corpus.size(), INT_MAX)))
                               .arg(QFileInfo(path).fileName()));
    m_corpusLabel->setToolTip(QDir::toNativeSeparators(path));
    m_clearCorpus->setVisible(true);
    Q_EMIT changed();
    return true;
}

void MiningSources::clearCorpus()
{
    const bool had = !m_corpus.empty();
    m_corpus.clear();
    m_corpusPath.clear();
    m_corpusLabel->setText(tr("No corpus file: the candidates are your pairs' positives."));
    m_corpusLabel->setToolTip({});
    m_clearCorpus->setVisible(false);
    if (had)
        Q_EMIT changed();
}

void MiningSources::choiceActivated(int index)
{
    const QString which = m_choice->itemData(index).toString();
    if (which == kBase) {
        useBaseModel();
    } else if (which == kBrowse) {
        updateChoiceTexts(); // the current choice stays selected until a folder is loaded
        const QString folder
            = QFileDialog::getExistingDirectory(this, tr("A sentence-transformers model folder"));
        if (!folder.isEmpty())
            chooseModelFolder(folder);
    }
}

void MiningSources::browseCorpus()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("A corpus file: one text per line"), {}, tr("Text files (*.txt *.tsv);;All files (*)"));
    if (!path.isEmpty())
        addCorpusFile(path);
}

void MiningSources::updateChoiceTexts()
{
    const QSignalBlocker blocker(m_choice);
    m_choice->clear();
    m_choice->addItem(
        m_base ? tr("the base model, %1").arg(folderName(m_base->folder())) : tr("the base model"), kBase);
    if (m_other)
        m_choice->addItem(modelDescription(), kOther);
    m_choice->addItem(tr("another model folder…"), kBrowse);
    m_choice->setCurrentIndex(m_other ? 1 : 0);
    m_choice->setEnabled(!m_loading);
}

} // namespace pairtune::ui
