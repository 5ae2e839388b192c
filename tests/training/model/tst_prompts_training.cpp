// Training and evaluation apply the model's prompts per column: anchors encode_query()'s prompt,
// positives and negatives encode_document()'s (model/prompts.h columnPrompts), seen in the token ids
// of the first batch the trainer really fed the model (its debug dump), in the run's config.json, in
// the exported model card, and in the evaluator's pair cosines.

#include "io/fileutil.h"
#include "io/jsonfile.h"
#include "model/prompts.h"
#include "model/sentencemodel.h"
#include "promptfixture.h"
#include "train/evaluator.h"
#include "train/trainer.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <set>

using namespace pairtune;

namespace {

struct Pair
{
    std::string anchor, positive, negative;
};

const std::vector<Pair> &pairs()
{
    static const std::vector<Pair> p {
        { "what is the capital of france", "paris is the capital of france", "the dog runs in the park" },
        { "a man playing guitar", "the man is playing a guitar", "the weather is lovely today" },
        { "quick brown fox", "the quick brown fox jumps", "children run to the stadium" },
        { "lovely weather", "the weather is lovely today", "a man playing guitar" },
        { "dogs in the park", "the dogs run in the park", "he drove to the stadium" },
        { "find a similar text", "search for close meaning", "the lazy dog" },
        { "what is a vector", "a model maps text to a vector", "paris is in france" },
        { "he drove", "he drove to the stadium", "the fox jumps over the dog" },
    };
    return p;
}

std::string writePairs(const QTemporaryDir &dir)
{
    std::string tsv = "anchor\tpositive\tnegative\n";
    for (const Pair &p : pairs())
        tsv += p.anchor + "\t" + p.positive + "\t" + p.negative + "\n";
    const std::string path = dir.filePath("pairs.tsv").toStdString();
    writeFileAtomic(path, tsv);
    return path;
}

TrainingConfig tinyRun(const std::string &data, const std::string &base, const std::string &out)
{
    TrainingConfig c;
    c.dataPaths = { data };
    c.basePath = base;
    c.outPath = out;
    c.epochs = 1;
    c.batchSize = 4;
    c.warmupSteps = 0;
    c.trainFraction = 0.5;
    c.lr = 1e-4;
    c.threads = 1;
    return c;
}

// The token ids of prompt + text for every text of one column.
std::set<std::vector<std::int64_t>> idsOf(
    const SentenceModel &model, const std::string &prompt, std::string Pair::*column)
{
    std::set<std::vector<std::int64_t>> out;
    for (const Pair &p : pairs())
        out.insert(model.tokenizeForModel(prompt + p.*column).ids);
    return out;
}

} // namespace

class TestPromptsTraining : public QObject
{
    Q_OBJECT

private slots:
    void trainingUsesQueryPromptForAnchorsAndDocumentPromptForTheRest()
    {
        QTemporaryDir dir;
        const std::string data = writePairs(dir);
        const std::string run = dir.filePath("run").toStdString();
        const std::string dump = dir.filePath("dump").toStdString();
        TrainingCallbacks callbacks;
        callbacks.debugDumpFolder = dump;
        const TrainingResult result = runTraining(tinyRun(data, prompttest::fixtureFolder(), run), callbacks);
        QVERIFY(std::isfinite(result.lastLoss));

        // What the first step fed the model, column by column.
        const SentenceModel model = SentenceModel::load(prompttest::fixtureFolder());
        const nlohmann::json batch = readJsonFile(dump + "/batch.json");
        const std::vector<std::pair<std::string, std::string Pair::*>> expected {
            { "query: ", &Pair::anchor }, { "passage: ", &Pair::positive }, { "passage: ", &Pair::negative }
        };
        QCOMPARE(batch.at("columns").size(), expected.size());
        for (std::size_t column = 0; column < expected.size(); ++column) {
            const auto prompted = idsOf(model, expected[column].first, expected[column].second);
            const auto plain = idsOf(model, "", expected[column].second);
            for (const nlohmann::json &row : batch["columns"][column]) {
                const auto ids = row.get<std::vector<std::int64_t>>();
                QVERIFY2(prompted.count(ids) == 1,
                    ("column " + std::to_string(column) + ": " + row.dump()).c_str());
                QVERIFY(plain.count(ids) == 0);
            }
        }

        // Recorded in the run and stated in the exported model's card.
        const nlohmann::json config = readJsonFile(run + "/config.json");
        const nlohmann::json used = config.at("prompts");
        QVERIFY2(used
                == nlohmann::json(
                    { { "anchor", "query: " }, { "positive", "passage: " }, { "negative", "passage: " } }),
            used.dump().c_str());
        // The exported folder keeps the prompts, so Python applies the same ones.
        QCOMPARE(SentenceModel::load(result.modelPath).prompts().queryPrompt(), std::string("query: "));
        const std::string card = readFileBytes(result.modelPath + "/README.md");
        QVERIFY2(card.find(R"(anchors "query: ", positives "passage: ", negatives "passage: ")")
                != std::string::npos,
            card.c_str());
    }

    // The first step's loss, recomputed from encodeWithPrompt's embeddings of the batch's texts (each
    // column with its prompt; with include_prompt false the prompt tokens are left out of pooling):
    // the trainer feeds the model exactly what encode() with those prompts would.
    void firstLossMatchesPromptedEmbeddings_data()
    {
        QTest::addColumn<bool>("includePrompt");
        QTest::newRow("include_prompt true") << true;
        QTest::newRow("include_prompt false") << false;
    }

    void firstLossMatchesPromptedEmbeddings()
    {
        QFETCH(bool, includePrompt);
        QTemporaryDir dir;
        const std::string base = prompttest::editedCopy(dir.filePath("base").toStdString(),
            "1_Pooling/config.json", [&](nlohmann::ordered_json &j) { j["include_prompt"] = includePrompt; });
        TrainingConfig config = tinyRun(writePairs(dir), base, dir.filePath("run").toStdString());
        config.dropout = false; // encode() runs without dropout
        config.bf16 = Bf16Mode::Off; // and in float32
        TrainingCallbacks callbacks;
        callbacks.debugDumpFolder = dir.filePath("dump").toStdString();
        runTraining(config, callbacks);
        const nlohmann::json batch = readJsonFile(callbacks.debugDumpFolder + "/batch.json");

        // Which pair each row of the batch is, from its anchor's prompted ids.
        const SentenceModel model = SentenceModel::load(base);
        std::vector<std::size_t> rows;
        for (const nlohmann::json &ids : batch["columns"][0]) {
            for (std::size_t i = 0; i < pairs().size(); ++i)
                if (model.tokenizeForModel("query: " + pairs()[i].anchor).ids
                    == ids.get<std::vector<std::int64_t>>())
                    rows.push_back(i);
        }
        QCOMPARE(rows.size(), batch["columns"][0].size());
        std::vector<std::string> anchors, documents;
        for (const std::size_t i : rows)
            anchors.push_back(pairs()[i].anchor);
        for (auto column : { &Pair::positive, &Pair::negative })
            for (const std::size_t i : rows)
                documents.push_back(pairs()[i].*column);
        const Embeddings a = model.encodeWithPrompt(anchors, "query: ");
        const Embeddings d = model.encodeWithPrompt(documents, "passage: ");
        // MultipleNegativesRankingLoss, dot similarity, scale 1: row i's positive is document i.
        double loss = 0;
        for (std::size_t i = 0; i < a.rows; ++i) {
            std::vector<double> scores;
            for (std::size_t j = 0; j < d.rows; ++j) {
                double dot = 0;
                for (std::size_t k = 0; k < a.dim; ++k)
                    dot += double(a.row(i)[k]) * d.row(j)[k];
                scores.push_back(dot);
            }
            double sum = 0;
            for (const double score : scores)
                sum += std::exp(score);
            loss += std::log(sum) - scores[i];
        }
        loss /= double(a.rows);
        const double trained = batch.at("loss").get<double>();
        QVERIFY2(std::abs(loss - trained) < 1e-5,
            qPrintable(
                QStringLiteral("recomputed %1, trainer %2").arg(loss, 0, 'g', 9).arg(trained, 0, 'g', 9)));
    }

    void defaultPromptOnlyGoesToEveryColumn()
    {
        QTemporaryDir dir;
        const std::string base = prompttest::editedCopy(dir.filePath("base").toStdString(),
            "config_sentence_transformers.json", [](nlohmann::ordered_json &j) {
                j["prompts"] = { { "classification", "Classify this sentence: " } };
                j["default_prompt_name"] = "classification";
            });
        const std::string run = dir.filePath("run").toStdString();
        runTraining(tinyRun(writePairs(dir), base, run), {});
        const nlohmann::json config = readJsonFile(run + "/config.json");
        const nlohmann::json classify = "Classify this sentence: ";
        const nlohmann::json used = config.at("prompts");
        QVERIFY2(used
                == nlohmann::json(
                    { { "anchor", classify }, { "positive", classify }, { "negative", classify } }),
            used.dump().c_str());
    }

    void evaluationEmbedsAnchorsAsQueriesAndPositivesAsDocuments()
    {
        const SentenceModel model = SentenceModel::load(prompttest::fixtureFolder());
        EvalSet set;
        for (const Pair &p : pairs()) {
            set.anchors.push_back(p.anchor);
            set.positives.push_back(p.positive);
        }
        const auto metrics = evaluate(model, set, EvalOptions {});
        // The mean cosine of the true pairs, from embeddings made with the prompts by hand.
        const Embeddings a = model.encodeWithPrompt(set.anchors, "query: ");
        const Embeddings d = model.encodeWithPrompt(set.positives, "passage: ");
        const Embeddings plainD = model.encodeWithPrompt(set.positives, "");
        auto meanCos = [&](const Embeddings &docs) {
            double sum = 0;
            for (std::size_t i = 0; i < a.rows; ++i) {
                double dot = 0, na = 0, nd = 0;
                for (std::size_t k = 0; k < a.dim; ++k) {
                    dot += double(a.row(i)[k]) * docs.row(i)[k];
                    na += double(a.row(i)[k]) * a.row(i)[k];
                    nd += double(docs.row(i)[k]) * docs.row(i)[k];
                }
                sum += dot / std::sqrt(na * nd);
            }
            return sum / double(a.rows);
        };
        QVERIFY(std::abs(metrics.at("mean_cos_pos") - meanCos(d)) < 1e-5);
        QVERIFY(std::abs(metrics.at("mean_cos_pos") - meanCos(plainD)) > 1e-4);
    }
};

QTEST_GUILESS_MAIN(TestPromptsTraining)
#include "tst_prompts_training.moc"
