// The Try & Export page's prompt choice: offered for a model with prompts (tests/data/prompts), hidden
// for one without; the search embeds the query with the chosen prompt and the held-out texts with the
// document prompt, which the cosines shown must reflect (recomputed here through the engine).

#include "model/prompts.h"
#include "model/sentencemodel.h"
#include "recipe/trainingconfig.h"
#include "studiofixture.h"
#include "train/trainer.h"
#include "ui/comparepanel.h"
#include "ui/exportpanel.h"
#include "ui/loadedmodel.h"
#include "ui/matchsearch.h"

#include <QComboBox>
#include <QFile>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace pairtune;
using namespace pairtune::ui;

namespace {

const std::string kFixture = PAIRTUNE_TEST_DATA_DIR "/prompts/tiny-bert-prompts";
constexpr int kWaitMs = 60000;

// The best cosine for query among the held-out texts, as the engine computes it with these prompts.
double bestCosine(const SearchCorpus &corpus, const std::string &query, const std::string &queryPrompt,
    const std::string &documentPrompt)
{
    const SentenceModel model = SentenceModel::load(kFixture);
    const auto matches = nearest(model.encodeWithPrompt(corpus.texts, documentPrompt),
        model.encodeWithPrompt({ query }, queryPrompt), 1);
    return matches.front().cosine;
}

// Base and tuned side both on model, searching the held-out part of 20 generated pairs: a run in dir
// whose eval-pairs.tsv (what the panel searches) holds the default split's evaluation pairs.
bool comparePanelReady(ComparePanel &panel, const QTemporaryDir &dir, const std::string &model)
{
    TrainingConfig config;
    if (!studiotest::writeHeldOutPairs(
            dir.filePath(QStringLiteral("eval-pairs.tsv")), studiotest::pairLines(20)))
        return false;
    config.outPath = dir.path().toStdString();
    config.basePath = model;
    panel.setRun(config, nullptr);
    panel.setTunedModel(QString::fromStdString(model), QStringLiteral("same model"));
    return QTest::qWaitFor([&] { return panel.isReady(); }, kWaitMs);
}

} // namespace

class TestPromptChoice : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { studiotest::isolateSettings(); }

    void choicesFollowTheModel()
    {
        const ModelPrompts prompts = SentenceModel::load(kFixture).prompts();
        QCOMPARE(queryPrompt(prompts, {}), std::string("query: "));
        QCOMPARE(queryPrompt(prompts, { QueryPromptChoice::Kind::None, {} }), std::string());
        QCOMPARE(queryPrompt(prompts, { QueryPromptChoice::Kind::Named, "classification" }),
            std::string("Classify this sentence: "));
        QCOMPARE(documentPrompt(prompts), std::string("passage: "));
    }

    void searchAppliesTheChosenPrompt()
    {
        QTemporaryDir dir;
        ComparePanel panel;
        QVERIFY(comparePanelReady(panel, dir, kFixture));
        QComboBox *choice = panel.promptChoice();
        QVERIFY(!choice->isHidden());
        // As trained, none, and the three named prompts of the fixture.
        QCOMPARE(choice->count(), 5);
        QVERIFY2(choice->itemText(0).contains(QStringLiteral("query: ")), qPrintable(choice->itemText(0)));

        const std::string query = panel.corpus()->queries.front();
        const std::vector<std::pair<int, std::string>> cases { { 0, "query: " }, { 1, "" },
            { 4, "Classify this sentence: " } };
        for (const auto &[index, prompt] : cases) {
            choice->setCurrentIndex(index);
            QSignalSpy searched(&panel, &ComparePanel::searchFinished);
            panel.search(QString::fromStdString(query));
            QVERIFY(searched.wait(kWaitMs));
            const double expected = bestCosine(*panel.corpus(), query, prompt, "passage: ");
            const QString shown = panel.baseResults()->item(0, 0)->text();
            QCOMPARE(shown, QString::number(expected, 'f', 3));
        }
        // The prompts matter for this query at the precision shown.
        QVERIFY(std::abs(bestCosine(*panel.corpus(), query, "query: ", "passage: ")
                    - bestCosine(*panel.corpus(), query, "", "passage: "))
            > 2e-3);
    }

    void exportedPythonLinesUseThePrompts()
    {
        QTemporaryDir dir;
        const QString data = dir.filePath(QStringLiteral("pairs.tsv"));
        QVERIFY(studiotest::writePairFile(data, 20));
        TrainingConfig config;
        config.dataPaths = { data.toStdString() };
        config.basePath = kFixture;
        config.outPath = dir.filePath(QStringLiteral("run")).toStdString();
        config.epochs = 1;
        config.batchSize = 4;
        runTraining(config, {});
        ExportPanel panel;
        panel.setRun(QString::fromStdString(config.outPath));
        panel.setDestination(dir.filePath(QStringLiteral("exported")));
        QVERIFY(panel.exportNow());
        QTRY_VERIFY_WITH_TIMEOUT(!panel.isExporting(), kWaitMs);
        QVERIFY2(panel.errorText().isEmpty(), qPrintable(panel.errorText()));
        const QString snippet = panel.pythonSnippet();
        QVERIFY2(snippet.contains(QStringLiteral("model.encode([\"first query\"], prompt=\"query: \")"))
                && snippet.contains(
                    QStringLiteral("model.encode([\"first document\"], prompt=\"passage: \")")),
            qPrintable(snippet));
    }

    void hiddenForAModelWithoutPrompts()
    {
        QTemporaryDir dir;
        const QString model = dir.filePath(QStringLiteral("plain"));
        QCOMPARE(studiotest::createTinyModel(model), QString());
        ComparePanel panel;
        QVERIFY(comparePanelReady(panel, dir, model.toStdString()));
        QVERIFY(panel.promptChoice()->isHidden());
    }
};

QTEST_MAIN(TestPromptChoice)
#include "tst_promptchoice.moc"
